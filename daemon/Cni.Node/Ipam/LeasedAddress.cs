using System.Net;
using System.Net.Sockets;

namespace Cni.Node.Ipam;

/// <summary>One address of a lease with the pool (subnet) it came from.</summary>
/// <param name="Address">The pod's address.</param>
/// <param name="Subnet">The pool CIDR; its prefix length is the pod's prefix length.</param>
public sealed record LeasedAddress(IPAddress Address, IPNetwork Subnet)
{
    /// <summary>IPv4 or IPv6.</summary>
    public AddressFamily Family => Address.AddressFamily;

    /// <summary>CNI's "address with prefix" form, e.g. 10.244.1.5/24.</summary>
    public override string ToString() => $"{Address}/{Subnet.PrefixLength}";
}
