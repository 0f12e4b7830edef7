using System.Globalization;
using System.Text.Json;
using Cni.E2E.Harness;
using Cni.LocalCluster;

namespace Cni.E2E;

/// <summary>
/// The service proxy with real packets (issue 12): Services and EndpointSlices in the stand-in API server, wincnid
/// on two kernel-dataplane nodes programming them, traffic from pods and from a machine on the underlay to backends
/// that say who answered and which client address they saw. One cluster per network mode, shared by the tests; each
/// test removes its pods and Services.
/// </summary>
[TestFixture("overlay")]
[TestFixture("l2bridge")]
[Category("Kernel")]
[NonParallelizable]
public sealed class ServiceProxyTests(string mode)
{
    private static readonly TimeSpan Answer = TimeSpan.FromSeconds(2);
    private ServiceCluster? _cluster;

    private ServiceCluster Cluster => _cluster ?? throw new InvalidOperationException("no cluster");

    [OneTimeSetUp]
    public async Task StartClusterAsync()
    {
        E2EGuard.Require();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        _cluster = await ServiceCluster.StartAsync(new LocalClusterOptions { Mode = mode }, timeout.Token);
    }

    [OneTimeTearDown]
    public async Task StopClusterAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    [SetUp]
    public void RequireKernel() => E2EGuard.Require();

