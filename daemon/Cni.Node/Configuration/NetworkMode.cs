namespace Cni.Node.Configuration;

/// <summary>
/// The HCN network type the pod CIDR belongs to. It decides which addresses of a pool are reserved
/// (IPAM's <c>IpPool</c>). NAT, Transparent and L2Tunnel are expected later: add a member here and a
/// case in <c>IpPool</c>'s reservation table and <see cref="NetworkModeRules"/>.
/// </summary>
public enum NetworkMode
{
    /// <summary>HNS L2Bridge (flannel host-gw, win-bridge, sdnbridge). Dual-stack capable.</summary>
    L2Bridge,

    /// <summary>HNS Overlay (VXLAN). IPv4 only, as HNS overlay networks are.</summary>
    Overlay,
}
