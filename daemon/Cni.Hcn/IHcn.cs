using Cni.Hcn.Errors;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;
using Cni.Hcn.Model.Requests;
using Cni.Hcn.Versioning;

namespace Cni.Hcn;

/// <summary>
/// The HCN v2 object model as the daemon sees it: networks, endpoints, namespaces, load balancers and SDN routes,
/// in and out as the typed records of <see cref="Cni.Hcn.Model"/> whose JSON is exactly what HNS takes and returns.
/// Realized by <c>WindowsHcn</c> (computenetwork.dll), <c>KernelHcn</c> (Linux) and <c>MemoryHcn</c> (emulator).
/// </summary>
/// <remarks>
/// <para><b>Error contract</b> (every implementation, so tests on the emulator mean something on Windows). Every HNS
/// failure surfaces as <see cref="HcnException"/> whose <see cref="Exception.HResult"/> is the code HNS returns;
/// <see cref="HcnException.IsNotFound"/> and <see cref="HcnException.IsAlreadyExists"/> classify them. Codes marked
/// (inferred) are not pinned down by hcsshim (hcn/hcnerrors.go) or MS-docs (<c>HCNHResult.md</c>) and are what the emulator must return until checked on a
/// real host:</para>
/// <list type="bullet">
/// <item><description>Unknown ID of any object kind (get, modify, delete, create an endpoint on an unknown network):
/// <see cref="HcnErrorCodes.ElementNotFound"/> (Win32 ERROR_NOT_FOUND, 0x80070490), what HcnOpen* returns for a GUID
/// HNS does not know (hcsshim hcn/hcnerrors_test.go TestNotFoundError). Some HNS builds answer
/// HCN_E_NETWORK_NOT_FOUND / HCN_E_ENDPOINT_NOT_FOUND instead (microsoft/hnslib hcn/hcnerrors.go checks both), so
/// callers never compare codes: <see cref="HcnException.IsNotFound"/> covers every not-found code.</description></item>
/// <item><description>Unknown endpoint named inside another document (load-balancer backend, SDN route endpoint,
/// namespace attach): <see cref="HcnErrorCodes.EndpointNotFound"/> (HCN_E_ENDPOINT_NOT_FOUND, 0x803B0002) (inferred).</description></item>
/// <item><description>Create with an ID (or, for networks, a name) that already exists:
/// <see cref="HcnErrorCodes.NetworkAlreadyExists"/> for networks, <see cref="HcnErrorCodes.AlreadyExists"/>
/// (0x800700B7) for other objects (inferred). Endpoint names are not unique in HNS; wincni keeps them unique itself.</description></item>
/// <item><description>Document that HNS cannot parse, or a member of the wrong JSON type:
/// <see cref="HcnErrorCodes.InvalidJson"/>. Unknown network type: <see cref="HcnErrorCodes.InvalidNetworkType"/>.
/// Unknown policy type: <see cref="HcnErrorCodes.InvalidPolicyType"/>. Malformed policy settings:
/// <see cref="HcnErrorCodes.InvalidPolicy"/>. Endpoint IP outside the network's subnets:
/// <see cref="HcnErrorCodes.InvalidIp"/>. Endpoint created with <c>HostComputeNamespace</c> set:
/// <see cref="HcnErrorCodes.InvalidParameter"/> (hcsshim refuses it before calling HNS).</description></item>
/// <item><description>Duplicate PortMapping (host port/protocol/VIP already used): <see cref="HcnErrorCodes.PortAlreadyExists"/>
/// (hcsshim test). Adding a policy the object already has: <see cref="HcnErrorCodes.PolicyAlreadyExists"/> (inferred).
/// Removing a policy the object does not have: <see cref="HcnErrorCodes.PolicyNotFound"/> (inferred).</description></item>
/// <item><description>Attach an endpoint already in this namespace, or in another one:
/// <see cref="HcnErrorCodes.EndpointNamespaceAlreadyExists"/> (inferred). Detach an endpoint that is not in the
/// namespace: <see cref="HcnErrorCodes.EndpointNotAttached"/> (inferred). Attach a remote endpoint:
/// <see cref="HcnErrorCodes.InvalidRemoteEndpointOperation"/>.</description></item>
/// <item><description>Delete a network that still has endpoints: succeeds and deletes them with it (inferred from
/// HNS behaviour; the reference is silent). Delete an endpoint still attached to a namespace: succeeds and detaches it.
/// Delete of anything that does not exist: the not-found code above (callers that want idempotent delete use
/// <see cref="HcnException.IsNotFound"/>).</description></item>
/// <item><description>A call this HNS does not implement (e.g. <see cref="ModifyLoadBalancerAsync"/> before HNS 15.4):
/// <see cref="HcnErrorCodes.NotImplemented"/> (E_NOTIMPL).</description></item>
/// </list>
/// <para>Cancellation: the token is checked before the call; an HNS call already in flight is not interrupted
/// (computenetwork.dll is synchronous). Cancellation surfaces as <see cref="OperationCanceledException"/>, never as
/// <see cref="HcnException"/>. Returned objects are snapshots read back after the call, as hcsshim does.</para>
/// </remarks>
public interface IHcn
{
    // ---- networks ----

