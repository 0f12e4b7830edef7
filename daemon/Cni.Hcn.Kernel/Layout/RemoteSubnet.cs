using System.Net;
using System.Net.NetworkInformation;

namespace Cni.Hcn.Kernel.Layout;

/// <summary>
/// A RemoteSubnetRoute in flannel's Linux VXLAN layout: route to <see cref="Prefix"/> via <see cref="NextHop"/> (the
/// remote subnet's <c>.0</c>) onlink on the VXLAN device, a permanent neighbour NextHop → <see cref="Mac"/>, and an FDB
/// entry Mac → <see cref="Provider"/>.
/// </summary>
internal sealed record RemoteSubnet(IPNetwork Prefix, IPAddress NextHop, PhysicalAddress? Mac, IPAddress Provider);
