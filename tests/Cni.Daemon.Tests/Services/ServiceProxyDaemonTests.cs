using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Cni.Daemon.Hosting;
using Cni.Daemon.Status;
using Cni.Daemon.Tests.EndToEnd;
using Cni.Daemon.Tests.Kubernetes;
using Cni.Hcn;
using Cni.Hcn.Errors;
using Cni.Hcn.Memory;
using Cni.Hcn.Model;
using Cni.Node.Networks;
using Cni.Node.Services;
using Cni.StandInApiServer;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Cni.Daemon.Tests.Services;

/// <summary>
/// The service proxy as wincnid wires it: in process on the memory dataplane against the stand-in API server, from
/// the node config's <c>serviceProxy</c> section to HCN load balancers, the overlay source-VIP endpoint and the
/// health-check node port.
/// </summary>
[NonParallelizable]
public sealed class ServiceProxyDaemonTests
{
    private const string NodeName = "node-a";
    private const string NodeIp = "192.0.2.7";
    private const string PeerIp = "192.0.2.8";
    private const string ClusterIp = "10.96.0.50";

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
        CreateNode(NodeName, "10.244.7.0/24", NodeIp);
        CreateNode("node-b", "10.244.8.0/24", PeerIp, new() { ["flannel.alpha.coreos.com/public-ip"] = PeerIp });
    }

    [TearDown]
    public async Task StopApiServerAsync()
    {
        await _api.DisposeAsync();
        _sandbox.Dispose();
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task Start_ServiceWithLocalAndRemoteEndpoints_LoadBalancerRemoteEndpointAndSourceVipProgrammed(CancellationToken cancellationToken)
    {
        WriteConfig("serviceProxy:\n  minSyncPeriodMilliseconds: 0\n");
        await using var daemon = await StartAsync(cancellationToken);
        var add = await new Wincni(_sandbox).AddAsync("c1");
        Assert.That(add.Succeeded, add.Message);

        CreateService("web", type: "ClusterIP");
        CreateSlice("web", (add.Ip, NodeName), ("10.244.8.5", "node-b"));

        var hcn = daemon.Services.GetRequiredService<IHcn>();
        var lb = await WaitForAsync(async () => (await hcn.EnumerateLoadBalancersAsync(null, cancellationToken)).SingleOrDefault(l => l.FrontendVips?.Contains(ClusterIp) == true), cancellationToken);
        var endpoints = await hcn.EnumerateEndpointsAsync(null, cancellationToken);
        var byId = endpoints.ToDictionary(e => e.Id);
        Assert.That(lb.HostComputeEndpoints!.Select(id => byId[id].IpConfigurations![0].IpAddress), Is.EquivalentTo(new[] { add.Ip, "10.244.8.5" }));
        var remote = endpoints.Single(e => e.IpConfigurations![0].IpAddress == "10.244.8.5");
        Assert.That(remote.Flags, Is.EqualTo(EndpointFlags.RemoteEndpoint));
        Assert.That(LoadBalancerIds.IsOwned(lb.Id), Is.True);

        // Overlay: the source VIP is the pool's last usable address, reserved by IPAM and given an endpoint by wincnid.
        Assert.That(lb.SourceVip, Is.EqualTo("10.244.7.254"));
        var sourceVip = endpoints.Single(e => e.Name == SourceVipEndpoint.Name);
        Assert.That(sourceVip.IpConfigurations![0].IpAddress, Is.EqualTo("10.244.7.254"));
        Assert.That(sourceVip.Id, Is.EqualTo(SourceVipEndpoint.IdOf(IPAddress.Parse("10.244.7.254"))));
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task Status_ServiceProgrammedThenDeletedOutOfBand_ShowsDesiredBesideWhatHcnHoldsNow(CancellationToken cancellationToken)
    {
        WriteConfig("serviceProxy:\n  minSyncPeriodMilliseconds: 0\n  syncPeriodSeconds: 3600\n");
        CreateService("web", type: "ClusterIP");
        CreateSlice("web", ("10.244.8.5", "node-b"));
        CreateService("headless", type: "ClusterIP", headless: true);
        await using var daemon = await StartAsync(cancellationToken);
        var hcn = daemon.Services.GetRequiredService<IHcn>();
        var lb = await WaitForAsync(async () => (await hcn.EnumerateLoadBalancersAsync(null, cancellationToken)).SingleOrDefault(), cancellationToken);

        await hcn.DeleteLoadBalancerAsync(lb.Id, cancellationToken);
        var json = await StatusAsync(json: true, cancellationToken);
        var text = await StatusAsync(json: false, cancellationToken);

        using var document = JsonDocument.Parse(json);
        var proxy = document.RootElement.GetProperty("serviceProxy");
        Assert.That(proxy.GetProperty("synced").GetBoolean(), Is.True);
        Assert.That(proxy.GetProperty("dsr").GetBoolean(), Is.True, "memory HNS 15.4 supports DSR and serviceProxy.dsr is auto");
        var services = proxy.GetProperty("services").EnumerateArray().ToDictionary(s => s.GetProperty("service").GetString()!);
        Assert.That(services["default/headless"].GetProperty("skipped").GetString(), Is.EqualTo("Headless"));
        var web = services["default/web"].GetProperty("loadBalancers")[0];
        Assert.That(web.GetProperty("id").GetString(), Is.EqualTo(lb.Id.ToString("D")));
        Assert.That(web.GetProperty("desiredBackends").GetInt32(), Is.EqualTo(1));
        Assert.That(web.GetProperty("inHcn").GetBoolean(), Is.False, "status reads HCN now; the pass remembered it programmed");
        Assert.That(text, Does.Contain("default/web:").And.Contain("NOT IN HCN").And.Contain("default/headless: no load balancer (Headless)"));
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task Start_LoadBalancerRefusedAgainAfterItsRetry_WarningEventsOnTheServiceAndTheNode(CancellationToken cancellationToken)
    {
        WriteConfig("serviceProxy:\n  minSyncPeriodMilliseconds: 0\n  syncPeriodSeconds: 1\n");
        MemoryHcn? memory = null;
        var app = await DaemonHost.BuildAsync(Settings() with { MemoryDataplaneOpened = h => memory = h }, cancellationToken);
        memory!.FailNext(MemoryHcnOperation.CreateLoadBalancer, 1000, HcnErrorCodes.PortAlreadyExists);
        await using var daemon = await StartBuiltAsync(app, cancellationToken);

        CreateService("web", type: "ClusterIP");
        CreateSlice("web", ("10.244.8.5", "node-b"));

        var onService = await WaitForAsync(() => Task.FromResult(Events().FirstOrDefault(e => e.Regarding.Kind == "Service")), cancellationToken);
        var onNode = await WaitForAsync(() => Task.FromResult(Events().FirstOrDefault(e => e.Regarding.Kind == "Node" && e.Reason == "LoadBalancerFailed")), cancellationToken);
        var info = HcnErrorCatalog.Lookup(HcnErrorCodes.PortAlreadyExists);
        Assert.Multiple(() =>
        {
            Assert.That((onService.Regarding.Name, onService.Regarding.NamespaceProperty, onService.Type, onService.Reason), Is.EqualTo(("web", "default", "Warning", "LoadBalancerFailed")));
            Assert.That(onService.Action, Is.EqualTo("ProgramService"));
            Assert.That(onService.Note, Does.Contain(info.Cause).And.Contain(info.Fix).And.Contain("2 times in a row"));
            Assert.That(onNode.Regarding.Name, Is.EqualTo(NodeName));
            Assert.That(onNode.Note, Does.StartWith("Services default/web: "));
            Assert.That(Events().Count(e => e.Regarding.Kind == "Service"), Is.EqualTo(1), "the later refusals are held back by the recorder");
        });
    }

    private List<Eventsv1Event> Events() => [.. _api.Store.List<Eventsv1Event>("default")];

    [Test]
    [CancelAfter(60_000)]
    public async Task Start_ServiceProxyDisabled_NoControllerAndNoLoadBalancer(CancellationToken cancellationToken)
    {
        WriteConfig("serviceProxy:\n  enabled: false\n");
        CreateService("web", type: "ClusterIP");
        CreateSlice("web", ("10.244.8.5", "node-b"));

        await using var daemon = await StartAsync(cancellationToken);

        Assert.That(daemon.Services.GetService<ServiceProxyController>(), Is.Null);
        Assert.That(await daemon.Services.GetRequiredService<IHcn>().EnumerateLoadBalancersAsync(null, cancellationToken), Is.Empty);
    }

    [Test]
    public void Build_ServiceProxyEnabledWithoutKubernetes_StartupErrorNamesTheKey()
    {
        WriteConfig("serviceProxy:\n  enabled: true\npodCIDRs: [10.244.7.0/24]\n");

        var error = Assert.ThrowsAsync<DaemonStartupException>(() => DaemonHost.BuildAsync(Settings() with { Kubeconfig = null, NodeName = null }, CancellationToken.None));

        Assert.That(error!.Message, Does.Contain("serviceProxy.enabled"));
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task HealthCheckNodePort_LocalEndpointComesAndGoes_Answers200ThenThe503OfKubeProxy(CancellationToken cancellationToken)
    {
        WriteConfig("serviceProxy:\n  minSyncPeriodMilliseconds: 0\n");
        await using var daemon = await StartAsync(cancellationToken);
        var add = await new Wincni(_sandbox).AddAsync("c1");
        Assert.That(add.Succeeded, add.Message);
        var port = FreePort();
        CreateService("lb", type: "LoadBalancer", healthCheckNodePort: port);
        CreateSlice("lb", (add.Ip, NodeName), ("10.244.8.5", "node-b"));
        using var http = new HttpClient();
        var uri = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/healthz"));

        var ok = await WaitForAsync(() => TryGetAsync(http, uri, HttpStatusCode.OK), cancellationToken);
        using (var body = JsonDocument.Parse(ok.Body))
        {
            Assert.That(body.RootElement.GetProperty("service").GetProperty("namespace").GetString(), Is.EqualTo("default"));
            Assert.That(body.RootElement.GetProperty("service").GetProperty("name").GetString(), Is.EqualTo("lb"));
            Assert.That(body.RootElement.GetProperty("localEndpoints").GetInt32(), Is.EqualTo(1));
        }

        Assert.That(ok.Weight, Is.EqualTo("1"));

        var slice = _api.Store.Get<V1EndpointSlice>("lb-slice", "default")!;
        slice.Endpoints = [.. slice.Endpoints.Where(e => e.NodeName != NodeName)];
        _api.Store.Update(slice);
        var unavailable = await WaitForAsync(() => TryGetAsync(http, uri, HttpStatusCode.ServiceUnavailable), cancellationToken);
        using (var body = JsonDocument.Parse(unavailable.Body))
        {
            Assert.That(body.RootElement.GetProperty("localEndpoints").GetInt32(), Is.Zero);
        }

        _api.Store.Delete<V1Service>("lb", "default");
        await WaitForAsync(async () => await TryGetAsync(http, uri, null) is null ? "closed" : null, cancellationToken);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<HttpAnswer?> TryGetAsync(HttpClient http, Uri uri, HttpStatusCode? expected)
    {
        try
        {
            using var response = await http.GetAsync(uri);
            var answer = new HttpAnswer(
                response.StatusCode,
                await response.Content.ReadAsStringAsync(),
                response.Headers.TryGetValues("X-Load-Balancing-Endpoint-Weight", out var weight) ? weight.Single() : null);
            return expected is null || answer.Status == expected ? answer : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private void WriteConfig(string extra) => File.WriteAllText(_sandbox.ConfigFile, $"""
        mode: overlay
        networkName: {Sandbox.NetworkName}
        clusterCIDRs: [10.244.0.0/16]
        serviceCIDRs: [10.96.0.0/12]
        stateDir: {_sandbox.StateDir}
        socket: {_sandbox.Socket}
        healthAddress: {_sandbox.HealthAddress}
        log:
          level: warning

        """ + extra);

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
        await WaitForAsync(() => Task.FromResult(network.IsReady ? "" : null), cancellationToken);
        return app;
    }

    private void CreateNode(string name, string? podCidr, string internalIp, Dictionary<string, string>? annotations = null) =>
        StandInNodes.Create(_api.Store, name, podCidr, internalIp, annotations);

    private async Task<string> StatusAsync(bool json, CancellationToken cancellationToken)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await StatusCommand.RunAsync(_sandbox.Socket, null, json, stdout, stderr, cancellationToken);
        Assert.That(exit, Is.Zero, stderr.ToString());
        return stdout.ToString();
    }

    private void CreateService(string name, string type, int? healthCheckNodePort = null, bool headless = false) => _api.Store.Create(new V1Service
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
        Spec = new V1ServiceSpec
        {
            Type = type,
            ClusterIP = headless ? "None" : type == "ClusterIP" ? ClusterIp : null,
            Selector = new Dictionary<string, string> { ["app"] = name },
            Ports = [new V1ServicePort { Name = "http", Port = 80, TargetPort = 8080, Protocol = "TCP" }],
            ExternalTrafficPolicy = type == "LoadBalancer" ? "Local" : null,
            HealthCheckNodePort = healthCheckNodePort,
        },
    });

    private void CreateSlice(string service, params (string Ip, string Node)[] endpoints) => _api.Store.Create(new V1EndpointSlice
    {
        ApiVersion = "discovery.k8s.io/v1",
        Kind = "EndpointSlice",
        Metadata = new V1ObjectMeta
        {
            Name = service + "-slice",
            NamespaceProperty = "default",
            Labels = new Dictionary<string, string> { [ServiceProxyController.ServiceNameLabel] = service },
        },
        AddressType = "IPv4",
        Ports = [new Discoveryv1EndpointPort { Name = "http", Port = 8080, Protocol = "TCP" }],
        Endpoints = [.. endpoints.Select(e => new V1Endpoint
        {
            Addresses = [e.Ip],
            NodeName = e.Node,
            Conditions = new V1EndpointConditions { Ready = true, Serving = true, Terminating = false },
        })],
    });

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, CancellationToken cancellationToken)
        where T : class
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            if (await probe() is { } value)
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

    private sealed record HttpAnswer(HttpStatusCode Status, string Body, string? Weight);
}