    /// <summary>Creates a network (HcnCreateNetwork, then reads it back).</summary>
    /// <param name="network">The network; a non-empty <c>Id</c> is passed as the requested ID.</param>
    /// <returns>The network as HNS reports it, with its ID.</returns>
    /// <exception cref="HcnException">HCN_E_NETWORK_ALREADY_EXISTS, HCN_E_INVALID_NETWORK(_TYPE), HCN_E_INVALID_JSON, …</exception>
    Task<HostComputeNetwork> CreateNetworkAsync(HostComputeNetwork network, CancellationToken cancellationToken);

    /// <summary>Opens a network by ID and queries its properties.</summary>
    /// <exception cref="HcnException">A not-found code (<see cref="HcnException.IsNotFound"/>) when it does not exist.</exception>
    Task<HostComputeNetwork> GetNetworkAsync(Guid networkId, CancellationToken cancellationToken);

    /// <summary>Lists the networks matching <paramref name="query"/> (HcnEnumerateNetworks, then each is read).</summary>
    /// <param name="query">The query (<see cref="HostComputeQuery.ByName"/>, …); null matches all.</param>
    /// <returns>The matches; empty (never an error) when none match. An object deleted between enumeration and read is skipped.</returns>
    Task<IReadOnlyList<HostComputeNetwork>> EnumerateNetworksAsync(HostComputeQuery? query, CancellationToken cancellationToken);

    /// <summary>Modifies a network (HcnModifyNetwork: policies, DNS, extensions, subnets).</summary>
    /// <param name="request">The modify request.</param>
    /// <returns>The network after the change.</returns>
    /// <exception cref="HcnException">HCN_E_NETWORK_NOT_FOUND, HCN_E_POLICY_ALREADY_EXISTS, HCN_E_POLICY_NOT_FOUND, HCN_E_INVALID_POLICY, …</exception>
    Task<HostComputeNetwork> ModifyNetworkAsync(Guid networkId, ModifyNetworkSettingRequest request, CancellationToken cancellationToken);

    /// <summary>Deletes a network and, with it, its endpoints.</summary>
    /// <exception cref="HcnException">HCN_E_NETWORK_NOT_FOUND when it does not exist.</exception>
    Task DeleteNetworkAsync(Guid networkId, CancellationToken cancellationToken);

    // ---- endpoints ----

    /// <summary>Creates an endpoint on a network (HcnOpenNetwork + HcnCreateEndpoint, then reads it back).</summary>
    /// <param name="networkId">The network; overrides <c>endpoint.HostComputeNetwork</c>.</param>
    /// <param name="endpoint">The endpoint; <c>HostComputeNamespace</c> must be empty (attach through the namespace).</param>
    /// <returns>The endpoint as HNS reports it, with its ID and MAC.</returns>
    /// <exception cref="HcnException">HCN_E_NETWORK_NOT_FOUND, HCN_E_INVALID_IP, HCN_E_PORT_ALREADY_EXISTS, E_INVALIDARG, …</exception>
    Task<HostComputeEndpoint> CreateEndpointAsync(Guid networkId, HostComputeEndpoint endpoint, CancellationToken cancellationToken);

    /// <summary>Opens an endpoint by ID and queries its properties.</summary>
    /// <returns>The endpoint (with <c>HostComputeNamespace</c> set when attached).</returns>
    /// <exception cref="HcnException">A not-found code (<see cref="HcnException.IsNotFound"/>) when it does not exist.</exception>
    Task<HostComputeEndpoint> GetEndpointAsync(Guid endpointId, CancellationToken cancellationToken);

    /// <summary>Lists the endpoints matching <paramref name="query"/> (<see cref="HostComputeQuery.EndpointsOfNetwork"/>, by name, …).</summary>
    /// <param name="query">The query; null matches all.</param>
    /// <returns>The matches; empty when none match.</returns>
    Task<IReadOnlyList<HostComputeEndpoint>> EnumerateEndpointsAsync(HostComputeQuery? query, CancellationToken cancellationToken);

