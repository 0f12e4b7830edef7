namespace Cni.Node.Configuration;

/// <summary>
/// The HCN network type the pod network has. It decides which addresses of a pool are reserved (IPAM's
/// <c>IpPool</c>), the network document, the endpoint policies and whether peers get routes; what each mode allows is
/// in <see cref="NetworkModeRules"/>, so a new mode is a member here, a case in <c>IpPool</c>'s reservation table and
/// one there.
/// </summary>
public enum NetworkMode
{
    /// <summary>HNS L2Bridge (flannel host-gw, win-bridge, sdnbridge). Dual-stack capable.</summary>
    L2Bridge,

    /// <summary>HNS Overlay (VXLAN). IPv4 only, as HNS overlay networks are.</summary>
    Overlay,

    /// <summary>
    /// HNS NAT: pods on a private subnet behind the host (WinNAT), outbound traffic masqueraded, inbound only through
    /// host ports (PortMapping policies). No routes to other nodes: a single-node developer cluster.
    /// </summary>
    Nat,

    /// <summary>
    /// HNS Transparent: pods directly on the physical network with addresses from the operator's static pool
    /// (<see cref="StaticPoolOptions"/>), the physical network's gateway, no NAT.
    /// </summary>
    Transparent,

    /// <summary>
    /// HNS L2Tunnel: every pod packet is sent to the physical host's virtual switch, which only Azure's host
    /// networking (the VFP/SDN agent of an Azure host) forwards. Accepted and serialized; no dataplane outside Azure.
    /// </summary>
    L2Tunnel,
}
