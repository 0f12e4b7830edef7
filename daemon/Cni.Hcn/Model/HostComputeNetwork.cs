using System.Text.Json.Serialization;
using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Model;

/// <summary>
/// An HCN network (hcsshim hcn/hcnnetwork.go; MS-docs <c>HostComputeNetwork</c>). Empty members are omitted on write; on read a missing <c>Type</c> is NAT, because
/// HNS leaves out its default.
/// </summary>
public sealed record HostComputeNetwork
{
    private readonly SchemaVersion _schemaVersion = SchemaVersion.V2;

    private readonly NetworkType _type = NetworkType.Nat;

    /// <summary>Assigned by HNS; <see cref="Guid.Empty"/> (omitted) on create.</summary>
    [JsonPropertyName("ID")]
    public Guid Id { get; init; }

    public string? Name { get; init; }

    /// <summary>Network type; NAT when not set or absent (HNS omits its default; hcsshim hcn/hcnnetwork.go presets NAT before reading).</summary>
    public NetworkType Type
    {
        get => _type;
        init => _type = value.Value is null ? NetworkType.Nat : value;
    }

    /// <summary>Network policies.</summary>
    public IReadOnlyList<NetworkPolicy>? Policies { get; init; }

    public MacPool? MacPool { get; init; }

    /// <summary>DNS settings.</summary>
    public Dns? Dns { get; init; }

    /// <summary>IPAM blocks.</summary>
    public IReadOnlyList<Ipam>? Ipams { get; init; }

    /// <summary>Flags (a number).</summary>
    public NetworkFlags Flags { get; init; }

    /// <summary>Health (output; hcsshim sends <c>{"Extra":{}}</c>).</summary>
    public Health? Health { get; init; }

    /// <summary>Schema version; 2.0 when not set or absent (null is taken as 2.0, so it is always written).</summary>
    public SchemaVersion SchemaVersion
    {
        get => _schemaVersion;
        init => _schemaVersion = value ?? SchemaVersion.V2;
    }
}
