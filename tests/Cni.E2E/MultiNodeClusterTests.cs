using System.Diagnostics;
using System.Globalization;
using Cni.E2E.Harness;
using Cni.LocalCluster;
using k8s.Models;

namespace Cni.E2E;

/// <summary>
/// The kind-style local cluster: a stand-in API server, node namespaces on an underlay, each running the published
/// wincnid (kernel dataplane) with <c>--node-name</c> and a kubeconfig; pod CIDRs come from the Node objects, routes
/// to the other nodes from their flannel annotations. Pods are namespaces whose network comes from wincni.
/// </summary>
[TestFixture]
[Category("Kernel")]
[NonParallelizable]
public sealed class MultiNodeClusterTests
{
    private const string FlannelPrefix = "flannel.alpha.coreos.com";

    [SetUp]
    public void RequireKernel() => E2EGuard.Require();

    [TestCase("overlay")]
    [TestCase("l2bridge")]
    [CancelAfter(240_000)]
    public async Task Start_TwoNodesTwoPodsEach_EveryPodReachesEveryOther(string mode, CancellationToken cancellationToken)
    {
        await using var cluster = await Cni.LocalCluster.LocalCluster.StartAsync(new LocalClusterOptions { Mode = mode }, cancellationToken);
        var n1 = await cluster.AddNodeAsync(cancellationToken);
        var n2 = await cluster.AddNodeAsync(cancellationToken);
        foreach (var node in new[] { n1, n2 })
        {
            await cluster.AddPodAsync(node, cancellationToken);
            await cluster.AddPodAsync(node, cancellationToken);
        }

        await WaitForPeerRouteAsync(n1, n2.PodCidr, present: true, cancellationToken);
        await WaitForPeerRouteAsync(n2, n1.PodCidr, present: true, cancellationToken);
        var matrix = await ConnectivityMatrix.MeasureAsync(cluster.Pods, cancellationToken);

        Assert.That(matrix.Failures, Is.Zero, matrix.Render() + Logs(cluster));
        Assert.That(matrix.Pairs, Is.EqualTo(12));
        Assert.That(cluster.Pods.Select(p => p.Address).Distinct().Count(), Is.EqualTo(4));
        Assert.That(cluster.Pods.Where(p => p.Node == n2).Select(p => p.Address), Has.All.StartsWith("10.244.2."), "pod CIDR comes from the Node object");
    }

    [Test]
    [CancelAfter(240_000)]
    public async Task Start_Overlay_NodePublishesFlannelAnnotationsThroughNodesStatus(CancellationToken cancellationToken)
    {
        await using var cluster = await Cni.LocalCluster.LocalCluster.StartAsync(new LocalClusterOptions(), cancellationToken);
        var n1 = await cluster.AddNodeAsync(cancellationToken);

        var annotations = await WaitForAsync(
            () => cluster.ApiServer.Store.Get<V1Node>(n1.NodeName)?.Metadata.Annotations is { } a && a.ContainsKey(FlannelPrefix + "/backend-data") ? a : null,
            TimeSpan.FromSeconds(30),
            cancellationToken);

        Assert.That(annotations[FlannelPrefix + "/backend-type"], Is.EqualTo("vxlan"));
        Assert.That(annotations[FlannelPrefix + "/public-ip"], Is.EqualTo(n1.Address));
        Assert.That(annotations[FlannelPrefix + "/kube-subnet-manager"], Is.EqualTo("true"));
        Assert.That(annotations[FlannelPrefix + "/backend-data"], Does.Match("""^\{"VNI":4096,"VtepMAC":"([0-9a-f]{2}:){5}[0-9a-f]{2}"\}$"""));
    }

