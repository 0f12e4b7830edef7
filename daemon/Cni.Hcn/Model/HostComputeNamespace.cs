using System.Text.Json.Serialization;

namespace Cni.Hcn.Model;

/// <summary>
/// An HCN namespace (hcsshim hcn/hcnnamespace.go; MS-docs <c>HostComputeNamespace</c>). Its <see cref="Id"/> is what the container runtime passes to CNI as the netns.
/// </summary>
public sealed record HostComputeNamespace
{
    private readonly SchemaVersion _schemaVersion = SchemaVersion.V2;

    /// <summary>Assigned by HNS; <see cref="Guid.Empty"/> (omitted) on create.</summary>
    [JsonPropertyName("ID")]
    public Guid Id { get; init; }

    /// <summary>The network compartment ID (0 = omitted).</summary>
    public uint NamespaceId { get; init; }

    /// <summary>MS-docs <c>NamespaceGuid</c> (output).</summary>
    public Guid NamespaceGuid { get; init; }

    /// <summary>Namespace type; <c>default</c> is omitted.</summary>
    public NamespaceType Type { get; init; }

    /// <summary>Attached endpoints and containers (output).</summary>
    public IReadOnlyList<NamespaceResource>? Resources { get; init; }

    /// <summary>containerd's pause-less flag (HNS 15.2 or 13.4+; not in hcsshim main). Omitted when null.</summary>
    public bool? ReadyOnCreate { get; init; }

    /// <summary>SDN-psm1's create flag. Omitted when null.</summary>
    public bool? CreateWithCompartment { get; init; }

    /// <summary>Schema version; 2.0 when not set or absent (null is taken as 2.0, so it is always written).</summary>
    public SchemaVersion SchemaVersion
    {
        get => _schemaVersion;
        init => _schemaVersion = value ?? SchemaVersion.V2;
    }
}
