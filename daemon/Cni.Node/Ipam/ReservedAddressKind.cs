namespace Cni.Node.Ipam;

/// <summary>Why an address of a pool is never handed to a pod.</summary>
public enum ReservedAddressKind
{
    /// <summary>The first address of the CIDR (IPv4 network address; IPv6 subnet-router anycast, RFC 4291 §2.6.1).</summary>
    Network,

    /// <summary>The first usable address (<c>.1</c>): the HNS network's subnet gateway in every mode.</summary>
    Gateway,

    /// <summary>
    /// L2Bridge only: the second usable address (<c>.2</c>), the host's bridge endpoint (flannel host-gw
    /// <c>cbr0_ep</c>, sdnbridge <c>forceBridgeGateway</c>); pods on L2Bridge use it as their default gateway.
    /// </summary>
    HostEndpoint,

    /// <summary>
    /// Overlay only: the service proxy's SNAT source VIP (kube-proxy <c>--source-vip</c>); the last usable
    /// address of the pool, see <see cref="IpPool.OverlaySourceVipIndexFromEnd"/>.
    /// </summary>
    ServiceSourceVip,

    /// <summary>IPv4 only: the last address of the CIDR (directed broadcast).</summary>
    Broadcast,
}
