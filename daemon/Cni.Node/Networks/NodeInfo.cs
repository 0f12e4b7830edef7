using System.Net;

namespace Cni.Node.Networks;

/// <summary>What the node network depends on that comes from the node itself.</summary>
/// <param name="PodCidrs">This node's pod CIDRs (at most one per family).</param>
/// <param name="NodeIp">The node's address (VXLAN provider address, L2Bridge host route), or null when unknown.</param>
public sealed record NodeInfo(IReadOnlyList<IPNetwork> PodCidrs, IPAddress? NodeIp);