    [Test]
    [CancelAfter(240_000)]
    public async Task AddNode_Later_IsRoutedWithinSecondsAndItsPodsAreReachable(CancellationToken cancellationToken)
    {
        await using var cluster = await Cni.LocalCluster.LocalCluster.StartAsync(new LocalClusterOptions(), cancellationToken);
        var n1 = await cluster.AddNodeAsync(cancellationToken);
        var a = await cluster.AddPodAsync(n1, cancellationToken);

        var clock = Stopwatch.StartNew();
        var n2 = await cluster.AddNodeAsync(cancellationToken);
        var nodeReady = clock.Elapsed;
        var routed = await WaitForPeerRouteAsync(n1, n2.PodCidr, present: true, cancellationToken);
        var b = await cluster.AddPodAsync(n2, cancellationToken);

        Assert.That(await a.ReachAsync(b.Address!, cancellationToken), Is.Not.Null, Logs(cluster));
        Assert.That(await b.ReachAsync(a.Address!, cancellationToken), Is.Not.Null, Logs(cluster));
        TestContext.Progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"node-2 registered → its wincnid ready: {nodeReady.TotalMilliseconds:0} ms; → route on node-1: {(nodeReady + routed).TotalMilliseconds:0} ms"));
        Assert.That(nodeReady + routed, Is.LessThan(TimeSpan.FromSeconds(30)));
    }

    [Test]
    [CancelAfter(240_000)]
    public async Task AnnotatedNodeAppears_RouteProgrammedQuickly_AndDisappearsWhenNodeDeleted(CancellationToken cancellationToken)
    {
        await using var cluster = await Cni.LocalCluster.LocalCluster.StartAsync(new LocalClusterOptions(), cancellationToken);
        var n1 = await cluster.AddNodeAsync(cancellationToken);

        // A Node that already carries a flannel node's annotations (e.g. a Linux node running flannel): only the
        // watch → peers controller → HCN → kernel path is timed.
        var clock = Stopwatch.StartNew();
        cluster.ApiServer.Store.Create(FlannelNode("flannel-node", "10.244.99.0/24", "192.168.200.99", "0e:2a:c0:00:02:14"));
        var added = await WaitForPeerRouteAsync(n1, "10.244.99.0/24", present: true, cancellationToken);
        var routes = await n1.RoutesAsync(cancellationToken);

        cluster.ApiServer.Store.Delete<V1Node>("flannel-node");
        var removed = await WaitForPeerRouteAsync(n1, "10.244.99.0/24", present: false, cancellationToken);

        TestContext.Progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"annotated Node created → route on node-1 within {added.TotalMilliseconds:0} ms; Node deleted → route gone within {removed.TotalMilliseconds:0} ms (50 ms polling)"));
        Assert.That(routes, Does.Contain("10.244.99.0/24 via 10.244.99.0").And.Contain("onlink"), "flannel's VXLAN layout");
        Assert.That(added, Is.LessThan(TimeSpan.FromSeconds(10)));
        Assert.That(removed, Is.LessThan(TimeSpan.FromSeconds(10)));
    }

    [Test]
    [CancelAfter(300_000)]
    public async Task ApiServerOutage_TrafficKeepsFlowing_AndCachesResyncAfterRestart(CancellationToken cancellationToken)
    {
        await using var cluster = await Cni.LocalCluster.LocalCluster.StartAsync(new LocalClusterOptions(), cancellationToken);
        var (n1, n2, a, b) = await TwoNodesOnePodEachAsync(cluster, cancellationToken);
        Assert.That(await a.ReachAsync(b.Address!, cancellationToken), Is.Not.Null, Logs(cluster));

        await cluster.ApiServer.StopAsync(cancellationToken);
        var answered = 0;
        for (var i = 0; i < 10; i++)
        {
            answered += await a.PingAsync(b.Address!, cancellationToken) is null ? 0 : 1;
            await Task.Delay(300, cancellationToken);
        }

        // While it is down, a new Node is recorded (as if written to etcd by another API server instance), and the
        // watch history is compacted, so the daemons' next watch gets 410 Gone and must relist to see it.
        cluster.ApiServer.Store.Create(FlannelNode("late-node", "10.244.98.0/24", "192.168.200.98", "0e:2a:c0:00:02:15"));
        cluster.ApiServer.CompactHistory();
        await cluster.ApiServer.StartAsync(cancellationToken);

        Assert.That(answered, Is.EqualTo(10), "pod traffic does not depend on the API server");
        await WaitForPeerRouteAsync(n1, "10.244.98.0/24", present: true, cancellationToken, TimeSpan.FromSeconds(90));
        await WaitForPeerRouteAsync(n2, "10.244.98.0/24", present: true, cancellationToken, TimeSpan.FromSeconds(90));
        Assert.That(await a.ReachAsync(b.Address!, cancellationToken), Is.Not.Null, Logs(cluster));
    }

    [Test]
    [CancelAfter(300_000)]
    public async Task DaemonKilled_TrafficKeepsFlowing_AndRestartKeepsRoutes(CancellationToken cancellationToken)
    {
        await using var cluster = await Cni.LocalCluster.LocalCluster.StartAsync(new LocalClusterOptions(), cancellationToken);
        var (n1, n2, a, b) = await TwoNodesOnePodEachAsync(cluster, cancellationToken);
        var linksBefore = await n1.RoutesAsync(cancellationToken);

        await n1.KillDaemonAsync(cancellationToken);
        var answered = 0;
        for (var i = 0; i < 10; i++)
        {
            answered += await a.PingAsync(b.Address!, cancellationToken) is null ? 0 : 1;
            await Task.Delay(200, cancellationToken);
        }

        await n1.StartDaemonAsync(cancellationToken);
        Assert.That(answered, Is.EqualTo(10), "traffic while wincnid is down");
        Assert.That(await a.ReachAsync(b.Address!, cancellationToken), Is.Not.Null, Logs(cluster));
        Assert.That(await b.ReachAsync(a.Address!, cancellationToken), Is.Not.Null, Logs(cluster));
        Assert.That(await n1.RoutesAsync(cancellationToken), Is.EqualTo(linksBefore), "the restarted daemon adopts the routes as they are");
    }

    [Test]
    [CancelAfter(240_000)]
    public async Task Kubectl_AgainstTheClusterApiServer_SeesNodesWithPodCidrsAndAnnotations(CancellationToken cancellationToken)
    {
        var kubectl = E2EGuard.Which("kubectl");
        if (kubectl is null)
        {
            E2EGuard.Unavailable("kubectl (the Google Cloud SDK one on this image, or Debian's kubernetes-client)");
        }

        await using var cluster = await Cni.LocalCluster.LocalCluster.StartAsync(new LocalClusterOptions(), cancellationToken);
        var n1 = await cluster.AddNodeAsync(cancellationToken);
        await WaitForAsync(
            () => cluster.ApiServer.Store.Get<V1Node>(n1.NodeName)?.Metadata.Annotations?.ContainsKey(FlannelPrefix + "/public-ip") == true ? "" : null,
            TimeSpan.FromSeconds(30),
            cancellationToken);
        var home = Directory.CreateTempSubdirectory("wincni-kubectl-home-").FullName;
        try
        {
            var result = await Shell.RunAsync(
                kubectl!,
                ["--kubeconfig", cluster.Kubeconfig, "get", "node", n1.NodeName, "-o", "jsonpath={.spec.podCIDR} {.metadata.annotations.flannel\\.alpha\\.coreos\\.com/public-ip}"],
                cancellationToken,
                environment: new Dictionary<string, string> { ["HOME"] = home });

            Assert.That(result.ExitCode, Is.Zero, result.ToString());
            Assert.That(result.Stdout.Trim(), Is.EqualTo($"{n1.PodCidr} {n1.Address}"));
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    /// <summary>Two nodes with one pod each, node 1 already routed to node 2.</summary>
    private static async Task<(ClusterNode N1, ClusterNode N2, ClusterPod A, ClusterPod B)> TwoNodesOnePodEachAsync(
        Cni.LocalCluster.LocalCluster cluster, CancellationToken cancellationToken)
    {
        var n1 = await cluster.AddNodeAsync(cancellationToken);
        var n2 = await cluster.AddNodeAsync(cancellationToken);
        var a = await cluster.AddPodAsync(n1, cancellationToken);
        var b = await cluster.AddPodAsync(n2, cancellationToken);
        await WaitForPeerRouteAsync(n1, n2.PodCidr, present: true, cancellationToken);
        return (n1, n2, a, b);
    }

    /// <summary>A Node as a Linux node running flannel's VXLAN backend publishes itself.</summary>
    private static V1Node FlannelNode(string name, string podCidr, string publicIp, string vtepMac) => new()
    {
        ApiVersion = "v1",
        Kind = "Node",
        Metadata = new V1ObjectMeta
        {
            Name = name,
            Annotations = new Dictionary<string, string>
            {
                [FlannelPrefix + "/backend-type"] = "vxlan",
                [FlannelPrefix + "/backend-data"] = "{\"VNI\":4096,\"VtepMAC\":\"" + vtepMac + "\"}",
                [FlannelPrefix + "/public-ip"] = publicIp,
                [FlannelPrefix + "/kube-subnet-manager"] = "true",
            },
        },
        Spec = new V1NodeSpec { PodCIDR = podCidr, PodCIDRs = [podCidr] },
    };

    /// <summary>Polls the node's kernel routes until the route to <paramref name="prefix"/> is (not) there; returns how long it took.</summary>
    private static async Task<TimeSpan> WaitForPeerRouteAsync(ClusterNode node, string prefix, bool present, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        while (true)
        {
            var routes = await node.RoutesAsync(cancellationToken);
            var has = routes.Split('\n').Any(l => l.StartsWith(prefix + " ", StringComparison.Ordinal));
            if (has == present)
            {
                return clock.Elapsed;
            }

            if (clock.Elapsed > limit)
            {
                Assert.Fail($"route to {prefix} on {node.NodeName} still {(present ? "missing" : "present")} after {limit.TotalSeconds:0} s:\n{routes}\n{node.Log()}");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    private static async Task<T> WaitForAsync<T>(Func<T?> probe, TimeSpan timeout, CancellationToken cancellationToken)
        where T : class
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (probe() is { } value)
            {
                return value;
            }

            if (clock.Elapsed > timeout)
            {
                Assert.Fail($"condition not met within {timeout.TotalSeconds:0} s");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    private static string Logs(Cni.LocalCluster.LocalCluster cluster) =>
        string.Concat(cluster.Nodes.Select(n => $"\n---- {n.NodeName} wincnid log\n{n.Log()}"));
}
