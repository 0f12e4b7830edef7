using System.Net.Sockets;

namespace Cni.Node.Ipam;

/// <summary>
/// A committed lease: one address per configured pool (both families when dual-stack). Only returned once its
/// journal record is on disk.
/// </summary>
/// <param name="Key">The attachment (container ID, interface name).</param>
/// <param name="Owner">Network, netns and pod.</param>
/// <param name="Addresses">One address per pool, in pool order (IPv4 first when both are configured).</param>
/// <param name="AllocatedAt">When the lease was created.</param>
public sealed record IpLease(LeaseKey Key, LeaseOwner Owner, IReadOnlyList<LeasedAddress> Addresses, DateTimeOffset AllocatedAt)
{
    /// <summary>The IPv4 address, if any.</summary>
    public LeasedAddress? IPv4 => Addresses.FirstOrDefault(a => a.Family == AddressFamily.InterNetwork);

    /// <summary>The IPv6 address, if any.</summary>
    public LeasedAddress? IPv6 => Addresses.FirstOrDefault(a => a.Family == AddressFamily.InterNetworkV6);
}
