using System.Diagnostics;
using Cni.Hcn;
using Cni.Hcn.Errors;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Requests;
using Cni.Hcn.Versioning;

namespace Cni.Daemon.Metrics;

/// <summary>
/// An <see cref="IHcn"/> decorator that counts and times every HCN operation, so /metrics shows what each change
/// costs in HNS calls and how slow HNS is being. The composite operations (namespace attach, policy changes) are
/// the interface's default methods and reach the inner object through the measured Modify calls.
/// </summary>
public sealed class MeteredHcn : IHcn
{
    private readonly IHcn _inner;
    private readonly DaemonMetrics _metrics;

    public MeteredHcn(IHcn inner, DaemonMetrics metrics)
    {
        _inner = inner;
        _metrics = metrics;
    }

    public Task<HostComputeNetwork> CreateNetworkAsync(HostComputeNetwork network, CancellationToken cancellationToken) =>
        MeasureAsync("CreateNetwork", () => _inner.CreateNetworkAsync(network, cancellationToken));

    public Task<HostComputeNetwork> GetNetworkAsync(Guid networkId, CancellationToken cancellationToken) =>
        MeasureAsync("GetNetwork", () => _inner.GetNetworkAsync(networkId, cancellationToken));

    public Task<IReadOnlyList<HostComputeNetwork>> EnumerateNetworksAsync(HostComputeQuery? query, CancellationToken cancellationToken) =>
        MeasureAsync("EnumerateNetworks", () => _inner.EnumerateNetworksAsync(query, cancellationToken));

    public Task<HostComputeNetwork> ModifyNetworkAsync(Guid networkId, ModifyNetworkSettingRequest request, CancellationToken cancellationToken) =>
        MeasureAsync("ModifyNetwork", () => _inner.ModifyNetworkAsync(networkId, request, cancellationToken));

    public Task DeleteNetworkAsync(Guid networkId, CancellationToken cancellationToken) =>
        MeasureAsync("DeleteNetwork", () => _inner.DeleteNetworkAsync(networkId, cancellationToken));

    public Task<HostComputeEndpoint> CreateEndpointAsync(Guid networkId, HostComputeEndpoint endpoint, CancellationToken cancellationToken) =>
        MeasureAsync("CreateEndpoint", () => _inner.CreateEndpointAsync(networkId, endpoint, cancellationToken));

    public Task<HostComputeEndpoint> GetEndpointAsync(Guid endpointId, CancellationToken cancellationToken) =>
        MeasureAsync("GetEndpoint", () => _inner.GetEndpointAsync(endpointId, cancellationToken));

    public Task<IReadOnlyList<HostComputeEndpoint>> EnumerateEndpointsAsync(HostComputeQuery? query, CancellationToken cancellationToken) =>
        MeasureAsync("EnumerateEndpoints", () => _inner.EnumerateEndpointsAsync(query, cancellationToken));

    public Task<HostComputeEndpoint> ModifyEndpointAsync(Guid endpointId, ModifyEndpointSettingRequest request, CancellationToken cancellationToken) =>
        MeasureAsync("ModifyEndpoint", () => _inner.ModifyEndpointAsync(endpointId, request, cancellationToken));

    public Task DeleteEndpointAsync(Guid endpointId, CancellationToken cancellationToken) =>
        MeasureAsync("DeleteEndpoint", () => _inner.DeleteEndpointAsync(endpointId, cancellationToken));

    public Task<HostComputeNamespace> CreateNamespaceAsync(HostComputeNamespace hostComputeNamespace, CancellationToken cancellationToken) =>
        MeasureAsync("CreateNamespace", () => _inner.CreateNamespaceAsync(hostComputeNamespace, cancellationToken));

    public Task<HostComputeNamespace> GetNamespaceAsync(Guid namespaceId, CancellationToken cancellationToken) =>
        MeasureAsync("GetNamespace", () => _inner.GetNamespaceAsync(namespaceId, cancellationToken));

    public Task<IReadOnlyList<HostComputeNamespace>> EnumerateNamespacesAsync(HostComputeQuery? query, CancellationToken cancellationToken) =>
        MeasureAsync("EnumerateNamespaces", () => _inner.EnumerateNamespacesAsync(query, cancellationToken));

