using System.Net;

namespace Cni.Hcn.Kernel.Nftables;

/// <summary>One frontend of a rendered load balancer and the backends its new connections are DNAT'd to.</summary>
/// <param name="Protocol">IPPROTO_* of the port mapping (6 TCP, 17 UDP).</param>
/// <param name="Vip">The VIP; null for a frontend without VIP (a NodePort: any local address outside 127.0.0.0/8).</param>
/// <param name="Port">The external port.</param>
/// <param name="Backends">Backend address and internal port, one per backend; empty when the frontend rejects.</param>
internal sealed record ServiceFrontend(byte Protocol, IPAddress? Vip, ushort Port, IReadOnlyList<IPEndPoint> Backends);
