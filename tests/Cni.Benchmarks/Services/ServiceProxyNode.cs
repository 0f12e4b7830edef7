using Cni.Hcn;
using Cni.Node.Configuration;
using Cni.Node.Kubernetes.Cache;
using Cni.Node.Kubernetes.Flannel;
using Cni.Node.Services;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cni.Benchmarks.Services;

/// <summary>
/// wincnid's service proxy as the daemon runs it, minus the API server: three ResourceCaches over in-memory
/// list-watch sources holding the workload, and the real <see cref="ServiceProxyController"/> over a
/// <see cref="LoadBalancerReconciler"/> on the given HCN. Disposing stops the controller and the caches (HCN is left as it is).
/// </summary>
internal sealed class ServiceProxyNode : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _caches = [];

    private ServiceProxyNode(ServiceWorkload workload, IHcn hcn, Guid networkId, ServiceProxyOptions options, bool acceptsEmpty)
    {
        Slices = new MemoryListWatchSource<V1EndpointSlice>("endpointslices", workload.Slices);
        var services = new ResourceCache<V1Service>(new MemoryListWatchSource<V1Service>("services", workload.Services), TimeProvider.System, NullLogger.Instance);
        var slices = new ResourceCache<V1EndpointSlice>(Slices, TimeProvider.System, NullLogger.Instance);
        var nodes = new ResourceCache<V1Node>(new MemoryListWatchSource<V1Node>("nodes", workload.Nodes), TimeProvider.System, NullLogger.Instance);
        _caches.Add(services.RunAsync(_stop.Token));
        _caches.Add(slices.RunAsync(_stop.Token));
        _caches.Add(nodes.RunAsync(_stop.Token));
        var reconciler = new LoadBalancerReconciler(
            hcn,
            new LoadBalancerReconcilerOptions { MaxParallelWrites = options.ParallelWritesFor(batchingDataplane: acceptsEmpty), AcceptsLoadBalancersWithoutBackends = acceptsEmpty },
            TimeProvider.System,
            NullLogger<LoadBalancerReconciler>.Instance);
        Controller = new ServiceProxyController(
            services, slices, nodes, workload.Facts, () => networkId, reconciler, new FlannelAnnotations(), options, TimeProvider.System, NullLogger<ServiceProxyController>.Instance);
    }

    /// <summary>The EndpointSlice "API server": <see cref="MemoryListWatchSource{T}.Apply"/> sends a watch event.</summary>
    public MemoryListWatchSource<V1EndpointSlice> Slices { get; }

    public ServiceProxyController Controller { get; }

    public static async Task<ServiceProxyNode> StartAsync(ServiceWorkload workload, IHcn hcn, Guid networkId, ServiceProxyOptions options, bool acceptsEmpty = false)
    {
        var node = new ServiceProxyNode(workload, hcn, networkId, options, acceptsEmpty);
        await node.Controller.StartAsync(CancellationToken.None).ConfigureAwait(false);
        return node;
    }

    /// <summary>Waits (polling every millisecond) until <paramref name="count"/> passes have finished.</summary>
    public async Task WaitForPassesAsync(long count, TimeSpan timeout)
    {
        var deadline = TimeProvider.System.GetTimestamp() + (long)(timeout.TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (Controller.Passes < count)
        {
            if (TimeProvider.System.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"no service pass {count} within {timeout} (have {Controller.Passes})");
            }

            await Task.Delay(1).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Waits until no pass has finished and no HCN call was made for the minimum interval plus 50 ms (twice in a
    /// row), so a change sent next starts a pass of its own at once.
    /// </summary>
    public async Task WaitForQuietAsync(CountingHcn counting, TimeSpan minSyncInterval)
    {
        ArgumentNullException.ThrowIfNull(counting);
        var quiet = 0;
        while (quiet < 2)
        {
            var passes = Controller.Passes;
            var calls = counting.Snapshot().Total;
            await Task.Delay(minSyncInterval + TimeSpan.FromMilliseconds(50)).ConfigureAwait(false);
            quiet = Controller.Passes == passes && counting.Snapshot().Total == calls ? quiet + 1 : 0;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Controller.StopAsync(CancellationToken.None).ConfigureAwait(false);
        Controller.Dispose();
        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_caches).ConfigureAwait(false);
        _stop.Dispose();
    }
}
