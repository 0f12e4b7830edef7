using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text.Json;
using Cni.Hcn;
using Cni.Hcn.Errors;
using Cni.Hcn.Model;
using Cni.Hcn.Windows;

namespace Cni.Daemon.Tests.EndToEnd;

/// <summary>
/// The smoke run of the first Windows run: the published <c>wincni.exe</c> → <c>wincnid.exe --dataplane hcn</c> on
/// real HNS, ADD, CHECK, STATUS and DEL of a pod into an HCN namespace the test creates (as containerd does), checked
/// against what HNS holds. The node network binds the adapter named by WINCNI_HCN_TEST_ADAPTER (default: the one with
/// the default route), as a Windows node's does; the test removes the network, the namespace and its state afterwards.
/// WINCNI_SMOKE_MODE picks l2bridge (default) or overlay.
/// </summary>
[TestFixture]
[Category("Windows")]
[NonParallelizable]
[SupportedOSPlatform("windows")]
public sealed class WindowsSmokeTests
{
    private const string NetworkName = "wincni-smoke";
    private const string PodCidr = "10.254.7.0/24";

    [Test]
    [CancelAfter(600_000)]
    public async Task AddCheckStatusDel_RealBinariesOnHns_EndpointAttachedThenGone(CancellationToken cancellationToken)
    {
        WindowsHostGuard.Require();
        var work = Directory.CreateTempSubdirectory("wincni-smoke-").FullName;
        var hcn = new WindowsHcn();
        WincnidProcess? daemon = null;
        Guid? namespaceId = null;
        try
        {
            var (adapter, nodeIp) = Adapter();
            var mode = Environment.GetEnvironmentVariable("WINCNI_SMOKE_MODE") is { Length: > 0 } m ? m : "l2bridge";
            var socket = Path.Combine(work, "run", "wincnid.sock");
            var port = FreePort();
            var config = Path.Combine(work, "node.yaml");
            await File.WriteAllTextAsync(config, string.Create(CultureInfo.InvariantCulture, $"""
                mode: {mode}
                networkName: {NetworkName}
                clusterCIDRs: [10.254.0.0/16]
                serviceCIDRs: [10.255.0.0/16]
                podCIDRs: [{PodCidr}]
                nodeIP: {nodeIp}
                adapterName: "{adapter}"
                stateDir: '{Path.Combine(work, "state")}'
                socket: '{socket}'
                healthAddress: 127.0.0.1:{port}
                """), cancellationToken);

            daemon = WincnidProcess.Start("run", "--config", config, "--dataplane", "hcn");
            await WaitReadyAsync(daemon, port, TimeSpan.FromMinutes(3), cancellationToken);

            // containerd's CRI plugin makes an empty HCN namespace per pod sandbox and passes its GUID as CNI_NETNS.
            var ns = await hcn.CreateNamespaceAsync(new HostComputeNamespace { Type = NamespaceType.Host }, cancellationToken);
            namespaceId = ns.Id;
            var containerId = "smoke" + Guid.NewGuid().ToString("N")[..12];
            var netconf = $$"""{"cniVersion":"1.1.0","name":"{{NetworkName}}","type":"wincni","socket":{{JsonSerializer.Serialize(socket, TestJsonContext.Default.String)}}}""";

            var add = await Wincni.RunAsync(Env("ADD", containerId, ns.Id), netconf);
            Assert.That(add.ExitCode, Is.Zero, () => add.Message + "\n" + daemon.Output);
            var endpoint = (await hcn.FindEndpointsByNameAsync(EndpointName(containerId), cancellationToken)).Single();
            var attached = await hcn.GetNamespaceAsync(ns.Id, cancellationToken);
            Assert.Multiple(() =>
            {
                Assert.That(IPNetwork.Parse(PodCidr).Contains(IPAddress.Parse(add.Ip)), Is.True, add.Stdout);
                Assert.That(endpoint.IpConfigurations!.Select(c => c.IpAddress), Has.Member(add.Ip));
                Assert.That(endpoint.HostComputeNamespace, Is.EqualTo(ns.Id));
                Assert.That(attached.Resources?.Count ?? 0, Is.EqualTo(1), "the namespace holds the endpoint");
            });
            TestContext.Out.WriteLine("ADD: " + add.Stdout);

            var check = await Wincni.RunAsync(Env("CHECK", containerId, ns.Id), netconf[..^1] + ",\"prevResult\":" + add.Stdout + "}");
            Assert.That(check.ExitCode, Is.Zero, check.Message);
            var status = await Wincni.RunAsync(new Dictionary<string, string>(BaseEnv()) { ["CNI_COMMAND"] = "STATUS" }, netconf);
            Assert.That(status.ExitCode, Is.Zero, status.Message);

            var del = await Wincni.RunAsync(Env("DEL", containerId, ns.Id), netconf);
            Assert.That(del.ExitCode, Is.Zero, del.Message);
            Assert.That(await hcn.FindEndpointsByNameAsync(EndpointName(containerId), cancellationToken), Is.Empty, "endpoint left behind");
        }
        finally
        {
            daemon?.Dispose();
            if (namespaceId is { } id)
            {
                await IgnoreNotFoundAsync(() => hcn.DeleteNamespaceAsync(id, CancellationToken.None));
            }

            if (await hcn.FindNetworkByNameAsync(NetworkName, CancellationToken.None) is { } network)
            {
                await IgnoreNotFoundAsync(() => hcn.DeleteNetworkAsync(network.Id, CancellationToken.None));
            }

            Directory.Delete(work, recursive: true);
        }
    }

