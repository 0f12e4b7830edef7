using System.Net;

namespace Cni.Node.Configuration;

/// <summary>One allow-list entry of a firewall direction: traffic with these peers, protocol and ports passes.</summary>
public sealed record FirewallRule
{
    /// <summary>The remote side (the peer): CIDRs; empty means any address.</summary>
    public IReadOnlyList<IPNetwork> Remote { get; init; } = [];

    /// <summary><c>tcp</c>, <c>udp</c>, <c>icmp</c> (ICMPv4 and ICMPv6), or null for every protocol.</summary>
    public string? Protocol { get; init; }

    /// <summary>
    /// Destination ports (tcp/udp only): inbound the pod's own ports, outbound the peer's; empty means every port.
    /// </summary>
    public IReadOnlyList<int> Ports { get; init; } = [];
}
