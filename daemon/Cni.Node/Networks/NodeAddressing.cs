using System.Net;

namespace Cni.Node.Networks;

/// <summary>The node's addressing that the pod network depends on: its pod CIDRs and its own address.</summary>
/// <param name="PodCidrs">This node's pod CIDRs (at most one per family).</param>
/// <param name="NodeIp">The node's address (VXLAN provider address, L2Bridge host route), or null when unknown.</param>
public sealed record NodeAddressing(IReadOnlyList<IPNetwork> PodCidrs, IPAddress? NodeIp)
{
    /// <summary>
    /// The node's addresses of the other families than <see cref="NodeIp"/>'s (a dual-stack node's IPv6 InternalIP
    /// beside its IPv4 node address), at most one per family: the service proxy serves a family only where the node
    /// has an address in it, as kube-proxy needs a node IP per family.
    /// </summary>
    public IReadOnlyList<IPAddress> OtherFamilyIps { get; init; } = [];
}
