using System.Net;
using System.Net.Sockets;
using Cni.Node.Configuration;

namespace Cni.Node.Services;

/// <summary>What translation needs to know about this node and its dataplane.</summary>
/// <param name="NodeName">This node's Node name (endpoint <c>nodeName</c> equal to it is local).</param>
/// <param name="Zone">Its topology.kubernetes.io/zone label, or null (zone hints are then ignored).</param>
/// <param name="Mode">The node network's mode; overlay carries IPv4 only.</param>
/// <param name="NodeAddresses">The node's IPs, at most one per family; a family without one is not served.</param>
/// <param name="SourceVips">The SNAT source per family: on overlay the address wincnid reserves in its pod CIDR; on l2bridge usually none.</param>
/// <param name="PodCidrs">Every pod CIDR of the cluster: on overlay a backend outside them is not in the VXLAN network.</param>
/// <param name="Dsr">HNS supports DSR (HcnFeatures.Dsr) and the config has not turned it off.</param>
public sealed record ProxyNodeFacts(
    string NodeName,
    string? Zone,
    NetworkMode Mode,
    IReadOnlyList<IPAddress> NodeAddresses,
    IReadOnlyList<IPAddress> SourceVips,
    IReadOnlyList<IPNetwork> PodCidrs,
    bool Dsr)
{
    /// <summary>
    /// Whether HNS has load-balancer client-IP affinity (HcnFeatures.SessionAffinity, HNS 12.0); true unless told otherwise.
    /// </summary>
    public bool SessionAffinity { get; init; } = true;

    /// <summary>The HNS version as text, for conditions that name it.</summary>
    public string HnsVersion { get; init; } = "unknown";

    /// <summary>The node's address of <paramref name="family"/>, or null.</summary>
    public IPAddress? NodeAddressOf(AddressFamily family) => OfFamily(NodeAddresses, family);

    /// <summary>The configured source VIP of <paramref name="family"/>, or null.</summary>
    public IPAddress? SourceVipOf(AddressFamily family) => OfFamily(SourceVips, family);

    /// <summary>Whether this node serves <paramref name="family"/>: the mode carries it and the node has an address in it.</summary>
    public bool Serves(AddressFamily family) => Mode.SupportsFamily(family) && NodeAddressOf(family) is not null;

    /// <summary>Whether <paramref name="address"/> is a pod address (inside one of <see cref="PodCidrs"/>).</summary>
    public bool IsPodAddress(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        foreach (var cidr in PodCidrs)
        {
            if (cidr.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    private static IPAddress? OfFamily(IReadOnlyList<IPAddress> addresses, AddressFamily family)
    {
        foreach (var address in addresses)
        {
            if (address.AddressFamily == family)
            {
                return address;
            }
        }

        return null;
    }
}
