using System.Text.Json.Serialization;
using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Model;

/// <summary>An HCN endpoint (hcsshim hcn/hcnendpoint.go; MS-docs <c>HostComputeEndpoint</c>).</summary>
public sealed record HostComputeEndpoint
{
    private readonly SchemaVersion _schemaVersion = SchemaVersion.V2;

    /// <summary>Assigned by HNS; <see cref="Guid.Empty"/> (omitted) on create.</summary>
    [JsonPropertyName("ID")]
    public Guid Id { get; init; }

    /// <summary>Name (wincni names endpoints deterministically and finds them by name).</summary>
    public string? Name { get; init; }

    /// <summary>The network's ID.</summary>
    public Guid HostComputeNetwork { get; init; }

    /// <summary>
    /// Output only: the namespace the endpoint is attached to. Must be empty on create (attach through the namespace).
    /// </summary>
    public Guid HostComputeNamespace { get; init; }

    /// <summary>Endpoint policies.</summary>
    public IReadOnlyList<EndpointPolicy>? Policies { get; init; }

    /// <summary>IP configurations; dual-stack endpoints carry two.</summary>
    public IReadOnlyList<IpConfig>? IpConfigurations { get; init; }

    /// <summary>DNS settings.</summary>
    public Dns? Dns { get; init; }

    /// <summary>Routes, e.g. the default route via the pod gateway.</summary>
    public IReadOnlyList<Route>? Routes { get; init; }

    /// <summary>MAC address in dash form.</summary>
    public string? MacAddress { get; init; }

    /// <summary>Flags (a number).</summary>
    public EndpointFlags Flags { get; init; }

    /// <summary>Health (output).</summary>
    public Health? Health { get; init; }

    /// <summary>Schema version; 2.0 when not set or absent (null is taken as 2.0, so it is always written).</summary>
    public SchemaVersion SchemaVersion
    {
        get => _schemaVersion;
        init => _schemaVersion = value ?? SchemaVersion.V2;
    }
}
