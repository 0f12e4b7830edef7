using System.Globalization;
using System.Net;
using Cni.Daemon.Hosting;
using Cni.Daemon.Tests.EndToEnd;
using Cni.Hcn;
using Cni.Hcn.Model.Policies;
using Cni.Node.Ipam;
using Cni.Node.Networks;
using Cni.StandInApiServer;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Cni.Daemon.Tests.Kubernetes;

/// <summary>
/// wincnid as a Kubernetes node agent, in process on the memory dataplane, against the stand-in API server: pod CIDRs
/// and node IP from the Node, flannel annotations through nodes/status, peer routes from the other Nodes.
/// </summary>
[NonParallelizable]
public sealed class ClusterConnectionTests
{
    private const string Prefix = "flannel.alpha.coreos.com";
    private const string NodeName = "node-a";

    private StandInApiServer.StandInApiServer _api = null!;
    private Sandbox _sandbox = null!;
    private string _kubeconfig = null!;

    [SetUp]
    public async Task StartApiServerAsync()
    {
        _api = new StandInApiServer.StandInApiServer(new StandInApiServerOptions { BookmarkInterval = TimeSpan.FromSeconds(5) });
        await _api.StartAsync(CancellationToken.None);
        _sandbox = new Sandbox();
        _kubeconfig = _api.WriteKubeconfig(Path.Combine(_sandbox.Root, "kubeconfig"));
        File.WriteAllText(_sandbox.ConfigFile, $"""
            mode: overlay
            networkName: {Sandbox.NetworkName}
            clusterCIDRs: [10.244.0.0/16]
            serviceCIDRs: [10.96.0.0/12]
            stateDir: {_sandbox.StateDir}
            socket: {_sandbox.Socket}
            healthAddress: {_sandbox.HealthAddress}
            log:
              level: warning
            """);
    }

