using System.Net;

namespace Cni.Node.Configuration;

/// <summary>
/// Transparent mode's addresses (node config section <c>staticPool</c>): pods take addresses of the physical network
/// from <see cref="RangeStart"/>..<see cref="RangeEnd"/> and route through the physical network's
/// <see cref="Gateway"/>, as an HNS Transparent network with a static IPAM subnet does (MS-docs "Transparent": "IPs
/// can be assigned statically"). The operator keeps the range out of the network's DHCP scope and away from other
/// hosts' addresses.
/// </summary>
public sealed record StaticPoolOptions
{
    /// <summary>The physical network's subnet, e.g. 192.168.50.0/24 (the HCN network's subnet).</summary>
    public required IPNetwork Subnet { get; init; }

    /// <summary>The physical network's router: the pods' default gateway.</summary>
    public required IPAddress Gateway { get; init; }

    /// <summary>First address pods may get (inclusive).</summary>
    public required IPAddress RangeStart { get; init; }

    /// <summary>Last address pods may get (inclusive).</summary>
    public required IPAddress RangeEnd { get; init; }
}
