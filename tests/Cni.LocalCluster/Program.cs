using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Cni.LocalCluster;
using Cni.LocalCluster.Support;

// `wincni-cluster demo`: the README's main job on Linux (`dotnet pwsh ./Makefile.ps1 demo` publishes, then runs this).
var mode = new Option<string>("--mode")
{
    Description = "Node network mode: overlay (VXLAN), l2bridge (routes via node IPs), nat (one node, pods behind its NAT) or transparent (pods on the underlay).",
    DefaultValueFactory = _ => "overlay",
};
mode.AcceptOnlyFromAmong([.. LocalCluster.Modes]);
var nodes = new Option<int>("--nodes") { Description = "Number of nodes.", DefaultValueFactory = _ => 2 };
var podsPerNode = new Option<int>("--pods-per-node") { Description = "Pods on each node.", DefaultValueFactory = _ => 2 };
var exit = new Option<bool>("--exit") { Description = "Tear down right after the report instead of waiting for Ctrl-C." };
var demo = new Command("demo", "Start a local multi-node cluster (stand-in API server, wincnid --dataplane kernel per node), add pods, print who reaches whom directly and through a Service's ClusterIP and NodePorts, then wait for Ctrl-C and tear everything down.");
demo.Options.Add(mode);
demo.Options.Add(nodes);
demo.Options.Add(podsPerNode);
demo.Options.Add(exit);
demo.SetAction((result, cancellationToken) => DemoAsync(result.GetValue(mode)!, result.GetValue(nodes), result.GetValue(podsPerNode), result.GetValue(exit), cancellationToken));
var root = new RootCommand("The wincni local cluster: network namespaces on this machine playing a multi-node Kubernetes cluster.");
root.Subcommands.Add(demo);
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);

static async Task<int> DemoAsync(string mode, int nodeCount, int podsPerNode, bool exitAfterReport, CancellationToken cancellationToken)
{
    if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
    {
        await Console.Error.WriteLineAsync("demo: needs root on Linux (network namespaces, veth, nftables); run it with sudo").ConfigureAwait(false);
        return 2;
    }

    if (nodeCount is < 1 or > 50 || podsPerNode is < 1 or > 50)
    {
        await Console.Error.WriteLineAsync("demo: --nodes and --pods-per-node must be between 1 and 50").ConfigureAwait(false);
        return 2;
    }

    if (mode == "nat" && nodeCount != 1)
    {
        // nat is the single-node developer mode: a second node's pods would be unreachable (no peer routes).
        Console.WriteLine($"demo: mode nat runs one node (asked for {nodeCount})");
        nodeCount = 1;
    }
    else if (mode == "transparent" && nodeCount > 10)
    {
        await Console.Error.WriteLineAsync("demo: mode transparent runs at most 10 nodes (10 underlay addresses each)").ConfigureAwait(false);
        return 2;
    }

    // Ctrl-C and SIGTERM end the wait (and a start-up in progress); teardown always runs.
    using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
    {
        context.Cancel = true;
        try
        {
            stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // A second signal (e.g. from `dotnet run` forwarding the first) after teardown has finished.
        }
    });
    var started = Stopwatch.StartNew();
    var cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Mode = mode, Progress = Console.Out }, stop.Token).ConfigureAwait(false);
    try
    {
        for (var i = 0; i < nodeCount; i++)
        {
            await cluster.AddNodeAsync(stop.Token).ConfigureAwait(false);
        }

        foreach (var node in cluster.Nodes)
        {
            for (var i = 0; i < podsPerNode; i++)
            {
                await cluster.AddPodAsync(node, stop.Token).ConfigureAwait(false);
            }
        }

        var ready = started.Elapsed;
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cluster up in {ready.TotalSeconds:0.0} s: {nodeCount} nodes ({mode}), {cluster.Pods.Count} pods"));
        var matrix = await ConnectivityMatrix.MeasureAsync(cluster.Pods, stop.Token).ConfigureAwait(false);
        Console.WriteLine();
        Console.WriteLine("connectivity (ICMP round-trip from row to column):");
        Console.Write(matrix.Render());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{matrix.Pairs - matrix.Failures}/{matrix.Pairs} pairs reach each other"));
        Console.WriteLine();
        var serviceFailures = 0;
        if (mode == "transparent")
        {
            // Transparent pods route everything off their subnet to the physical gateway, as on Windows; a macvlan
            // cannot reach its own node, so Services (and NodePorts to local pods) are not part of this mode.
            Console.WriteLine("Services: not served in transparent mode (pods use the underlay's gateway); from an underlay host:");
            serviceFailures = await TransparentDemo.RunAsync(cluster, Console.Out, stop.Token).ConfigureAwait(false);
        }
        else
        {
            serviceFailures = await ServiceDemo.RunAsync(cluster, Console.Out, stop.Token).ConfigureAwait(false);
        }
        Console.WriteLine();
        Console.WriteLine("where to look:");
        Console.WriteLine($"  kubectl --kubeconfig {cluster.Kubeconfig} get nodes -o wide   (annotations: -o yaml)");
        Console.WriteLine($"  kubectl --kubeconfig {cluster.Kubeconfig} get pods,services,endpointslices -o wide");
        foreach (var node in cluster.Nodes)
        {
            Console.WriteLine($"  {node.NodeName}: {Binaries.Wincnid} status --socket {node.Socket}");
            Console.WriteLine($"  {node.NodeName}: log {node.LogFile}");
            Console.WriteLine($"  {node.NodeName}: ip netns exec {node.Netns} curl -s http://{ClusterNode.HealthAddress}/metrics");
            Console.WriteLine($"  {node.NodeName}: ip netns exec {node.Netns} ip route");
        }

        if (!exitAfterReport)
        {
            Console.WriteLine();
            Console.WriteLine("the cluster keeps running; press Ctrl-C to tear it down");
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Ctrl-C or SIGTERM: fall through to teardown.
            }
        }

        return matrix.Failures == 0 && serviceFailures == 0 ? 0 : 1;
    }
    catch (OperationCanceledException) when (stop.IsCancellationRequested)
    {
        Console.WriteLine("interrupted");
        return 130;
    }
    finally
    {
        Console.WriteLine("tearing down: pods, nodes, API server, namespaces");
        await cluster.DisposeAsync().ConfigureAwait(false);
        await ClusterRun.SweepAsync(ownRunOnly: true, CancellationToken.None).ConfigureAwait(false);
        Console.WriteLine("done; nothing is left behind");
    }
}
