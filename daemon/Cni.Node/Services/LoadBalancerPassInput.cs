using System.Net;

namespace Cni.Node.Services;

/// <summary>Everything one engine pass needs: the full desired state and how to reach remote backends.</summary>
/// <param name="Services">Every Service's translation (the whole desired set: what is absent is deleted).</param>
/// <param name="NetworkId">The pod network; local backends are found among its endpoints, remote endpoints are created on it.</param>
/// <param name="Overlay">Remote endpoints carry a ProviderAddress policy (the VXLAN underlay address of the owning node).</param>
/// <param name="ProviderAddresses">Overlay: Node name → its provider (underlay) address.</param>
/// <param name="LocalProviderAddress">Overlay: this node's address, the PA of a backend no node owns (winkernel's "public IP" case).</param>
public sealed record LoadBalancerPassInput(
    IReadOnlyList<ServiceTranslation> Services,
    Guid NetworkId,
    bool Overlay,
    IReadOnlyDictionary<string, IPAddress> ProviderAddresses,
    IPAddress? LocalProviderAddress)
{
    /// <summary>
    /// List HCN and compare every load balancer with what it holds (the periodic resync, which repairs changes made
    /// behind the engine's back). False (an event-driven pass): trust what the last listing and the engine's own
    /// writes since say, and plan only desired load balancers that changed. The engine lists anyway when it has no
    /// trusted view (first pass, or a write or listing failed since).
    /// </summary>
    public bool Resync { get; init; } = true;
}
