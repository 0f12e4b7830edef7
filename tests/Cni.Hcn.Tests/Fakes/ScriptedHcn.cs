using Cni.Hcn.Errors;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Requests;
using Cni.Hcn.Versioning;

namespace Cni.Hcn.Tests.Fakes;

/// <summary>
/// A minimal <see cref="IHcn"/> that records the modify requests it receives and answers from scripted results, to
/// test the interface's default methods and <see cref="HcnExtensions"/> without an emulator.
/// </summary>
internal sealed class ScriptedHcn : IHcn
{
    public List<object> Requests { get; } = [];

    public Func<HcnVersion>? Version { get; init; }

    public HcnException? Failure { get; init; }

    public IReadOnlyList<HostComputeNetwork> Networks { get; init; } = [];

    public IReadOnlyList<HostComputeEndpoint> Endpoints { get; init; } = [];

    public List<HostComputeQuery?> Queries { get; } = [];

    public Task<HostComputeNetwork> CreateNetworkAsync(HostComputeNetwork network, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<HostComputeNetwork> GetNetworkAsync(Guid networkId, CancellationToken cancellationToken) =>
        Failure is null ? Task.FromResult(new HostComputeNetwork { Id = networkId }) : Task.FromException<HostComputeNetwork>(Failure);

    public Task<IReadOnlyList<HostComputeNetwork>> EnumerateNetworksAsync(HostComputeQuery? query, CancellationToken cancellationToken)
    {
        Queries.Add(query);
        return Task.FromResult(Networks);
    }

    public Task<HostComputeNetwork> ModifyNetworkAsync(Guid networkId, ModifyNetworkSettingRequest request, CancellationToken cancellationToken)
    {
        Requests.Add(request);
        return Task.FromResult(new HostComputeNetwork { Id = networkId });
    }

    public Task DeleteNetworkAsync(Guid networkId, CancellationToken cancellationToken) => Failure is null ? Task.CompletedTask : Task.FromException(Failure);

    public Task<HostComputeEndpoint> CreateEndpointAsync(Guid networkId, HostComputeEndpoint endpoint, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<HostComputeEndpoint> GetEndpointAsync(Guid endpointId, CancellationToken cancellationToken) =>
        Failure is null ? Task.FromResult(new HostComputeEndpoint { Id = endpointId }) : Task.FromException<HostComputeEndpoint>(Failure);

    public Task<IReadOnlyList<HostComputeEndpoint>> EnumerateEndpointsAsync(HostComputeQuery? query, CancellationToken cancellationToken)
    {
        Queries.Add(query);
        return Task.FromResult(Endpoints);
    }

    public Task<HostComputeEndpoint> ModifyEndpointAsync(Guid endpointId, ModifyEndpointSettingRequest request, CancellationToken cancellationToken)
    {
        Requests.Add(request);
        return Task.FromResult(new HostComputeEndpoint { Id = endpointId });
    }

    public Task DeleteEndpointAsync(Guid endpointId, CancellationToken cancellationToken) => Failure is null ? Task.CompletedTask : Task.FromException(Failure);

    public Task<HostComputeNamespace> CreateNamespaceAsync(HostComputeNamespace hostComputeNamespace, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<HostComputeNamespace> GetNamespaceAsync(Guid namespaceId, CancellationToken cancellationToken) =>
        Failure is null ? Task.FromResult(new HostComputeNamespace { Id = namespaceId }) : Task.FromException<HostComputeNamespace>(Failure);

    public Task<IReadOnlyList<HostComputeNamespace>> EnumerateNamespacesAsync(HostComputeQuery? query, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<HostComputeNamespace> ModifyNamespaceAsync(Guid namespaceId, ModifyNamespaceSettingRequest request, CancellationToken cancellationToken)
    {
        Requests.Add(request);
        return Failure is null ? Task.FromResult(new HostComputeNamespace { Id = namespaceId }) : Task.FromException<HostComputeNamespace>(Failure);
    }

    public Task DeleteNamespaceAsync(Guid namespaceId, CancellationToken cancellationToken) => Failure is null ? Task.CompletedTask : Task.FromException(Failure);

    public Task<HostComputeLoadBalancer> CreateLoadBalancerAsync(HostComputeLoadBalancer loadBalancer, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<HostComputeLoadBalancer> GetLoadBalancerAsync(Guid loadBalancerId, CancellationToken cancellationToken) =>
        Failure is null ? Task.FromResult(new HostComputeLoadBalancer { Id = loadBalancerId }) : Task.FromException<HostComputeLoadBalancer>(Failure);

    public Task<IReadOnlyList<HostComputeLoadBalancer>> EnumerateLoadBalancersAsync(HostComputeQuery? query, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<HostComputeLoadBalancer> ModifyLoadBalancerAsync(Guid loadBalancerId, HostComputeLoadBalancer loadBalancer, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task DeleteLoadBalancerAsync(Guid loadBalancerId, CancellationToken cancellationToken) => Failure is null ? Task.CompletedTask : Task.FromException(Failure);

    public Task<HostComputeRoute> CreateSdnRouteAsync(HostComputeRoute route, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<HostComputeRoute> GetSdnRouteAsync(Guid routeId, CancellationToken cancellationToken) =>
        Failure is null ? Task.FromResult(new HostComputeRoute { Id = routeId }) : Task.FromException<HostComputeRoute>(Failure);

    public Task<IReadOnlyList<HostComputeRoute>> EnumerateSdnRoutesAsync(HostComputeQuery? query, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<HostComputeRoute> ModifySdnRouteAsync(Guid routeId, HostComputeRoute route, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task DeleteSdnRouteAsync(Guid routeId, CancellationToken cancellationToken) => Failure is null ? Task.CompletedTask : Task.FromException(Failure);

    public Task<HcnVersion> GetVersionAsync(CancellationToken cancellationToken) =>
        Version is { } version ? Task.FromResult(version()) : Task.FromException<HcnVersion>(new HcnException("HNSCall GET /globals/version", HcnErrorCodes.ProcNotFound));
}