    /// <summary>Modifies an endpoint (HcnModifyEndpoint: policies or VM port).</summary>
    /// <param name="request">The modify request.</param>
    /// <returns>The endpoint after the change.</returns>
    /// <exception cref="HcnException">HCN_E_ENDPOINT_NOT_FOUND, HCN_E_PORT_ALREADY_EXISTS, HCN_E_POLICY_NOT_FOUND, …</exception>
    Task<HostComputeEndpoint> ModifyEndpointAsync(Guid endpointId, ModifyEndpointSettingRequest request, CancellationToken cancellationToken);

    /// <summary>Deletes an endpoint (detaching it from its namespace and load balancers' view).</summary>
    /// <exception cref="HcnException">HCN_E_ENDPOINT_NOT_FOUND when it does not exist.</exception>
    Task DeleteEndpointAsync(Guid endpointId, CancellationToken cancellationToken);

    // ---- namespaces ----

    /// <summary>Creates a namespace.</summary>
    /// <param name="hostComputeNamespace">The namespace (usually just a <c>Type</c>).</param>
    /// <returns>The namespace as HNS reports it, with its ID.</returns>
    /// <exception cref="HcnException">GCN_E_DEFAULTNAMESPACE_EXISTS for a second default namespace, HCN_E_INVALID_JSON, …</exception>
    Task<HostComputeNamespace> CreateNamespaceAsync(HostComputeNamespace hostComputeNamespace, CancellationToken cancellationToken);

    /// <summary>Opens a namespace by ID and queries its properties.</summary>
    /// <returns>The namespace, with its attached resources.</returns>
    /// <exception cref="HcnException">0x80070490 (ERROR_NOT_FOUND) when it does not exist.</exception>
    Task<HostComputeNamespace> GetNamespaceAsync(Guid namespaceId, CancellationToken cancellationToken);

    /// <summary>Lists the namespaces matching <paramref name="query"/> (<see cref="HostComputeQuery.DefaultNamespace"/>, …).</summary>
    /// <param name="query">The query; null matches all.</param>
    /// <returns>The matches; empty when none match.</returns>
    Task<IReadOnlyList<HostComputeNamespace>> EnumerateNamespacesAsync(HostComputeQuery? query, CancellationToken cancellationToken);

    /// <summary>Modifies a namespace (HcnModifyNamespace: attach/detach endpoints or containers).</summary>
    /// <param name="request">The modify request.</param>
    /// <returns>The namespace after the change.</returns>
    /// <exception cref="HcnException">0x80070490 for an unknown namespace; HCN_E_ENDPOINT_NOT_FOUND, HCN_E_ENDPOINT_NAMESPACE_ALREADY_EXISTS, HCN_E_ENDPOINT_NOT_ATTACHED, …</exception>
    Task<HostComputeNamespace> ModifyNamespaceAsync(Guid namespaceId, ModifyNamespaceSettingRequest request, CancellationToken cancellationToken);

    /// <summary>Deletes a namespace (attached endpoints are detached, not deleted).</summary>
    /// <exception cref="HcnException">0x80070490 (ERROR_NOT_FOUND) when it does not exist.</exception>
    Task DeleteNamespaceAsync(Guid namespaceId, CancellationToken cancellationToken);

    /// <summary>Attaches an endpoint to a namespace (ModifyNamespace Endpoint/Add).</summary>
    /// <exception cref="HcnException">0x80070490, HCN_E_ENDPOINT_NOT_FOUND, HCN_E_ENDPOINT_NAMESPACE_ALREADY_EXISTS, …</exception>
    async Task AddNamespaceEndpointAsync(Guid namespaceId, Guid endpointId, CancellationToken cancellationToken) =>
        await ModifyNamespaceAsync(
            namespaceId, ModifyNamespaceSettingRequest.ForEndpoint(RequestType.Add, endpointId), cancellationToken).ConfigureAwait(false);

    /// <summary>Detaches an endpoint from a namespace (ModifyNamespace Endpoint/Remove).</summary>
    /// <exception cref="HcnException">0x80070490, HCN_E_ENDPOINT_NOT_FOUND, HCN_E_ENDPOINT_NOT_ATTACHED, …</exception>
    async Task RemoveNamespaceEndpointAsync(Guid namespaceId, Guid endpointId, CancellationToken cancellationToken) =>
        await ModifyNamespaceAsync(
            namespaceId, ModifyNamespaceSettingRequest.ForEndpoint(RequestType.Remove, endpointId), cancellationToken).ConfigureAwait(false);

    // ---- load balancers ----