    public Task<HostComputeNamespace> ModifyNamespaceAsync(Guid namespaceId, ModifyNamespaceSettingRequest request, CancellationToken cancellationToken) =>
        MeasureAsync("ModifyNamespace", () => _inner.ModifyNamespaceAsync(namespaceId, request, cancellationToken));

    public Task DeleteNamespaceAsync(Guid namespaceId, CancellationToken cancellationToken) =>
        MeasureAsync("DeleteNamespace", () => _inner.DeleteNamespaceAsync(namespaceId, cancellationToken));

    public Task<HostComputeLoadBalancer> CreateLoadBalancerAsync(HostComputeLoadBalancer loadBalancer, CancellationToken cancellationToken) =>
        MeasureAsync("CreateLoadBalancer", () => _inner.CreateLoadBalancerAsync(loadBalancer, cancellationToken));

    public Task<HostComputeLoadBalancer> GetLoadBalancerAsync(Guid loadBalancerId, CancellationToken cancellationToken) =>
        MeasureAsync("GetLoadBalancer", () => _inner.GetLoadBalancerAsync(loadBalancerId, cancellationToken));

    public Task<IReadOnlyList<HostComputeLoadBalancer>> EnumerateLoadBalancersAsync(HostComputeQuery? query, CancellationToken cancellationToken) =>
        MeasureAsync("EnumerateLoadBalancers", () => _inner.EnumerateLoadBalancersAsync(query, cancellationToken));

    public Task<HostComputeLoadBalancer> ModifyLoadBalancerAsync(Guid loadBalancerId, HostComputeLoadBalancer loadBalancer, CancellationToken cancellationToken) =>
        MeasureAsync("ModifyLoadBalancer", () => _inner.ModifyLoadBalancerAsync(loadBalancerId, loadBalancer, cancellationToken));

    public Task DeleteLoadBalancerAsync(Guid loadBalancerId, CancellationToken cancellationToken) =>
        MeasureAsync("DeleteLoadBalancer", () => _inner.DeleteLoadBalancerAsync(loadBalancerId, cancellationToken));

    public Task<HostComputeRoute> CreateSdnRouteAsync(HostComputeRoute route, CancellationToken cancellationToken) =>
        MeasureAsync("CreateSdnRoute", () => _inner.CreateSdnRouteAsync(route, cancellationToken));

    public Task<HostComputeRoute> GetSdnRouteAsync(Guid routeId, CancellationToken cancellationToken) =>
        MeasureAsync("GetSdnRoute", () => _inner.GetSdnRouteAsync(routeId, cancellationToken));

    public Task<IReadOnlyList<HostComputeRoute>> EnumerateSdnRoutesAsync(HostComputeQuery? query, CancellationToken cancellationToken) =>
        MeasureAsync("EnumerateSdnRoutes", () => _inner.EnumerateSdnRoutesAsync(query, cancellationToken));

    public Task<HostComputeRoute> ModifySdnRouteAsync(Guid routeId, HostComputeRoute route, CancellationToken cancellationToken) =>
        MeasureAsync("ModifySdnRoute", () => _inner.ModifySdnRouteAsync(routeId, route, cancellationToken));

    public Task DeleteSdnRouteAsync(Guid routeId, CancellationToken cancellationToken) =>
        MeasureAsync("DeleteSdnRoute", () => _inner.DeleteSdnRouteAsync(routeId, cancellationToken));

    public Task<HcnVersion> GetVersionAsync(CancellationToken cancellationToken) =>
        MeasureAsync("GetVersion", () => _inner.GetVersionAsync(cancellationToken));

    private async Task MeasureAsync(string operation, Func<Task> call) =>
        await MeasureAsync(operation, async () =>
        {
            await call().ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);

    private async Task<T> MeasureAsync<T>(string operation, Func<Task<T>> call)
    {
        var started = Stopwatch.GetTimestamp();
        var outcome = "ok";
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (HcnException e)
        {
            outcome = e.HexCode;
            throw;
        }
        catch (OperationCanceledException)
        {
            outcome = "canceled";
            throw;
        }
        finally
        {
            _metrics.HcnCalls.WithLabels(operation, outcome).Inc();
            _metrics.HcnDuration.WithLabels(operation).Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }
}
