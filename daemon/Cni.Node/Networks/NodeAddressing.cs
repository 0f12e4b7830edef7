using System.Net;

namespace Cni.Node.Networks;

/// <summary>The node's addressing that the pod network depends on: its pod CIDRs and its own address.</summary>
/// <param name="PodCidrs">This node's pod CIDRs (at most one per family).</param>
/// <param name="NodeIp">The node's address (VXLAN provider address, L2Bridge host route), or null when unknown.</param>
public sealed record NodeAddressing(IReadOnlyList<IPNetwork> PodCidrs, IPAddress? NodeIp);
