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
    IPAddress? LocalProviderAddress);