    [TearDown]
    public async Task RemoveTestObjectsAsync()
    {
        if (_cluster is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            await _cluster.ResetAsync(timeout.Token);
        }
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task ClusterIp_FourBackendsOnTwoNodes_FortyConnectionsFromEachNodeReachEveryBackend(CancellationToken cancellationToken)
    {
        var app = Cluster.NewName("spread");
        foreach (var node in new[] { Cluster.N1, Cluster.N2, Cluster.N1, Cluster.N2 })
        {
            await Cluster.AddBackendAsync(node, app, cancellationToken);
        }

        var service = await Cluster.ApplyServiceAsync(ServiceCluster.ServiceYaml(app, app), cancellationToken);

        // 40 connections from a pod on each node: each node's proxy spreads over the backends of both.
        foreach (var node in Cluster.Nodes)
        {
            var client = await Cluster.AddClientAsync(node, cancellationToken);
            await ServiceCluster.WaitForProgrammedAsync(node, app, clusterIpBackends: 4, cancellationToken);
            var replies = new List<Reply>();
            for (var i = 0; i < 40; i++)
            {
                replies.Add(await NetnsClient.HelloAsync(client.Netns, service.Spec.ClusterIP, 80, Answer, cancellationToken));
            }

            var counts = Cluster.Backends.ToDictionary(b => b.Name, b => replies.Count(r => r.Backend == b.Name));
            TestContext.Progress.WriteLine($"[{mode}] 40 connections to ClusterIP {service.Spec.ClusterIP} from {node.NodeName}: " +
                string.Join(", ", Cluster.Backends.Select(b => $"{b.Name}={counts[b.Name]}")) + $"; failed {replies.Count(r => !r.Succeeded)}");
            Assert.That(replies.Where(r => !r.Succeeded), Is.Empty, Cluster.Logs());
            Assert.That(counts.Values, Has.All.GreaterThan(0), $"from {node.NodeName}, every backend, on either node, answers at least once");

            // Overlay: the node also holds the cluster IP's VIP endpoint (winkernel's), and the connections above to that VIP still
            // reached the backends; l2bridge has none.
            using var status = await node.StatusAsync(cancellationToken);
            var vipEndpoints = status.RootElement.GetProperty("endpoints").EnumerateArray()
                .Select(e => e.GetProperty("name").GetString())
                .Where(n => n?.StartsWith("wincni-svc-vip-", StringComparison.Ordinal) == true)
                .ToList();
            Assert.That(vipEndpoints, mode == "overlay" ? Does.Contain("wincni-svc-vip-" + service.Spec.ClusterIP) : Is.Empty, Cluster.Logs());
        }
    }

    [Test]
    [CancelAfter(120_000)]
    [Description("Kubernetes' network model: pods reach pods on other nodes without NAT. With DSR (serviceProxy.dsr auto resolves on with " +
        "KernelHcn), a pod's connection through a ClusterIP reaches a remote backend from the pod's address too. Fails while KernelHcn renders " +
        "the loopback-DSR OutBoundNAT policy (Destinations = [pod IP]) as a masquerade towards everything outside the node's pod subnet.")]
    public async Task PodToPodOnOtherNode_DirectAndThroughClusterIp_BackendSeesThePodAddress(CancellationToken cancellationToken)
    {
        var app = Cluster.NewName("nonat");
        var remote = await Cluster.AddBackendAsync(Cluster.N2, app, cancellationToken);
        var client = await Cluster.AddClientAsync(Cluster.N1, cancellationToken);
        var service = await Cluster.ApplyServiceAsync(ServiceCluster.ServiceYaml(app, app), cancellationToken);
        await ServiceCluster.WaitForProgrammedAsync(Cluster.N1, app, clusterIpBackends: 1, cancellationToken);
        bool dsr;
        using (var status = await Cluster.N1.StatusAsync(cancellationToken))
        {
            dsr = status.RootElement.GetProperty("serviceProxy").GetProperty("dsr").GetBoolean();
        }

        var direct = await NetnsClient.HelloAsync(client.Netns, remote.Pod.Address!, ServiceCluster.BackendPort, Answer, cancellationToken);
        var viaService = await NetnsClient.HelloAsync(client.Netns, service.Spec.ClusterIP, 80, Answer, cancellationToken);

        TestContext.Progress.WriteLine($"[{mode}] {client.Name} ({client.Address}, node-1) → {remote.Name} ({remote.Pod.Address}, node-2): direct {direct}; " +
            $"through {service.Spec.ClusterIP} (dsr {dsr}): {viaService}");
        Assert.That(direct.Succeeded && viaService.Succeeded, Is.True, $"{direct}; {viaService}" + Cluster.Logs());
        Assert.Multiple(() =>
        {
            Assert.That(direct.SeenSource, Is.EqualTo(client.Address), "pod to pod across nodes: no NAT");
            if (dsr)
            {
                Assert.That(viaService.SeenSource, Is.EqualTo(client.Address), "DSR: the backend sees the client pod's address");
            }
        });
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task ClusterIp_NoEndpointsThenOne_RefusedAtOnceThenServed(CancellationToken cancellationToken)
    {
        var app = Cluster.NewName("empty");
        var client = await Cluster.AddClientAsync(Cluster.N1, cancellationToken);
        var service = await Cluster.ApplyServiceAsync(ServiceCluster.ServiceYaml(app, app), cancellationToken);
        var entry = await WaitForAsync(() => ServiceCluster.ServiceStatusAsync(Cluster.N1, app, cancellationToken), cancellationToken);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var refused = await NetnsClient.HelloAsync(client.Netns, service.Spec.ClusterIP, 80, Answer, cancellationToken);
        var refusedAfter = clock.Elapsed;
        var backend = await Cluster.AddBackendAsync(Cluster.N2, app, cancellationToken);
        await ServiceCluster.WaitForProgrammedAsync(Cluster.N1, app, clusterIpBackends: 1, cancellationToken);
        var served = await NetnsClient.HelloAsync(client.Netns, service.Spec.ClusterIP, 80, Answer, cancellationToken);

        TestContext.Progress.WriteLine($"[{mode}] Service without endpoints: {refused} after {refusedAfter.TotalMilliseconds:0} ms; with one: {served}");
        Assert.That(entry.GetProperty("loadBalancers")[0].GetProperty("verdict").GetString(), Is.EqualTo("reject"), entry.ToString());
        Assert.That(refused.Error, Is.EqualTo(nameof(System.Net.Sockets.SocketError.ConnectionRefused)), "kube-proxy's behaviour: a reset, not a timeout");
        Assert.That(served.Backend, Is.EqualTo(backend.Name), Cluster.Logs());
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task ClusterIp_OnlyBackendIsTheClient_PodReachesItselfThroughTheService(CancellationToken cancellationToken)
    {
        var app = Cluster.NewName("hairpin");
        var self = await Cluster.AddBackendAsync(Cluster.N1, app, cancellationToken);
        var service = await Cluster.ApplyServiceAsync(ServiceCluster.ServiceYaml(app, app), cancellationToken);
        await ServiceCluster.WaitForProgrammedAsync(Cluster.N1, app, clusterIpBackends: 1, cancellationToken);

        var replies = new List<Reply>();
        for (var i = 0; i < 4; i++)
        {
            replies.Add(await NetnsClient.HelloAsync(self.Pod.Netns, service.Spec.ClusterIP, 80, Answer, cancellationToken));
        }

        TestContext.Progress.WriteLine($"[{mode}] hairpin {self.Name} → {service.Spec.ClusterIP}:80 → itself: {string.Join("; ", replies)}");
        Assert.That(replies.Select(r => r.Backend), Has.All.EqualTo(self.Name), string.Join("; ", replies) + Cluster.Logs());
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task NodePort_FromUnderlayHostToEachNode_ReachesBackendsOnBothNodes(CancellationToken cancellationToken)
    {
        var app = Cluster.NewName("nodeport");
        await Cluster.AddBackendAsync(Cluster.N1, app, cancellationToken);
        await Cluster.AddBackendAsync(Cluster.N2, app, cancellationToken);
        var host = await Cluster.Cluster.AddUnderlayHostAsync(cancellationToken);
        var service = await Cluster.ApplyServiceAsync(ServiceCluster.ServiceYaml(app, app, type: "NodePort"), cancellationToken);
        var nodePort = service.Spec.Ports[0].NodePort ?? throw new AssertionException("no nodePort allocated");
        foreach (var node in Cluster.Nodes)
        {
            await ServiceCluster.WaitForProgrammedAsync(node, app, clusterIpBackends: 2, cancellationToken);
        }

        foreach (var node in Cluster.Nodes)
        {
            var replies = new List<Reply>();
            for (var i = 0; i < 20; i++)
            {
                replies.Add(await NetnsClient.HelloAsync(host.Netns, node.Address, nodePort, Answer, cancellationToken));
            }

            TestContext.Progress.WriteLine($"[{mode}] underlay {host.Address} → {node.NodeName} {node.Address}:{nodePort}: " +
                string.Join(", ", replies.GroupBy(r => r.Backend ?? r.Error).Select(g => $"{g.Key}={g.Count()}")) + $"; backends saw {string.Join(", ", replies.Select(r => r.SeenSource).Distinct())}");
            Assert.That(replies.Where(r => !r.Succeeded), Is.Empty, $"NodePort on {node.NodeName}" + Cluster.Logs());
            Assert.That(replies.Select(r => r.Backend).Distinct().Count(), Is.EqualTo(2), $"externalTrafficPolicy Cluster: {node.NodeName} forwards to both nodes' backends");
        }
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task ClusterIp_UdpService_EveryDatagramAnsweredByBackendsOnBothNodes(CancellationToken cancellationToken)
    {
        var app = Cluster.NewName("udp");
        await Cluster.AddBackendAsync(Cluster.N1, app, cancellationToken);
        await Cluster.AddBackendAsync(Cluster.N2, app, cancellationToken);
        var client = await Cluster.AddClientAsync(Cluster.N1, cancellationToken);
        var service = await Cluster.ApplyServiceAsync(ServiceCluster.ServiceYaml(app, app, protocol: "UDP"), cancellationToken);
        await ServiceCluster.WaitForProgrammedAsync(Cluster.N1, app, clusterIpBackends: 2, cancellationToken);

        var replies = new List<Reply>();
        for (var i = 0; i < 20; i++)
        {
            replies.Add(await NetnsClient.UdpHelloAsync(client.Netns, service.Spec.ClusterIP, 80, Answer, cancellationToken));
        }

        TestContext.Progress.WriteLine($"[{mode}] 20 UDP requests to {service.Spec.ClusterIP}:80: " +
            string.Join(", ", replies.GroupBy(r => r.Backend ?? r.Error).Select(g => $"{g.Key}={g.Count()}")));
        Assert.That(replies.Where(r => !r.Succeeded), Is.Empty, Cluster.Logs());
        Assert.That(replies.Select(r => r.Backend).Distinct().Count(), Is.EqualTo(2), "new flows (new source ports) spread over both backends");
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task ClusterIp_SessionAffinityClientIp_TwentyConnectionsFromOnePodHitOneBackend(CancellationToken cancellationToken)
    {
        var app = Cluster.NewName("sticky");
        foreach (var node in new[] { Cluster.N1, Cluster.N2, Cluster.N2 })
        {
            await Cluster.AddBackendAsync(node, app, cancellationToken);
        }

        var client = await Cluster.AddClientAsync(Cluster.N1, cancellationToken);
        var other = await Cluster.AddClientAsync(Cluster.N1, cancellationToken);
        var service = await Cluster.ApplyServiceAsync(ServiceCluster.ServiceYaml(app, app, extraSpec: "  sessionAffinity: ClientIP"), cancellationToken);
        Assert.That(service.Spec.SessionAffinity, Is.EqualTo("ClientIP"));
        await ServiceCluster.WaitForProgrammedAsync(Cluster.N1, app, clusterIpBackends: 3, cancellationToken);

        var replies = new List<Reply>();
        var others = new List<Reply>();
        for (var i = 0; i < 20; i++)
        {
            replies.Add(await NetnsClient.HelloAsync(client.Netns, service.Spec.ClusterIP, 80, Answer, cancellationToken));
            others.Add(await NetnsClient.HelloAsync(other.Netns, service.Spec.ClusterIP, 80, Answer, cancellationToken));
        }

        TestContext.Progress.WriteLine($"[{mode}] sessionAffinity ClientIP, 20 connections each: {client.Name} → " +
            string.Join(", ", replies.GroupBy(r => r.Backend ?? r.Error).Select(g => $"{g.Key}={g.Count()}")) + $"; {other.Name} → " +
            string.Join(", ", others.GroupBy(r => r.Backend ?? r.Error).Select(g => $"{g.Key}={g.Count()}")));
        Assert.That(replies.Concat(others).Where(r => !r.Succeeded), Is.Empty, Cluster.Logs());
        Assert.That(replies.Select(r => r.Backend).Distinct().Count(), Is.EqualTo(1), "one client address sticks to one backend");
        Assert.That(others.Select(r => r.Backend).Distinct().Count(), Is.EqualTo(1), "so does the other client");
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task ExternalTrafficPolicyLocal_NodePortFromUnderlay_KeepsClientAddressAndHealthCheckAnswersPerNode(CancellationToken cancellationToken)
    {
        const int healthCheckNodePort = 32601;
        var app = Cluster.NewName("etp-local");
        var backend = await Cluster.AddBackendAsync(Cluster.N1, app, cancellationToken);
        var host = await Cluster.Cluster.AddUnderlayHostAsync(cancellationToken);
        var service = await Cluster.ApplyServiceAsync(
            ServiceCluster.ServiceYaml(app, app, type: "LoadBalancer", extraSpec: $"  externalTrafficPolicy: Local\n  healthCheckNodePort: {healthCheckNodePort}"),
            cancellationToken);
        Assert.That(service.Spec.HealthCheckNodePort, Is.EqualTo(healthCheckNodePort), "the API server kept the health-check port");
        var nodePort = service.Spec.Ports[0].NodePort ?? throw new AssertionException("no nodePort allocated");
        foreach (var node in Cluster.Nodes)
        {
            await ServiceCluster.WaitForProgrammedAsync(node, app, clusterIpBackends: 1, cancellationToken);
        }

        var replies = new List<Reply>();
        for (var i = 0; i < 5; i++)
        {
            replies.Add(await NetnsClient.HelloAsync(host.Netns, Cluster.N1.Address, nodePort, Answer, cancellationToken));
        }

        var withLocal = await WaitForHealthAsync(host, Cluster.N1, healthCheckNodePort, 200, cancellationToken);
        var withoutLocal = await WaitForHealthAsync(host, Cluster.N2, healthCheckNodePort, 503, cancellationToken);
        var remote = await NetnsClient.HelloAsync(host.Netns, Cluster.N2.Address, nodePort, TimeSpan.FromSeconds(1), cancellationToken);
        await Cluster.DeleteServiceAsync(app, cancellationToken);
        var closed = await WaitForHealthAsync(host, Cluster.N1, healthCheckNodePort, 0, cancellationToken);

        TestContext.Progress.WriteLine($"[{mode}] externalTrafficPolicy Local: {host.Address} → {Cluster.N1.Address}:{nodePort}: {string.Join("; ", replies.Distinct())}; " +
            $"health {healthCheckNodePort}: {Cluster.N1.NodeName} {withLocal.Status} {withLocal.Body.Trim()}, {Cluster.N2.NodeName} {withoutLocal.Status}; " +
            $"NodePort on {Cluster.N2.NodeName} (no local endpoint): {remote}");
        Assert.That(replies.Select(r => r.Backend), Has.All.EqualTo(backend.Name), string.Join("; ", replies) + Cluster.Logs());
        Assert.That(replies.Select(r => r.SeenSource), Has.All.EqualTo(host.Address), "the backend sees the client's own address");
        Assert.That(withLocal.Status, Is.EqualTo(200));
        Assert.That(withLocal.Body, Does.Contain("\"localEndpoints\":1"));
        Assert.That(withoutLocal.Status, Is.EqualTo(503));
        Assert.That(remote.Succeeded, Is.False, "a node without a local endpoint does not forward (externalTrafficPolicy Local)");
        Assert.That(closed.Status, Is.Zero, $"the health-check node port closes with its Service: {closed.Body}");
    }

    private static async Task<JsonElement> WaitForAsync(Func<Task<JsonElement?>> probe, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            await Task.Delay(50, cancellationToken);
        }

        throw new AssertionException("no status entry within 10 s");
    }

    /// <summary>Polls the health-check node port until it answers <paramref name="expected"/> (0: refuses the connection; the
    /// port opens and closes after a pass) or 10 s pass.</summary>
    private static async Task<(int Status, string Body)> WaitForHealthAsync(UnderlayHost host, ClusterNode node, int port, int expected, CancellationToken cancellationToken)
    {
        var uri = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://{node.Address}:{port}/healthz"));
        (int Status, string Body) last = default;
        for (var attempt = 0; attempt < 50; attempt++)
        {
            last = await NetnsClient.HttpGetAsync(host.Netns, uri, cancellationToken, TimeSpan.FromSeconds(2));
            if (last.Status == expected)
            {
                return last;
            }

            await Task.Delay(200, cancellationToken);
        }

        return last;
    }
}
