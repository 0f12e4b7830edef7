using System.Net;

namespace Cni.Node.Peers;

/// <summary>
/// One route this node wants towards another node's pods: overlay, a RemoteSubnetRoute network policy (VXLAN to
/// <see cref="Via"/> with the peer's VTEP MAC); l2bridge, an SDN route with <see cref="Via"/> as next hop.
/// </summary>
/// <param name="NodeName">The peer Node the route leads to.</param>
/// <param name="Destination">The peer's pod CIDR.</param>
/// <param name="Via">Overlay: the peer's provider (public) address; l2bridge: the next hop (the peer node's IP).</param>
/// <param name="VtepMac">Overlay: the peer's VTEP MAC in HCN's dash form; null on l2bridge.</param>
/// <param name="Vni">Overlay: the VXLAN network identifier (the IsolationId); 0 on l2bridge.</param>
public sealed record PeerRoute(string NodeName, IPNetwork Destination, IPAddress Via, string? VtepMac, int Vni);
