using Cni.Hcn.Model;
using Cni.Hcn.Model.Requests;
using Cni.Hcn.Versioning;

namespace Cni.Hcn;

/// <summary>
/// The one place that forwards every <see cref="IHcn"/> call to an inner one: a decorator (bounding, metrics, ...)
/// derives from it and writes its concern once, in <see cref="InvokeAsync{T}"/>. A new IHcn method is added here
/// and nowhere else. The attach/policy helpers and <see cref="IHcn.GetFeaturesAsync"/> stay the interface's default
/// methods, so they reach the inner object through the intercepted Modify and GetVersion calls.
/// </summary>
public abstract class HcnDecorator : IHcn
{
    /// <summary>Wraps <paramref name="inner"/>.</summary>
    /// <param name="inner">The decorated HCN.</param>
    protected HcnDecorator(IHcn inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        Inner = inner;
    }

    /// <summary>The decorated HCN.</summary>
    protected IHcn Inner { get; }

    /// <inheritdoc/>
    public Task<HostComputeNetwork> CreateNetworkAsync(HostComputeNetwork network, CancellationToken cancellationToken) =>
        InvokeAsync("CreateNetwork", ct => Inner.CreateNetworkAsync(network, ct), cancellationToken);

    /// <inheritdoc/>
    public Task<HostComputeNetwork> GetNetworkAsync(Guid networkId, CancellationToken cancellationToken) =>
        InvokeAsync("GetNetwork", ct => Inner.GetNetworkAsync(networkId, ct), cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<HostComputeNetwork>> EnumerateNetworksAsync(HostComputeQuery? query, CancellationToken cancellationToken) =>
        InvokeAsync("EnumerateNetworks", ct => Inner.EnumerateNetworksAsync(query, ct), cancellationToken);

    /// <inheritdoc/>
    public Task<HostComputeNetwork> ModifyNetworkAsync(Guid networkId, ModifyNetworkSettingRequest request, CancellationToken cancellationToken) =>
        InvokeAsync("ModifyNetwork", ct => Inner.ModifyNetworkAsync(networkId, request, ct), cancellationToken);

    /// <inheritdoc/>
    public Task DeleteNetworkAsync(Guid networkId, CancellationToken cancellationToken) =>
        InvokeWithoutResultAsync("DeleteNetwork", ct => Inner.DeleteNetworkAsync(networkId, ct), cancellationToken);

    /// <inheritdoc/>
    public Task<HostComputeEndpoint> CreateEndpointAsync(Guid networkId, HostComputeEndpoint endpoint, CancellationToken cancellationToken) =>
        InvokeAsync("CreateEndpoint", ct => Inner.CreateEndpointAsync(networkId, endpoint, ct), cancellationToken);

    /// <inheritdoc/>
    public Task<HostComputeEndpoint> GetEndpointAsync(Guid endpointId, CancellationToken cancellationToken) =>
        InvokeAsync("GetEndpoint", ct => Inner.GetEndpointAsync(endpointId, ct), cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<HostComputeEndpoint>> EnumerateEndpointsAsync(HostComputeQuery? query, CancellationToken cancellationToken) =>
        InvokeAsync("EnumerateEndpoints", ct => Inner.EnumerateEndpointsAsync(query, ct), cancellationToken);

    /// <inheritdoc/>
    public Task<HostComputeEndpoint> ModifyEndpointAsync(Guid endpointId, ModifyEndpointSettingRequest request, CancellationToken cancellationToken) =>
        InvokeAsync("ModifyEndpoint", ct => Inner.ModifyEndpointAsync(endpointId, request, ct), cancellationToken);

    /// <inheritdoc/>
    public Task DeleteEndpointAsync(Guid endpointId, CancellationToken cancellationToken) =>
        InvokeWithoutResultAsync("DeleteEndpoint", ct => Inner.DeleteEndpointAsync(endpointId, ct), cancellationToken);

    /// <inheritdoc/>
    public Task<HostComputeNamespace> CreateNamespaceAsync(HostComputeNamespace hostComputeNamespace, CancellationToken cancellationToken) =>
        InvokeAsync("CreateNamespace", ct => Inner.CreateNamespaceAsync(hostComputeNamespace, ct), cancellationToken);

    /// <inheritdoc/>
    public Task<HostComputeNamespace> GetNamespaceAsync(Guid namespaceId, CancellationToken cancellationToken) =>
        InvokeAsync("GetNamespace", ct => Inner.GetNamespaceAsync(namespaceId, ct), cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<HostComputeNamespace>> EnumerateNamespacesAsync(HostComputeQuery? query, CancellationToken cancellationToken) =>
        InvokeAsync("EnumerateNamespaces", ct => Inner.EnumerateNamespacesAsync(query, ct), cancellationToken);

    /// <inheritdoc/>
    public Task<HostComputeNamespace> ModifyNamespaceAsync(Guid namespaceId, ModifyNamespaceSettingRequest request, CancellationToken cancellationToken) =>
        InvokeAsync("ModifyNamespace", ct => Inner.ModifyNamespaceAsync(namespaceId, request, ct), cancellationToken);

    /// <inheritdoc/>
    public Task DeleteNamespaceAsync(Guid namespaceId, CancellationToken cancellationToken) =>
        InvokeWithoutResultAsync("DeleteNamespace", ct => Inner.DeleteNamespaceAsync(namespaceId, ct), cancellationToken);

    /// <inheritdoc/>
    public Task<HostComputeLoadBalancer> CreateLoadBalancerAsync(HostComputeLoadBalancer loadBalancer, CancellationToken cancellationToken) =>
        InvokeAsync("CreateLoadBalancer", ct => Inner.CreateLoadBalancerAsync(loadBalancer, ct), cancellationToken);

    /// <inheritdoc/>
    public Task<HostComputeLoadBalancer> GetLoadBalancerAsync(Guid loadBalancerId, CancellationToken cancellationToken) =>
        InvokeAsync("GetLoadBalancer", ct => Inner.GetLoadBalancerAsync(loadBalancerId, ct), cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<HostComputeLoadBalancer>> EnumerateLoadBalancersAsync(HostComputeQuery? query, CancellationToken cancellationToken) =>
        InvokeAsync("EnumerateLoadBalancers", ct => Inner.EnumerateLoadBalancersAsync(query, ct), cancellationToken);

    /// <inheritdoc/>
    public Task<HostComputeLoadBalancer> ModifyLoadBalancerAsync(Guid loadBalancerId, HostComputeLoadBalancer loadBalancer, CancellationToken cancellationToken) =>
        InvokeAsync("ModifyLoadBalancer", ct => Inner.ModifyLoadBalancerAsync(loadBalancerId, loadBalancer, ct), cancellationToken);

    /// <inheritdoc/>
    public Task DeleteLoadBalancerAsync(Guid loadBalancerId, CancellationToken cancellationToken) =>
        InvokeWithoutResultAsync("DeleteLoadBalancer", ct => Inner.DeleteLoadBalancerAsync(loadBalancerId, ct), cancellationToken);

    /// <inheritdoc/>
    public Task<HostComputeRoute> CreateSdnRouteAsync(HostComputeRoute route, CancellationToken cancellationToken) =>
        InvokeAsync("CreateSdnRoute", ct => Inner.CreateSdnRouteAsync(route, ct), cancellationToken);

    /// <inheritdoc/>
    public Task<HostComputeRoute> GetSdnRouteAsync(Guid routeId, CancellationToken cancellationToken) =>
        InvokeAsync("GetSdnRoute", ct => Inner.GetSdnRouteAsync(routeId, ct), cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<HostComputeRoute>> EnumerateSdnRoutesAsync(HostComputeQuery? query, CancellationToken cancellationToken) =>
        InvokeAsync("EnumerateSdnRoutes", ct => Inner.EnumerateSdnRoutesAsync(query, ct), cancellationToken);

    /// <inheritdoc/>
    public Task<HostComputeRoute> ModifySdnRouteAsync(Guid routeId, HostComputeRoute route, CancellationToken cancellationToken) =>
        InvokeAsync("ModifySdnRoute", ct => Inner.ModifySdnRouteAsync(routeId, route, ct), cancellationToken);

    /// <inheritdoc/>
    public Task DeleteSdnRouteAsync(Guid routeId, CancellationToken cancellationToken) =>
        InvokeWithoutResultAsync("DeleteSdnRoute", ct => Inner.DeleteSdnRouteAsync(routeId, ct), cancellationToken);

    /// <inheritdoc/>
    public Task<HcnVersion> GetVersionAsync(CancellationToken cancellationToken) =>
        InvokeAsync("GetVersion", ct => Inner.GetVersionAsync(ct), cancellationToken);

    /// <inheritdoc/>
    public virtual HcnWriteBatch BeginWriteBatch() => Inner.BeginWriteBatch();

    /// <summary>Runs one HCN call with the decorator's concern around it.</summary>
    /// <typeparam name="T">The call's result (<see cref="NoResult"/> for the Delete calls).</typeparam>
    /// <param name="operation">The IHcn method without its Async suffix (CreateNetwork, GetEndpoint, ...): a metric label value.</param>
    /// <param name="call">The call on <see cref="Inner"/>, given the token to pass on.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>The call's result.</returns>
    protected abstract Task<T> InvokeAsync<T>(string operation, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken);

    /// <summary>A call that returns nothing, through <see cref="InvokeAsync{T}"/>.</summary>
    private Task InvokeWithoutResultAsync(string operation, Func<CancellationToken, Task> call, CancellationToken cancellationToken) =>
        InvokeAsync(
            operation,
            async ct =>
            {
                await call(ct).ConfigureAwait(false);
                return NoResult.Value;
            },
            cancellationToken);

    /// <summary>The result of the calls that return nothing, so one <see cref="InvokeAsync{T}"/> serves every call.</summary>
    protected readonly record struct NoResult
    {
        /// <summary>The only value.</summary>
        public static readonly NoResult Value;
    }
}
