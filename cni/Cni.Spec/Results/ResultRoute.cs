using System.Net;

namespace Cni.Spec.Results;

/// <summary>
/// One entry of a result's <c>routes</c>. Everything after <see cref="Gw"/> is 1.1.0 only and is dropped when a result
/// is written in an older version (containernetworking/cni's converters keep them; a strict writer emits only what the
/// target version defines).
/// </summary>
public sealed record ResultRoute
{
    public required IpAddressWithPrefix Dst { get; init; }

    public IPAddress? Gw { get; init; }

    public int? Mtu { get; init; }

    public int? AdvMss { get; init; }

    /// <summary>Lower wins.</summary>
    public int? Priority { get; init; }

    public int? Table { get; init; }

    /// <summary>0 global, 253 link, 254 host.</summary>
    public int? Scope { get; init; }
}