    /// <summary>Creates a load balancer.</summary>
    /// <returns>The load balancer as HNS reports it, with its ID.</returns>
    /// <exception cref="HcnException">HCN_E_ENDPOINT_NOT_FOUND for an unknown backend, HCN_E_PORT_ALREADY_EXISTS / 0x800700B7 for a duplicate frontend, …</exception>
    Task<HostComputeLoadBalancer> CreateLoadBalancerAsync(HostComputeLoadBalancer loadBalancer, CancellationToken cancellationToken);

    /// <summary>Opens a load balancer by ID and queries its properties.</summary>
    /// <exception cref="HcnException">0x80070490 (ERROR_NOT_FOUND) when it does not exist.</exception>
    Task<HostComputeLoadBalancer> GetLoadBalancerAsync(Guid loadBalancerId, CancellationToken cancellationToken);

    /// <summary>Lists the load balancers matching <paramref name="query"/>.</summary>
    /// <param name="query">The query; null matches all.</param>
    /// <returns>The matches; empty when none match.</returns>
    Task<IReadOnlyList<HostComputeLoadBalancer>> EnumerateLoadBalancersAsync(HostComputeQuery? query, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces a load balancer in place (HcnModifyLoadBalancer with the whole object, no request envelope; HNS 15.4+).
    /// </summary>
    /// <param name="loadBalancer">The complete new state.</param>
    /// <returns>The load balancer after the change.</returns>
    /// <exception cref="HcnException">E_NOTIMPL before HNS 15.4 (fall back to delete + create); 0x80070490 when it does not exist.</exception>
    Task<HostComputeLoadBalancer> ModifyLoadBalancerAsync(Guid loadBalancerId, HostComputeLoadBalancer loadBalancer, CancellationToken cancellationToken);

    /// <summary>Deletes a load balancer.</summary>
    /// <exception cref="HcnException">0x80070490 (ERROR_NOT_FOUND) when it does not exist.</exception>
    Task DeleteLoadBalancerAsync(Guid loadBalancerId, CancellationToken cancellationToken);

    // ---- SDN routes ----

    /// <summary>Creates an SDN route.</summary>
    /// <param name="route">The route; <c>HostComputeEndpoints</c> must not be empty.</param>
    /// <returns>The route as HNS reports it, with its ID.</returns>
    /// <exception cref="HcnException">E_INVALIDARG for no endpoints, HCN_E_ENDPOINT_NOT_FOUND, 0x8007007F when the export is missing, …</exception>
    Task<HostComputeRoute> CreateSdnRouteAsync(HostComputeRoute route, CancellationToken cancellationToken);

    /// <summary>Opens an SDN route by ID and queries its properties.</summary>
    /// <exception cref="HcnException">0x80070490 (ERROR_NOT_FOUND) when it does not exist.</exception>
    Task<HostComputeRoute> GetSdnRouteAsync(Guid routeId, CancellationToken cancellationToken);

    /// <summary>Lists the SDN routes matching <paramref name="query"/>.</summary>
    /// <param name="query">The query; null matches all.</param>
    /// <returns>The matches; empty when none match.</returns>
    Task<IReadOnlyList<HostComputeRoute>> EnumerateSdnRoutesAsync(HostComputeQuery? query, CancellationToken cancellationToken);

    /// <summary>Replaces an SDN route in place (HcnModifySdnRoute with the whole object; hcsshim itself deletes and recreates).</summary>
    /// <param name="route">The complete new state.</param>
    /// <returns>The route after the change.</returns>
    /// <exception cref="HcnException">0x80070490 when it does not exist; E_NOTIMPL where HNS does not support it.</exception>
    Task<HostComputeRoute> ModifySdnRouteAsync(Guid routeId, HostComputeRoute route, CancellationToken cancellationToken);

    /// <summary>Deletes an SDN route.</summary>
    /// <exception cref="HcnException">0x80070490 (ERROR_NOT_FOUND) when it does not exist.</exception>
    Task DeleteSdnRouteAsync(Guid routeId, CancellationToken cancellationToken);

    // ---- policies (ModifyNetwork / ModifyEndpoint with a Policy request) ----

    /// <summary>Adds network policies (e.g. RemoteSubnetRoute, HostRoute).</summary>
    /// <returns>The network after the change.</returns>
    /// <exception cref="HcnException">HCN_E_NETWORK_NOT_FOUND, HCN_E_POLICY_ALREADY_EXISTS, HCN_E_INVALID_POLICY(_TYPE).</exception>
    Task<HostComputeNetwork> AddNetworkPoliciesAsync(Guid networkId, IReadOnlyList<NetworkPolicy> policies, CancellationToken cancellationToken) =>
        ModifyNetworkAsync(networkId, ModifyNetworkSettingRequest.ForPolicies(RequestType.Add, policies), cancellationToken);

    /// <summary>Removes network policies (matched by type and settings).</summary>
    /// <returns>The network after the change.</returns>
    /// <exception cref="HcnException">HCN_E_NETWORK_NOT_FOUND, HCN_E_POLICY_NOT_FOUND.</exception>
    Task<HostComputeNetwork> RemoveNetworkPoliciesAsync(Guid networkId, IReadOnlyList<NetworkPolicy> policies, CancellationToken cancellationToken) =>
        ModifyNetworkAsync(networkId, ModifyNetworkSettingRequest.ForPolicies(RequestType.Remove, policies), cancellationToken);

    /// <summary>Updates network policies in place.</summary>
    /// <returns>The network after the change.</returns>
    /// <exception cref="HcnException">HCN_E_NETWORK_NOT_FOUND, HCN_E_INVALID_POLICY.</exception>
    Task<HostComputeNetwork> UpdateNetworkPoliciesAsync(Guid networkId, IReadOnlyList<NetworkPolicy> policies, CancellationToken cancellationToken) =>
        ModifyNetworkAsync(networkId, ModifyNetworkSettingRequest.ForPolicies(RequestType.Update, policies), cancellationToken);

    /// <summary>Adds endpoint policies (e.g. PortMapping, ACL, L4WFPPROXY).</summary>
    /// <returns>The endpoint after the change.</returns>
    /// <exception cref="HcnException">HCN_E_ENDPOINT_NOT_FOUND, HCN_E_PORT_ALREADY_EXISTS, HCN_E_POLICY_ALREADY_EXISTS.</exception>
    Task<HostComputeEndpoint> AddEndpointPoliciesAsync(Guid endpointId, IReadOnlyList<EndpointPolicy> policies, CancellationToken cancellationToken) =>
        ModifyEndpointAsync(endpointId, ModifyEndpointSettingRequest.ForPolicies(RequestType.Add, policies), cancellationToken);

    /// <summary>Removes endpoint policies.</summary>
    /// <returns>The endpoint after the change.</returns>
    /// <exception cref="HcnException">HCN_E_ENDPOINT_NOT_FOUND, HCN_E_POLICY_NOT_FOUND.</exception>
    Task<HostComputeEndpoint> RemoveEndpointPoliciesAsync(Guid endpointId, IReadOnlyList<EndpointPolicy> policies, CancellationToken cancellationToken) =>
        ModifyEndpointAsync(endpointId, ModifyEndpointSettingRequest.ForPolicies(RequestType.Remove, policies), cancellationToken);

    /// <summary>Updates endpoint policies (hcsshim uses Update to replace ACL and TierAcl sets).</summary>
    /// <returns>The endpoint after the change.</returns>
    /// <exception cref="HcnException">HCN_E_ENDPOINT_NOT_FOUND, HCN_E_INVALID_POLICY.</exception>
    Task<HostComputeEndpoint> UpdateEndpointPoliciesAsync(Guid endpointId, IReadOnlyList<EndpointPolicy> policies, CancellationToken cancellationToken) =>
        ModifyEndpointAsync(endpointId, ModifyEndpointSettingRequest.ForPolicies(RequestType.Update, policies), cancellationToken);

    // ---- write batches ----

    /// <summary>
    /// Starts a write batch for the calling async flow (<see cref="HcnWriteBatch"/>): a dataplane that can realize
    /// several writes in one transaction (KernelHcn) holds them until <see cref="HcnWriteBatch.CommitAsync"/>; others
    /// return <see cref="HcnWriteBatch.None"/> and realize each write as it is made.
    /// </summary>
    /// <returns>The batch; dispose it when the writes are done.</returns>
    HcnWriteBatch BeginWriteBatch() => HcnWriteBatch.None;

    // ---- version and features ----

    /// <summary>The HNS service version (<c>HNSCall GET /globals/version</c>).</summary>
    /// <exception cref="HcnException">The version could not be read (pre-1803 HNS, or the service is down).</exception>
    Task<HcnVersion> GetVersionAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The features of this HNS (hcsshim hcn/hcnglobals.go version ranges); <see cref="HcnFeatures.None"/> when the version cannot be read, as
    /// hcsshim does. Implementations may cache it for the process lifetime.
    /// </summary>
    /// <returns>The feature set.</returns>
    async Task<HcnFeatures> GetFeaturesAsync(CancellationToken cancellationToken)
    {
        try
        {
            return HcnFeatures.FromVersion(await GetVersionAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (HcnException)
        {
            return HcnFeatures.None;
        }
    }
}