    private static string EndpointName(string containerId) => Cni.Node.Networks.EndpointNames.For(NetworkName, containerId, "eth0");

    private static Dictionary<string, string> BaseEnv() => new()
    {
        ["CNI_PATH"] = Path.GetDirectoryName(Binaries.Wincni)!,
        ["SystemRoot"] = Environment.GetEnvironmentVariable("SystemRoot") ?? @"C:\Windows",
    };

    private static Dictionary<string, string> Env(string command, string containerId, Guid netns) => new(BaseEnv())
    {
        ["CNI_COMMAND"] = command,
        ["CNI_CONTAINERID"] = containerId,
        ["CNI_NETNS"] = netns.ToString("D"),
        ["CNI_IFNAME"] = "eth0",
        ["CNI_ARGS"] = "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=smoke",
    };

    private static async Task WaitReadyAsync(WincnidProcess daemon, int port, TimeSpan limit, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < limit)
        {
            if (daemon.HasExited)
            {
                Assert.Fail("wincnid exited before it was ready: " + daemon.Output);
            }

            try
            {
                using var response = await client.GetAsync(new Uri($"http://127.0.0.1:{port}/readyz"), cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    TestContext.Out.WriteLine($"wincnid ready after {watch.Elapsed.TotalSeconds:0.0} s");
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(500, cancellationToken);
        }

        Assert.Fail($"wincnid not ready within {limit}: {daemon.Output}");
    }

    private static (string Adapter, IPAddress Address) Adapter()
    {
        var named = Environment.GetEnvironmentVariable("WINCNI_HCN_TEST_ADAPTER");
        var adapter = NetworkInterface.GetAllNetworkInterfaces()
            .Where(a => a.OperationalStatus == OperationalStatus.Up && a.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .FirstOrDefault(a => named is { Length: > 0 } ? a.Name == named : a.GetIPProperties().GatewayAddresses.Any(g => g.Address.AddressFamily == AddressFamily.InterNetwork))
            ?? throw new InvalidOperationException("no up adapter with a default route; set WINCNI_HCN_TEST_ADAPTER");
        var address = adapter.GetIPProperties().UnicastAddresses.Select(u => u.Address).First(a => a.AddressFamily == AddressFamily.InterNetwork);
        return (adapter.Name, address);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task IgnoreNotFoundAsync(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (HcnException ex) when (ex.IsNotFound)
        {
            // Already gone.
        }
    }
}
