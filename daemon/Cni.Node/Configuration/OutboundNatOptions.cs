using System.Net;

namespace Cni.Node.Configuration;

/// <summary>
/// The pods' OutBoundNAT policy (node config section <c>outboundNat</c>): whether pod egress leaves with the node's
/// address, and which destinations beside the cluster CIDRs, service CIDRs and the node itself keep the pod's address.
/// </summary>
public sealed record OutboundNatOptions
{
    /// <summary>
    /// Whether pods get an OutBoundNAT policy. Off: pods' own addresses reach every destination, so the network
    /// around the node must route the pod CIDRs back (docker's <c>com.docker.network.windowsshim.enable_outboundnat</c>
    /// on l2bridge networks is the same switch).
    /// </summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Destinations not NATed in addition to the cluster CIDRs, service CIDRs and the node IP.</summary>
    public IReadOnlyList<IPNetwork> Exceptions { get; init; } = [];
}
