namespace Cni.Node.Services;

/// <summary>The outcome of one engine pass: counts for metrics, failures, and per-Service status.</summary>
/// <param name="Created">Load balancers created.</param>
/// <param name="Modified">Load balancers changed in place.</param>
/// <param name="Recreated">Load balancers changed by delete and create.</param>
/// <param name="Deleted">Owned load balancers deleted because nothing wants them.</param>
/// <param name="Unchanged">Desired load balancers HCN already had.</param>
/// <param name="RemoteEndpointsCreated">Remote endpoints created.</param>
/// <param name="RemoteEndpointsDeleted">Remote endpoints deleted (no load balancer refers to them any more).</param>
/// <param name="Failures">Objects that failed this pass or are waiting out their backoff.</param>
/// <param name="Services">Per Service, in input order.</param>
public sealed record LoadBalancerPassReport(
    int Created,
    int Modified,
    int Recreated,
    int Deleted,
    int Unchanged,
    int RemoteEndpointsCreated,
    int RemoteEndpointsDeleted,
    IReadOnlyList<ObjectFailure> Failures,
    IReadOnlyList<ServiceProxyStatus> Services)
{
    /// <summary>Remote endpoints deleted and created again because their provider address was wrong.</summary>
    public int RemoteEndpointsReplaced { get; init; }

    /// <summary>Overlay ClusterIP VIP endpoints created (or re-created with this node's new address).</summary>
    public int VipEndpointsCreated { get; init; }

    /// <summary>Overlay ClusterIP VIP endpoints deleted (no ClusterIP load balancer wants them).</summary>
    public int VipEndpointsDeleted { get; init; }

    /// <summary>Whether the pass listed HCN (a resync, or no trusted view) instead of trusting its view.</summary>
    public bool Listed { get; init; }

    /// <summary>HCN reads the pass made (listings, the version query).</summary>
    public int HcnReads { get; init; }

    /// <summary>HCN writes the pass attempted (creates, modifies, deletes), failed ones included.</summary>
    public int HcnWrites { get; init; }

    /// <summary>Whether the pass wrote to HCN.</summary>
    public bool Changed => Created + Modified + Recreated + Deleted + RemoteEndpointsCreated + RemoteEndpointsDeleted + RemoteEndpointsReplaced
        + VipEndpointsCreated + VipEndpointsDeleted > 0;
}
