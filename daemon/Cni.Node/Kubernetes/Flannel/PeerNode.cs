using System.Net;
using System.Net.NetworkInformation;

namespace Cni.Node.Kubernetes.Flannel;

/// <summary>
/// A peer node as the overlay/routes controller needs it, parsed and validated from its Node object by
/// <see cref="FlannelAnnotations.ParsePeer"/>.
/// </summary>
/// <param name="Name">The Node's name.</param>
/// <param name="PodCidrs">The Node's pod CIDRs (<c>spec.podCIDRs</c>, else <c>spec.podCIDR</c>); never empty.</param>
/// <param name="BackendType">The backend the peer published.</param>
/// <param name="Vni">vxlan: the VNI from <c>backend-data</c>; host-gw: null.</param>
/// <param name="VtepMac">vxlan: the VTEP MAC from <c>backend-data</c>; host-gw: null. Format it with <see cref="MacAddressText"/>.</param>
/// <param name="PublicIp">The underlay address: <c>public-ip-overwrite</c>, else <c>public-ip</c>, else the InternalIP.</param>
public sealed record PeerNode(
    string Name,
    IReadOnlyList<IPNetwork> PodCidrs,
    FlannelBackendType BackendType,
    int? Vni,
    PhysicalAddress? VtepMac,
    IPAddress PublicIp)
{
    /// <summary>Its IPv6 underlay address (public-ipv6, else its IPv6 InternalIP), the next hop of its IPv6 pod CIDR; null when none.</summary>
    public IPAddress? PublicIpv6 { get; init; }

    /// <inheritdoc/>
    public bool Equals(PeerNode? other) =>
        other is not null
        && Name == other.Name
        && PodCidrs.SequenceEqual(other.PodCidrs)
        && BackendType == other.BackendType
        && Vni == other.Vni
        && Equals(VtepMac, other.VtepMac)
        && PublicIp.Equals(other.PublicIp)
        && Equals(PublicIpv6, other.PublicIpv6);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Name, PodCidrs.Count, BackendType, Vni, VtepMac, PublicIp);
}
