using System.Runtime.Versioning;
using System.Text.Json;
using Cni.Hcn.Errors;
using Cni.Hcn.Json;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Requests;
using Cni.Hcn.Versioning;

namespace Cni.Hcn.Windows;

/// <summary>
/// <see cref="IHcn"/> on computenetwork.dll: every object is written as its HCN JSON, sent through hcsshim's call
/// sequences (<see cref="HcnNativeClient"/>) and read back from the properties HNS returns.
/// </summary>
/// <remarks>
/// Only the public constructor is Windows-only: it binds the real DLLs. Everything else runs over
/// <see cref="IHcnNativeApi"/>, which tests replace on any OS. computenetwork.dll is synchronous, so calls run on the
/// caller's thread (no <c>Task.Run</c>); the token is checked before each native call, never during one.
/// </remarks>
public sealed class WindowsHcn : IHcn
{
    /// <summary>The query every read-back uses: schema 2.0 shapes.</summary>
    private static readonly string DefaultQuery = HcnJson.Serialize(HostComputeQuery.Default);

    private readonly HcnNativeClient _client;

    /// <summary>Binds computenetwork.dll and vmcompute.dll.</summary>
    [SupportedOSPlatform("windows")]
    public WindowsHcn()
        : this(new HcnNativeApi())
    {
    }

    /// <summary>Runs over another implementation of the native exports (tests).</summary>
    /// <param name="api">The native exports.</param>
    internal WindowsHcn(IHcnNativeApi api)
    {
        ArgumentNullException.ThrowIfNull(api);
        _client = new HcnNativeClient(api);
    }

    // ---- networks ----

    /// <inheritdoc/>
    public Task<HostComputeNetwork> CreateNetworkAsync(HostComputeNetwork network, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(network);
        cancellationToken.ThrowIfCancellationRequested();
        var json = _client.CreateAndQuery(HcnObjectKind.Network, network.Id, HcnJson.Serialize(network), DefaultQuery, network.Name);
        return Task.FromResult(Read<HostComputeNetwork>(json, "HcnQueryNetworkProperties"));
    }

    /// <inheritdoc/>
    public Task<HostComputeNetwork> GetNetworkAsync(Guid networkId, CancellationToken cancellationToken) =>
        Task.FromResult(Get<HostComputeNetwork>(HcnObjectKind.Network, networkId, cancellationToken));

    /// <inheritdoc/>
    public Task<IReadOnlyList<HostComputeNetwork>> EnumerateNetworksAsync(HostComputeQuery? query, CancellationToken cancellationToken) =>
        Task.FromResult(Enumerate<HostComputeNetwork>(HcnObjectKind.Network, query, cancellationToken));

    /// <inheritdoc/>
    public Task<HostComputeNetwork> ModifyNetworkAsync(Guid networkId, ModifyNetworkSettingRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Task.FromResult(Modify<HostComputeNetwork>(HcnObjectKind.Network, networkId, HcnJson.Serialize(request), cancellationToken));
    }

    /// <inheritdoc/>
    public Task DeleteNetworkAsync(Guid networkId, CancellationToken cancellationToken) =>
        Delete(HcnObjectKind.Network, networkId, cancellationToken);

    // ---- endpoints ----

    /// <inheritdoc/>
    public Task<HostComputeEndpoint> CreateEndpointAsync(Guid networkId, HostComputeEndpoint endpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        cancellationToken.ThrowIfCancellationRequested();
        var subject = $"{endpoint.Name} on network {networkId:D}".TrimStart();
        if (endpoint.HostComputeNamespace != Guid.Empty)
        {
            // hcsshim refuses this before calling HNS: the namespace is attached through HcnModifyNamespace.
            throw new HcnException($"HcnCreateEndpoint {subject}", HcnErrorCodes.InvalidParameter,
                detail: "HostComputeNamespace is read-only and must not be set on create");
        }

        var settings = HcnJson.Serialize(endpoint with { HostComputeNetwork = networkId });
        var json = _client.CreateEndpointAndQuery(networkId, endpoint.Id, settings, DefaultQuery, subject);
        return Task.FromResult(Read<HostComputeEndpoint>(json, "HcnQueryEndpointProperties"));
    }

    /// <inheritdoc/>
    public Task<HostComputeEndpoint> GetEndpointAsync(Guid endpointId, CancellationToken cancellationToken) =>
        Task.FromResult(Get<HostComputeEndpoint>(HcnObjectKind.Endpoint, endpointId, cancellationToken));

    /// <inheritdoc/>
    public Task<IReadOnlyList<HostComputeEndpoint>> EnumerateEndpointsAsync(HostComputeQuery? query, CancellationToken cancellationToken) =>
        Task.FromResult(Enumerate<HostComputeEndpoint>(HcnObjectKind.Endpoint, query, cancellationToken));

