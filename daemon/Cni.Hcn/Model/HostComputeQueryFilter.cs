using System.Text.Json.Serialization;

namespace Cni.Hcn.Model;

/// <summary>
/// The filter object of a <see cref="HostComputeQuery"/> (the keys hcsshim, kube-proxy and SDN-psm1 use). All members are
/// omitted when empty; an empty filter matches everything.
/// </summary>
public sealed record HostComputeQueryFilter
{
    /// <summary>Match by object ID.</summary>
    [JsonPropertyName("ID")]
    public Guid Id { get; init; }

    /// <summary>Match by name.</summary>
    public string? Name { get; init; }

    /// <summary>Endpoints of a network (v1 key, still the one HNS accepts for endpoints).</summary>
    public Guid VirtualNetwork { get; init; }

    /// <summary>Endpoints of a network, by network name (SDN-psm1).</summary>
    public string? VirtualNetworkName { get; init; }

    /// <summary>The host default namespace (with <see cref="HostComputeQueryFlags.Detailed"/>).</summary>
    public bool? IsDefault { get; init; }
}
