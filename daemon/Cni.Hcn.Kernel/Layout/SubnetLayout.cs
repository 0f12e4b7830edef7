using System.Net;

namespace Cni.Hcn.Kernel.Layout;

/// <summary>A subnet of a network and the gateway address the bridge carries for it.</summary>
/// <param name="Prefix">The subnet.</param>
/// <param name="Gateway">The gateway (the next hop of the subnet's routes that lies inside it, else the first host).</param>
internal sealed record SubnetLayout(IPNetwork Prefix, IPAddress Gateway);
