using System.Net;

namespace Cni.Hcn.Kernel.Netlink;

/// <summary>
/// An IPv4/IPv6 unicast route in the main table: destination prefix, optional gateway, optional output link, and
/// whether the gateway is reachable on-link without a covering prefix (RTNH_F_ONLINK, flannel's VXLAN layout).
/// </summary>
/// <param name="Destination">The destination prefix (0.0.0.0/0 for default).</param>
/// <param name="Gateway">The next hop, if any (a device route when null).</param>
/// <param name="OutputIndex">The output link, if pinned.</param>
/// <param name="OnLink">RTNH_F_ONLINK.</param>
internal sealed record RouteSpec(IPNetwork Destination, IPAddress? Gateway = null, int OutputIndex = 0, bool OnLink = false);
