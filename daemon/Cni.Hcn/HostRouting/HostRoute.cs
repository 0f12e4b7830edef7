using System.Net;
using System.Net.Sockets;

namespace Cni.Hcn.HostRouting;

/// <summary>A route of the host's route table: destination prefix via a next hop out of one interface.</summary>
/// <param name="Destination">The destination prefix.</param>
/// <param name="NextHop">The gateway; <see cref="IPAddress.Any"/> (or <see cref="IPAddress.IPv6Any"/>) for an on-link route.</param>
/// <param name="InterfaceIndex">The interface the route leaves by.</param>
/// <param name="Metric">The route metric; 0 on add means the platform's default.</param>
public sealed record HostRoute(IPNetwork Destination, IPAddress NextHop, int InterfaceIndex, uint Metric = 0)
{
    /// <summary>The metric <c>New-NetRoute</c> gives a route when none is asked for (MicrosoftDocs New-NetRoute.md).</summary>
    public const uint WindowsDefaultMetric = 256;

    /// <summary>The address family of the destination.</summary>
    public AddressFamily Family => Destination.BaseAddress.AddressFamily;

    /// <summary>True when the route has no gateway.</summary>
    public bool IsOnLink => NextHop.Equals(IPAddress.Any) || NextHop.Equals(IPAddress.IPv6Any);

    /// <summary>Same destination, next hop and interface: the identity of a route (the metric is not part of it).</summary>
    /// <param name="other">The other route.</param>
    /// <returns>True when both name the same route.</returns>
    public bool SameRoute(HostRoute other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Destination.Equals(other.Destination) && NextHop.Equals(other.NextHop) && InterfaceIndex == other.InterfaceIndex;
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Destination}{(IsOnLink ? string.Empty : $" via {NextHop}")} if#{InterfaceIndex}{(Metric == 0 ? string.Empty : $" metric {Metric}")}";
}