    /// <inheritdoc/>
    public Task<HostComputeEndpoint> ModifyEndpointAsync(Guid endpointId, ModifyEndpointSettingRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Task.FromResult(Modify<HostComputeEndpoint>(HcnObjectKind.Endpoint, endpointId, HcnJson.Serialize(request), cancellationToken));
    }

    /// <inheritdoc/>
    public Task DeleteEndpointAsync(Guid endpointId, CancellationToken cancellationToken) =>
        Delete(HcnObjectKind.Endpoint, endpointId, cancellationToken);

    // ---- namespaces ----

    /// <inheritdoc/>
    public Task<HostComputeNamespace> CreateNamespaceAsync(HostComputeNamespace hostComputeNamespace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hostComputeNamespace);
        return Task.FromResult(Create(HcnObjectKind.Namespace, hostComputeNamespace, hostComputeNamespace.Id, null, cancellationToken));
    }

    /// <inheritdoc/>
    public Task<HostComputeNamespace> GetNamespaceAsync(Guid namespaceId, CancellationToken cancellationToken) =>
        Task.FromResult(Get<HostComputeNamespace>(HcnObjectKind.Namespace, namespaceId, cancellationToken));

    /// <inheritdoc/>
    public Task<IReadOnlyList<HostComputeNamespace>> EnumerateNamespacesAsync(HostComputeQuery? query, CancellationToken cancellationToken) =>
        Task.FromResult(Enumerate<HostComputeNamespace>(HcnObjectKind.Namespace, query, cancellationToken));

    /// <inheritdoc/>
    public Task<HostComputeNamespace> ModifyNamespaceAsync(Guid namespaceId, ModifyNamespaceSettingRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Task.FromResult(Modify<HostComputeNamespace>(HcnObjectKind.Namespace, namespaceId, HcnJson.Serialize(request), cancellationToken));
    }

    /// <inheritdoc/>
    public Task DeleteNamespaceAsync(Guid namespaceId, CancellationToken cancellationToken) =>
        Delete(HcnObjectKind.Namespace, namespaceId, cancellationToken);

    // ---- load balancers ----

    /// <inheritdoc/>
    public Task<HostComputeLoadBalancer> CreateLoadBalancerAsync(HostComputeLoadBalancer loadBalancer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(loadBalancer);
        return Task.FromResult(Create(HcnObjectKind.LoadBalancer, loadBalancer, loadBalancer.Id, null, cancellationToken));
    }

    /// <inheritdoc/>
    public Task<HostComputeLoadBalancer> GetLoadBalancerAsync(Guid loadBalancerId, CancellationToken cancellationToken) =>
        Task.FromResult(Get<HostComputeLoadBalancer>(HcnObjectKind.LoadBalancer, loadBalancerId, cancellationToken));

    /// <inheritdoc/>
    public Task<IReadOnlyList<HostComputeLoadBalancer>> EnumerateLoadBalancersAsync(HostComputeQuery? query, CancellationToken cancellationToken) =>
        Task.FromResult(Enumerate<HostComputeLoadBalancer>(HcnObjectKind.LoadBalancer, query, cancellationToken));

    /// <inheritdoc/>
    public Task<HostComputeLoadBalancer> ModifyLoadBalancerAsync(Guid loadBalancerId, HostComputeLoadBalancer loadBalancer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(loadBalancer);

        // The whole object, no request envelope (hcsshim HostComputeLoadBalancer.Update).
        return Task.FromResult(Modify<HostComputeLoadBalancer>(
            HcnObjectKind.LoadBalancer, loadBalancerId, HcnJson.Serialize(loadBalancer with { Id = loadBalancerId }), cancellationToken));
    }

    /// <inheritdoc/>
    public Task DeleteLoadBalancerAsync(Guid loadBalancerId, CancellationToken cancellationToken) =>
        Delete(HcnObjectKind.LoadBalancer, loadBalancerId, cancellationToken);

    // ---- SDN routes ----

    /// <inheritdoc/>
    public Task<HostComputeRoute> CreateSdnRouteAsync(HostComputeRoute route, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(route);
        if (route.HostComputeEndpoints is not { Count: > 0 })
        {
            // hcsshim AddRoute refuses an empty endpoint list before calling HNS.
            throw new HcnException("HcnCreateSdnRoute", HcnErrorCodes.InvalidParameter, detail: "an SDN route needs at least one endpoint");
        }

        return Task.FromResult(Create(HcnObjectKind.SdnRoute, route, route.Id, null, cancellationToken));
    }

    /// <inheritdoc/>
    public Task<HostComputeRoute> GetSdnRouteAsync(Guid routeId, CancellationToken cancellationToken) =>
        Task.FromResult(Get<HostComputeRoute>(HcnObjectKind.SdnRoute, routeId, cancellationToken));

    /// <inheritdoc/>
    public Task<IReadOnlyList<HostComputeRoute>> EnumerateSdnRoutesAsync(HostComputeQuery? query, CancellationToken cancellationToken) =>
        Task.FromResult(Enumerate<HostComputeRoute>(HcnObjectKind.SdnRoute, query, cancellationToken));

    /// <inheritdoc/>
    public Task<HostComputeRoute> ModifySdnRouteAsync(Guid routeId, HostComputeRoute route, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(route);
        return Task.FromResult(Modify<HostComputeRoute>(HcnObjectKind.SdnRoute, routeId, HcnJson.Serialize(route with { Id = routeId }), cancellationToken));
    }

    /// <inheritdoc/>
    public Task DeleteSdnRouteAsync(Guid routeId, CancellationToken cancellationToken) =>
        Delete(HcnObjectKind.SdnRoute, routeId, cancellationToken);

    // ---- version ----

    /// <inheritdoc/>
    public Task<HcnVersion> GetVersionAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var (major, minor) = _client.GetHnsVersion();
        if (major < 0 || minor < 0)
        {
            throw new HcnException("HNSCall GET /globals/version", HcnErrorCodes.InvalidData, detail: $"negative version {major}.{minor}");
        }

        return Task.FromResult(new HcnVersion((uint)major, (uint)minor));
    }

    // ---- shared sequences ----

    private T Create<T>(HcnObjectKind kind, T value, Guid id, string? subject, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(value);
        cancellationToken.ThrowIfCancellationRequested();
        var json = _client.CreateAndQuery(kind, id, HcnJson.Serialize(value), DefaultQuery, subject);
        return Read<T>(json, kind.QueryExport());
    }

    private T Get<T>(HcnObjectKind kind, Guid id, CancellationToken cancellationToken)
        where T : class
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Read<T>(_client.OpenAndQuery(kind, id, DefaultQuery), kind.QueryExport());
    }

    private T Modify<T>(HcnObjectKind kind, Guid id, string settings, CancellationToken cancellationToken)
        where T : class
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Read<T>(_client.ModifyAndQuery(kind, id, settings, DefaultQuery), kind.QueryExport());
    }

    private Task Delete(HcnObjectKind kind, Guid id, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _client.Delete(kind, id);
        return Task.CompletedTask;
    }

    /// <summary>
    /// hcsshim's list sequence: enumerate IDs with the query, then open and read each. An object deleted between the
    /// two steps is skipped (IHcn contract).
    /// </summary>
    private IReadOnlyList<T> Enumerate<T>(HcnObjectKind kind, HostComputeQuery? query, CancellationToken cancellationToken)
        where T : class
    {
        cancellationToken.ThrowIfCancellationRequested();
        var queryJson = HcnJson.Serialize(query ?? HostComputeQuery.Default);
        var ids = ReadIds(_client.Enumerate(kind, queryJson), kind.EnumerateExport());
        var result = new List<T>(ids.Count);
        foreach (var id in ids)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                result.Add(Read<T>(_client.OpenAndQuery(kind, id, DefaultQuery), kind.QueryExport()));
            }
            catch (HcnException ex) when (ex.IsNotFound)
            {
                // Deleted since the enumeration.
            }
        }

        return result;
    }

    /// <summary>The enumeration result: a JSON array of GUID strings (36-char form; braces and case tolerated).</summary>
    private static List<Guid> ReadIds(string json, string operation)
    {
        try
        {
            using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "[]" : json);
            if (document.RootElement.ValueKind == JsonValueKind.Null)
            {
                return [];
            }

            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new HcnException(operation, HcnErrorCodes.InvalidData, detail: "the result is not a JSON array");
            }

            var ids = new List<Guid>();
            foreach (var element in document.RootElement.EnumerateArray())
            {
                if (element.ValueKind != JsonValueKind.String || !Guid.TryParse(element.GetString(), out var id))
                {
                    throw new HcnException(operation, HcnErrorCodes.InvalidData, detail: $"'{element.GetRawText()}' is not a GUID");
                }

                ids.Add(id);
            }

            return ids;
        }
        catch (JsonException ex)
        {
            throw new HcnException(operation, HcnErrorCodes.InvalidData, detail: ex.Message, innerException: ex);
        }
    }

    private static T Read<T>(string json, string operation)
        where T : class
    {
        try
        {
            return HcnJson.Deserialize<T>(json)
                ?? throw new HcnException(operation, HcnErrorCodes.InvalidData, detail: "HNS returned no properties");
        }
        catch (JsonException ex)
        {
            throw new HcnException(operation, HcnErrorCodes.InvalidData, detail: ex.Message, innerException: ex);
        }
    }
}
