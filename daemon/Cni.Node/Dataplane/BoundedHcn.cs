using Cni.Hcn;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Requests;
using Cni.Hcn.Versioning;

namespace Cni.Node.Dataplane;

/// <summary>
/// An <see cref="IHcn"/> that lets at most N calls into the inner one at a time. HNS serializes much of its work
/// internally and slows down sharply when flooded (peers.md §5.6, §7.8); bounding the calls keeps a burst of 200
/// pod ADDs from turning into 800 concurrent HNS calls, without a global lock: waiting is per call, not per pod.
/// The attach/policy helpers of <see cref="IHcn"/> go through the Modify calls below, so they are bounded too.
/// </summary>
public sealed class BoundedHcn : IHcn, IDisposable
{
    /// <summary>The default bound: enough to overlap HNS latency, few enough not to thrash it.</summary>
    public const int DefaultMaxConcurrentCalls = 16;

    private readonly IHcn _inner;
    private readonly SemaphoreSlim _slots;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    /// <param name="inner">The real HCN.</param>
    /// <param name="maxConcurrentCalls">How many calls may run at once (≥ 1).</param>
    public BoundedHcn(IHcn inner, int maxConcurrentCalls = DefaultMaxConcurrentCalls)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrentCalls, 1);
        _inner = inner;
        MaxConcurrentCalls = maxConcurrentCalls;
        _slots = new SemaphoreSlim(maxConcurrentCalls, maxConcurrentCalls);
    }

    /// <summary>The bound.</summary>
    public int MaxConcurrentCalls { get; }

    /// <summary>Calls running right now (for metrics).</summary>
    public int CallsInFlight => MaxConcurrentCalls - _slots.CurrentCount;

    /// <inheritdoc/>
    public Task<HostComputeNetwork> CreateNetworkAsync(HostComputeNetwork network, CancellationToken cancellationToken) =>
        RunAsync(ct => _inner.CreateNetworkAsync(network, ct), cancellationToken);

    /// <inheritdoc/>
    public Task<HostComputeNetwork> GetNetworkAsync(Guid networkId, CancellationToken cancellationToken) =>
        RunAsync(ct => _inner.GetNetworkAsync(networkId, ct), cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<HostComputeNetwork>> EnumerateNetworksAsync(HostComputeQuery? query, CancellationToken cancellationToken) =>
        RunAsync(ct => _inner.EnumerateNetworksAsync(query, ct), cancellationToken);

    /// <inheritdoc/>
    public Task<HostComputeNetwork> ModifyNetworkAsync(Guid networkId, ModifyNetworkSettingRequest request, CancellationToken cancellationToken) =>
        RunAsync(ct => _inner.ModifyNetworkAsync(networkId, request, ct), cancellationToken);

    /// <inheritdoc/>
    public Task DeleteNetworkAsync(Guid networkId, CancellationToken cancellationToken) =>
        RunAsync(ct => _inner.DeleteNetworkAsync(networkId, ct), cancellationToken);

    /// <inheritdoc/>
    public Task<HostComputeEndpoint> CreateEndpointAsync(Guid networkId, HostComputeEndpoint endpoint, CancellationToken cancellationToken) =>
        RunAsync(ct => _inner.CreateEndpointAsync(networkId, endpoint, ct), cancellationToken);

    /// <inheritdoc/>
    public Task<HostComputeEndpoint> GetEndpointAsync(Guid endpointId, CancellationToken cancellationToken) =>
        RunAsync(ct => _inner.GetEndpointAsync(endpointId, ct), cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<HostComputeEndpoint>> EnumerateEndpointsAsync(HostComputeQuery? query, CancellationToken cancellationToken) =>
        RunAsync(ct => _inner.EnumerateEndpointsAsync(query, ct), cancellationToken);

    /// <inheritdoc/>
    public Task<HostComputeEndpoint> ModifyEndpointAsync(Guid endpointId, ModifyEndpointSettingRequest request, CancellationToken cancellationToken) =>
        RunAsync(ct => _inner.ModifyEndpointAsync(endpointId, request, ct), cancellationToken);

    /// <inheritdoc/>
    public Task DeleteEndpointAsync(Guid endpointId, CancellationToken cancellationToken) =>
        RunAsync(ct => _inner.DeleteEndpointAsync(endpointId, ct), cancellationToken);

    /// <inheritdoc/>
    public Task<HostComputeNamespace> CreateNamespaceAsync(HostComputeNamespace hostComputeNamespace, CancellationToken cancellationToken) =>
        RunAsync(ct => _inner.CreateNamespaceAsync(hostComputeNamespace, ct), cancellationToken);

    /// <inheritdoc/>
    public Task<HostComputeNamespace> GetNamespaceAsync(Guid namespaceId, CancellationToken cancellationToken) =>
        RunAsync(ct => _inner.GetNamespaceAsync(namespaceId, ct), cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<HostComputeNamespace>> EnumerateNamespacesAsync(HostComputeQuery? query, CancellationToken cancellationToken) =>
        RunAsync(ct => _inner.EnumerateNamespacesAsync(query, ct), cancellationToken);

    /// <inheritdoc/>
    public Task<HostComputeNamespace> ModifyNamespaceAsync(Guid namespaceId, ModifyNamespaceSettingRequest request, CancellationToken cancellationToken) =>
        RunAsync(ct => _inner.ModifyNamespaceAsync(namespaceId, request, ct), cancellationToken);

    /// <inheritdoc/>
    public Task DeleteNamespaceAsync(Guid namespaceId, CancellationToken cancellationToken) =>
        RunAsync(ct => _inner.DeleteNamespaceAsync(namespaceId, ct), cancellationToken);

    /// <inheritdoc/>
    public Task<HostComputeLoadBalancer> CreateLoadBalancerAsync(HostComputeLoadBalancer loadBalancer, CancellationToken cancellationToken) =>
        RunAsync(ct => _inner.CreateLoadBalancerAsync(loadBalancer, ct), cancellationToken);

    /// <inheritdoc/>
    public Task<HostComputeLoadBalancer> GetLoadBalancerAsync(Guid loadBalancerId, CancellationToken cancellationToken) =>
        RunAsync(ct => _inner.GetLoadBalancerAsync(loadBalancerId, ct), cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<HostComputeLoadBalancer>> EnumerateLoadBalancersAsync(HostComputeQuery? query, CancellationToken cancellationToken) =>
        RunAsync(ct => _inner.EnumerateLoadBalancersAsync(query, ct), cancellationToken);

    /// <inheritdoc/>
    public Task<HostComputeLoadBalancer> ModifyLoadBalancerAsync(Guid loadBalancerId, HostComputeLoadBalancer loadBalancer, CancellationToken cancellationToken) =>
        RunAsync(ct => _inner.ModifyLoadBalancerAsync(loadBalancerId, loadBalancer, ct), cancellationToken);

    /// <inheritdoc/>
    public Task DeleteLoadBalancerAsync(Guid loadBalancerId, CancellationToken cancellationToken) =>
        RunAsync(ct => _inner.DeleteLoadBalancerAsync(loadBalancerId, ct), cancellationToken);

    /// <inheritdoc/>
    public Task<HostComputeRoute> CreateSdnRouteAsync(HostComputeRoute route, CancellationToken cancellationToken) =>
        RunAsync(ct => _inner.CreateSdnRouteAsync(route, ct), cancellationToken);

    /// <inheritdoc/>
    public Task<HostComputeRoute> GetSdnRouteAsync(Guid routeId, CancellationToken cancellationToken) =>
        RunAsync(ct => _inner.GetSdnRouteAsync(routeId, ct), cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<HostComputeRoute>> EnumerateSdnRoutesAsync(HostComputeQuery? query, CancellationToken cancellationToken) =>
        RunAsync(ct => _inner.EnumerateSdnRoutesAsync(query, ct), cancellationToken);

    /// <inheritdoc/>
    public Task<HostComputeRoute> ModifySdnRouteAsync(Guid routeId, HostComputeRoute route, CancellationToken cancellationToken) =>
        RunAsync(ct => _inner.ModifySdnRouteAsync(routeId, route, ct), cancellationToken);

    /// <inheritdoc/>
    public Task DeleteSdnRouteAsync(Guid routeId, CancellationToken cancellationToken) =>
        RunAsync(ct => _inner.DeleteSdnRouteAsync(routeId, ct), cancellationToken);

    /// <inheritdoc/>
    public Task<HcnVersion> GetVersionAsync(CancellationToken cancellationToken) =>
        RunAsync(ct => _inner.GetVersionAsync(ct), cancellationToken);

    /// <inheritdoc/>
    public void Dispose() => _slots.Dispose();

    private async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await call(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }

    private async Task RunAsync(Func<CancellationToken, Task> call, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await call(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }
}
