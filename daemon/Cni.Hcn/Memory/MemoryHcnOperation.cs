namespace Cni.Hcn.Memory;

/// <summary>
/// One <see cref="IHcn"/> call as <see cref="MemoryHcn"/> counts it, injects faults into it and delays it. The policy
/// and attach helpers of <see cref="IHcn"/> count as the Modify call they make, which is what they cost on HNS.
/// </summary>
public enum MemoryHcnOperation
{
    CreateNetwork,
    GetNetwork,
    EnumerateNetworks,
    ModifyNetwork,
    DeleteNetwork,
    CreateEndpoint,
    GetEndpoint,
    EnumerateEndpoints,
    ModifyEndpoint,
    DeleteEndpoint,
    CreateNamespace,
    GetNamespace,
    EnumerateNamespaces,
    ModifyNamespace,
    DeleteNamespace,
    CreateLoadBalancer,
    GetLoadBalancer,
    EnumerateLoadBalancers,
    ModifyLoadBalancer,
    DeleteLoadBalancer,
    CreateSdnRoute,
    GetSdnRoute,
    EnumerateSdnRoutes,
    ModifySdnRoute,
    DeleteSdnRoute,
    GetVersion,
}
