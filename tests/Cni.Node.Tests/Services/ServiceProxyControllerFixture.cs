using Cni.Node.Kubernetes.Cache;
using Cni.Node.Kubernetes.Flannel;
using Cni.Node.Configuration;
using Cni.Node.Services;
using Cni.Node.Tests.Kubernetes;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cni.Node.Tests.Services;

/// <summary>
/// A <see cref="ServiceProxyController"/> over three scripted caches and <see cref="ServiceProxyHarness"/>'s
/// MemoryHcn: this node <c>self</c> in zone z1 and peer <c>n2</c> whose flannel public-ip is the harness's
/// provider address. Time is the harness's fake clock, so passes after the first wait for <see cref="Advance"/>.
/// </summary>
internal sealed class ServiceProxyControllerFixture : IAsyncDisposable
{
    public static readonly TimeSpan MinSyncInterval = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _caches = [];
    private readonly Func<ServiceProxyController> _newController;

    private ServiceProxyControllerFixture(
        ServiceProxyHarness harness, ServiceProxyOptions options, bool holdNodes, string peerPublicIp, V1Service[] services, V1EndpointSlice[] slices, ServiceProxyMetrics? metrics,
        IServiceProxyFailureReporter? failureReporter)
    {
        Harness = harness;
        Services = new ScriptedListWatchSource<V1Service>("services", false, services);
        Slices = new ScriptedListWatchSource<V1EndpointSlice>("endpointslices", false, slices);
        Nodes = new ScriptedListWatchSource<V1Node>("nodes", holdNodes, SelfNode(), PeerNode(peerPublicIp));
        var cacheOptions = new ResourceCacheOptions { IdleTimeout = TimeSpan.FromDays(1) };
        var serviceCache = new ResourceCache<V1Service>(Services, harness.Time, NullLogger.Instance, cacheOptions);
        var sliceCache = new ResourceCache<V1EndpointSlice>(Slices, harness.Time, NullLogger.Instance, cacheOptions);
        var nodeCache = new ResourceCache<V1Node>(Nodes, harness.Time, NullLogger.Instance, cacheOptions);
        _caches.Add(serviceCache.RunAsync(_stop.Token));
        _caches.Add(sliceCache.RunAsync(_stop.Token));
        _caches.Add(nodeCache.RunAsync(_stop.Token));
        _newController = () => new ServiceProxyController(
            serviceCache,
            sliceCache,
            nodeCache,
            NodeFactsBuilder.Overlay().Build(),
            () => harness.NetworkId,
            harness.Reconciler,
            new FlannelAnnotations(),
            options,
            harness.Time,
            NullLogger<ServiceProxyController>.Instance,
            metrics,
            failureReporter: failureReporter);
        Controller = _newController();
    }

    public ServiceProxyHarness Harness { get; }

    public ScriptedListWatchSource<V1Service> Services { get; }

    public ScriptedListWatchSource<V1EndpointSlice> Slices { get; }

    public ScriptedListWatchSource<V1Node> Nodes { get; }

    public ServiceProxyController Controller { get; private set; }

    public Guid LocalPodA { get; private set; }

    public Guid LocalPodB { get; private set; }

    /// <summary>Starts the controller; the Node list is held back when <paramref name="holdNodes"/> (the Node cache stays unsynced).</summary>
    public static async Task<ServiceProxyControllerFixture> StartAsync(
        V1Service[] services,
        V1EndpointSlice[] slices,
        TimeSpan? resyncPeriod = null,
        bool holdNodes = false,
        string peerPublicIp = ServiceProxyHarness.PeerProviderAddress,
        bool enabled = true,
        ServiceProxyMetrics? metrics = null,
        IServiceProxyFailureReporter? failureReporter = null)
    {
        var harness = await ServiceProxyHarness.CreateAsync();
        var podA = await harness.AddPodAsync(ServiceProxyHarness.LocalPodA);
        var podB = await harness.AddPodAsync(ServiceProxyHarness.LocalPodB);
        var options = new ServiceProxyOptions { Enabled = enabled, MinSyncInterval = MinSyncInterval, ResyncPeriod = resyncPeriod ?? TimeSpan.FromDays(1) };
        var fixture = new ServiceProxyControllerFixture(harness, options, holdNodes, peerPublicIp, services, slices, metrics, failureReporter) { LocalPodA = podA, LocalPodB = podB };
        await fixture.Controller.StartAsync(CancellationToken.None);
        return fixture;
    }

    public static V1Node SelfNode(string zone = "z1")
    {
        var node = KubernetesTestObjects.NodeObject(NodeFactsBuilder.Self, "1", "10.244.1.0/24");
        node.Metadata.Labels = new Dictionary<string, string> { [ServiceProxyController.ZoneLabel] = zone };
        return node;
    }

    public static V1Node PeerNode(string publicIp) => KubernetesTestObjects.NodeObject(
        ServiceProxyHarness.PeerNode, "1", "10.244.2.0/24", new Dictionary<string, string> { [new FlannelAnnotations().PublicIp] = publicIp });

    /// <summary>Moves the fake clock past the minimum interval, so a requested pass may start.</summary>
    public void Advance(TimeSpan? by = null) => Harness.Time.Advance(by ?? MinSyncInterval);

    public Task WaitForPassesAsync(long count) =>
        KubernetesTestObjects.WaitUntilAsync(() => Controller.Passes >= count, $"{count} service passes (have {Controller.Passes})");

    /// <summary>Lets the pass the last change requested run, and waits for it to finish.</summary>
    public async Task NextPassAsync()
    {
        var next = Controller.Passes + 1;
        Advance();
        await WaitForPassesAsync(next);
    }

    /// <summary>A wincnid restart: the controller stops, and a new one with a new engine starts over the same caches and HCN.</summary>
    public async Task RestartControllerAsync()
    {
        await Controller.StopAsync(CancellationToken.None);
        Controller.Dispose();
        Harness.Restart();
        Controller = _newController();
        await Controller.StartAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await Controller.StopAsync(CancellationToken.None);
        Controller.Dispose();
        await _stop.CancelAsync();
        await Task.WhenAll(_caches);
        _stop.Dispose();
    }
}