    [TearDown]
    public async Task StopApiServerAsync()
    {
        await _api.DisposeAsync();
        _sandbox.Dispose();
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task Start_NodeHasPodCidr_IpamFromNodeAndAnnotationsPublished(CancellationToken cancellationToken)
    {
        CreateNode(NodeName, "10.244.7.0/24", "192.0.2.7");

        await using var daemon = await StartAsync(cancellationToken);

        Assert.That(daemon.Services.GetRequiredService<IIpamStore>().GetUsage().Select(u => u.Cidr.ToString()), Is.EqualTo(new[] { "10.244.7.0/24" }));
        var annotations = await WaitForAsync(
            () => _api.Store.Get<V1Node>(NodeName)?.Metadata.Annotations is { } a && a.ContainsKey(Prefix + "/backend-data") ? a : null, cancellationToken);
        var network = daemon.Services.GetRequiredService<PodNetwork>().Network!;
        var drMac = network.Policies!.Select(p => p.GetSettings<DrMacAddressPolicySetting>()).OfType<DrMacAddressPolicySetting>().Single().Address!;
        Assert.That(annotations[Prefix + "/backend-type"], Is.EqualTo("vxlan"));
        Assert.That(annotations[Prefix + "/public-ip"], Is.EqualTo("192.0.2.7"));
        Assert.That(annotations[Prefix + "/kube-subnet-manager"], Is.EqualTo("true"));
        Assert.That(annotations[Prefix + "/backend-data"], Is.EqualTo("{\"VNI\":4096,\"VtepMAC\":\"" + drMac.Replace('-', ':').ToLowerInvariant() + "\"}"));
        var condition = _api.Store.Get<V1Node>(NodeName)!.Status.Conditions?.SingleOrDefault(c => c.Type == "NetworkUnavailable");
        Assert.That(condition?.Status, Is.EqualTo("False"));
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task Start_NodeWithoutPodCidr_WaitsUntilTheControllerManagerAssignsOne(CancellationToken cancellationToken)
    {
        CreateNode(NodeName, null, "192.0.2.7");

        var building = DaemonHost.BuildAsync(Settings(), cancellationToken);
        using var http = new HttpClient();
        var readyz = await WaitForAsync(() => TryGet(http, _sandbox.HealthUri("/readyz")), cancellationToken);
        // Held while the Node is unknown, and answered with what is awaited shortly before the plugin would give up.
        var wincni = new Wincni(_sandbox);
        var add = await wincni.AddAsync("c1", wincni.Config(extra: "\"timeoutSeconds\":2"));
        Assert.That(building.IsCompleted, Is.False, "no pod CIDR yet: nothing may start");
        Assert.That(readyz.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(readyz.Body, Does.Contain("waiting for Node 'node-a' to get spec.podCIDRs"));
        Assert.That(add.ErrorCode, Is.EqualTo(11), add.Message);
        Assert.That(add.Stdout, Does.Contain("spec.podCIDRs").And.Match(@"waited 1\.\d s"), "the daemon's answer, not the plugin's timeout: " + add.Message);

        var node = _api.Store.Get<V1Node>(NodeName)!;
        node.Spec = new V1NodeSpec { PodCIDR = "10.244.9.0/24", PodCIDRs = ["10.244.9.0/24"] };
        _api.Store.Update(node);
        await using var daemon = await StartBuiltAsync(await building, cancellationToken);

        Assert.That(daemon.Services.GetRequiredService<IIpamStore>().GetUsage().Select(u => u.Cidr.ToString()), Is.EqualTo(new[] { "10.244.9.0/24" }));
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task Start_NodeWithoutPodCidrBeyondTheGrace_WarningOnTheNodeThenNormalOnceReady(CancellationToken cancellationToken)
    {
        File.AppendAllText(_sandbox.ConfigFile, "\neventGracePeriodSeconds: 1\n");
        CreateNode(NodeName, null, "192.0.2.7");

        // While wincnid waits for its Node (before its host exists), the missing podCIDR becomes an Event once it lasts.
        var building = DaemonHost.BuildAsync(Settings(), cancellationToken);
        var warning = await WaitForAsync(() => NodeEvents().FirstOrDefault(e => e.Reason == "PodCidrMissing"), cancellationToken);
        Assert.That(building.IsCompleted, Is.False);

        var node = _api.Store.Get<V1Node>(NodeName)!;
        node.Spec = new V1NodeSpec { PodCIDR = "10.244.9.0/24", PodCIDRs = ["10.244.9.0/24"] };
        _api.Store.Update(node);
        await using var daemon = await StartBuiltAsync(await building, cancellationToken);
        var ready = await WaitForAsync(() => NodeEvents().FirstOrDefault(e => e.Reason == "NodeNetworkReady"), cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(warning.Type, Is.EqualTo("Warning"));
            Assert.That((warning.Regarding.Kind, warning.Regarding.Name), Is.EqualTo(("Node", NodeName)));
            Assert.That(warning.Action, Is.EqualTo("EnsureNodeNetwork"));
            Assert.That(warning.ReportingController, Is.EqualTo("wincni.io/wincnid"));
            Assert.That(warning.Note, Does.Contain("waiting for Node 'node-a' to get spec.podCIDRs"));
            Assert.That(ready.Type, Is.EqualTo("Normal"));
            Assert.That(ready.Note, Does.Contain("PodCidrMissing"));
            Assert.That(NodeEvents().Count(e => e.Reason == "PodCidrMissing"), Is.EqualTo(1), "repeats within the recorder's interval are held back");
        });
    }

    private List<Eventsv1Event> NodeEvents() =>
        [.. _api.Store.List<Eventsv1Event>("default").Where(e => e.Regarding?.Kind == "Node" && e.Regarding.Name == NodeName)];

    [Test]
    [CancelAfter(60_000)]
    public async Task Start_ApiServerRefusesConnections_ReadyzAndStatusShowTheLastErrorNot404(CancellationToken cancellationToken)
    {
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        // The stand-in's kubeconfig (no credentials), aimed at a port nobody listens on.
        var unreachable = Path.Combine(_sandbox.Root, "unreachable.kubeconfig");
        File.WriteAllText(unreachable, File.ReadAllText(_kubeconfig).Replace(_api.BaseAddress.ToString().TrimEnd('/'), $"http://127.0.0.1:{port}", StringComparison.Ordinal));
        using var building = new CancellationTokenSource();
        var waiting = DaemonHost.BuildAsync(Settings() with { Kubeconfig = unreachable }, building.Token);
        try
        {
            using var http = new HttpClient();
            var readyz = await WaitForAsync(() => TryGet(http, _sandbox.HealthUri("/readyz")) is { } answer && answer.Body.Contains("last attempt failed", StringComparison.Ordinal) ? answer : null, cancellationToken);
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();
            var exit = await Cni.Daemon.Status.StatusCommand.RunAsync(_sandbox.Socket, null, json: false, stdout, stderr, cancellationToken);

            Assert.Multiple(() =>
            {
                Assert.That(readyz.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
                Assert.That(readyz.Body, Does.Contain("waiting for the first list of Nodes from the API server; the last attempt failed: ").And.Contain("refused").IgnoreCase);
                Assert.That(exit, Is.EqualTo(3), stderr.ToString() + stdout);
                Assert.That(stdout.ToString(), Does.Contain("ready:    NO: waiting for the first list of Nodes").And.Contain("API server: the last request failed:").And.Contain("refused").IgnoreCase);
                Assert.That(stderr.ToString(), Does.Not.Contain("404"));
            });
        }
        finally
        {
            await building.CancelAsync();
            Assert.That(async () => await waiting, Throws.InstanceOf<OperationCanceledException>());
        }
    }

    [Test]
    [CancelAfter(90_000)]
    public async Task PeerNodes_AddedChangedDeleted_RemoteSubnetRoutesFollow(CancellationToken cancellationToken)
    {
        CreateNode(NodeName, "10.244.7.0/24", "192.0.2.7");
        await using var daemon = await StartAsync(cancellationToken);
        var hcn = daemon.Services.GetRequiredService<IHcn>();
        var networkId = daemon.Services.GetRequiredService<PodNetwork>().NetworkId!.Value;

        CreateNode("peer-1", "10.244.8.0/24", "192.0.2.8", new() { [Prefix + "/backend-type"] = "vxlan", [Prefix + "/backend-data"] = """{"VNI":4096,"VtepMAC":"0e:2a:c0:00:02:08"}""", [Prefix + "/public-ip"] = "192.0.2.8" });
        CreateNode("broken", "10.244.5.0/24", "192.0.2.5", new() { [Prefix + "/backend-type"] = "vxlan", [Prefix + "/backend-data"] = "{\"VNI\":", [Prefix + "/public-ip"] = "192.0.2.5" });
        var routes = await WaitForRoutesAsync(hcn, networkId, r => r.Count == 1, cancellationToken);
        Assert.That(routes[0].DestinationPrefix, Is.EqualTo("10.244.8.0/24"));
        Assert.That(routes[0].ProviderAddress, Is.EqualTo("192.0.2.8"));
        Assert.That(routes[0].DistributedRouterMacAddress, Is.EqualTo("0E-2A-C0-00-02-08"));

        // The malformed peer gets no route, and an Event on its Node says which annotation to fix.
        var unusable = await WaitForAsync(() => _api.Store.List<Eventsv1Event>("default").FirstOrDefault(e => e.Reason == "PeerNodeUnusable"), cancellationToken);
        Assert.That((unusable.Regarding.Kind, unusable.Regarding.Name, unusable.Type), Is.EqualTo(("Node", "broken", "Warning")));
        Assert.That(unusable.Note, Does.Contain(Prefix + "/backend-data").And.Contain("node-a"));
        Assert.That(_api.Store.List<Eventsv1Event>("default").Where(e => e.Reason == "PeerNodeUnusable").Select(e => e.Regarding.Name), Has.None.EqualTo("peer-1"));

        var peer = _api.Store.Get<V1Node>("peer-1")!;
        peer.Metadata.Annotations[Prefix + "/public-ip-overwrite"] = "198.51.100.8";
        _api.Store.Update(peer);
        await WaitForRoutesAsync(hcn, networkId, r => r.Count == 1 && r[0].ProviderAddress == "198.51.100.8", cancellationToken);

        _api.Store.Delete<V1Node>("peer-1");
        await WaitForRoutesAsync(hcn, networkId, r => r.Count == 0, cancellationToken);
    }

    [Test]
    [CancelAfter(90_000)]
    public async Task PeerRoute_RemovedOutOfBand_ComesBackOnTheNextResync(CancellationToken cancellationToken)
    {
        CreateNode(NodeName, "10.244.7.0/24", "192.0.2.7");
        CreateNode("peer-1", "10.244.8.0/24", "192.0.2.8", new() { [Prefix + "/backend-type"] = "vxlan", [Prefix + "/backend-data"] = """{"VNI":4096,"VtepMAC":"0e:2a:c0:00:02:08"}""", [Prefix + "/public-ip"] = "192.0.2.8" });
        await using var daemon = await StartAsync(cancellationToken);
        var hcn = daemon.Services.GetRequiredService<IHcn>();
        var networkId = daemon.Services.GetRequiredService<PodNetwork>().NetworkId!.Value;
        await WaitForRoutesAsync(hcn, networkId, r => r.Count == 1, cancellationToken);

        var network = await hcn.GetNetworkAsync(networkId, cancellationToken);
        await hcn.RemoveNetworkPoliciesAsync(networkId, [.. network.Policies!.Where(p => p.Type == NetworkPolicyType.RemoteSubnetRoute)], cancellationToken);

        await WaitForRoutesAsync(hcn, networkId, r => r.Count == 1, cancellationToken, TimeSpan.FromSeconds(30));
    }

    [Test]
    public void Build_KubeconfigMissing_StartupErrorNamesTheFile()
    {
        var missing = Path.Combine(_sandbox.Root, "no-such-kubeconfig");

        var error = Assert.ThrowsAsync<DaemonStartupException>(() => DaemonHost.BuildAsync(Settings() with { Kubeconfig = missing }, CancellationToken.None));

        Assert.That(error!.Message, Does.Contain(missing));
    }

    private RunSettings Settings() => new()
    {
        ConfigFile = _sandbox.ConfigFile,
        Dataplane = DataplaneKind.Memory,
        Kubeconfig = _kubeconfig,
        NodeName = NodeName,
    };

    private async Task<WebApplication> StartAsync(CancellationToken cancellationToken) =>
        await StartBuiltAsync(await DaemonHost.BuildAsync(Settings(), cancellationToken), cancellationToken);

    private static async Task<WebApplication> StartBuiltAsync(WebApplication app, CancellationToken cancellationToken)
    {
        await app.StartAsync(cancellationToken);
        var network = app.Services.GetRequiredService<PodNetwork>();
        await WaitForAsync(() => network.IsReady ? "" : null, cancellationToken);
        return app;
    }

    private static HttpAnswer? TryGet(HttpClient http, Uri uri)
    {
        try
        {
            using var response = http.GetAsync(uri).GetAwaiter().GetResult();
            return new HttpAnswer(response.StatusCode, response.Content.ReadAsStringAsync().GetAwaiter().GetResult());
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private void CreateNode(string name, string? podCidr, string internalIp, Dictionary<string, string>? annotations = null) =>
        StandInNodes.Create(_api.Store, name, podCidr, internalIp, annotations);

    private static async Task<List<RemoteSubnetRoutePolicySetting>> WaitForRoutesAsync(
        IHcn hcn, Guid networkId, Func<List<RemoteSubnetRoutePolicySetting>, bool> condition, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var network = await hcn.GetNetworkAsync(networkId, cancellationToken);
            var routes = (network.Policies ?? []).Select(p => p.GetSettings<RemoteSubnetRoutePolicySetting>()).OfType<RemoteSubnetRoutePolicySetting>().ToList();
            if (condition(routes))
            {
                return routes;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("routes now: " + string.Join("; ", routes.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.DestinationPrefix} via {r.ProviderAddress} {r.DistributedRouterMacAddress}"))));
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    private static async Task<T> WaitForAsync<T>(Func<T?> probe, CancellationToken cancellationToken)
        where T : class
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            if (probe() is { } value)
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("condition not met within 30 s");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    private sealed record HttpAnswer(HttpStatusCode Status, string Body);
}
