using System.Net;

namespace Cni.Spec.Capabilities;

/// <summary>One candidate pool of the <c>ipRanges</c> capability.</summary>
public sealed record IpRange
{
    public required IpAddressWithPrefix Subnet { get; init; }

    public IPAddress? RangeStart { get; init; }

    public IPAddress? RangeEnd { get; init; }

    public IPAddress? Gateway { get; init; }
}
