using System.Text.Json.Serialization;
using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Model;

/// <summary>
/// An HCN SDN route (hcsshim hcn/hcnroute.go; SDN-psm1). The routes array is written as <see cref="HcnSchemaChoices.SdnRouteArrayName"/>
/// and read under either name (hcsshim says <c>Setting</c>, MS-docs and SDN-psm1 <c>Routes</c>).
/// </summary>
public sealed record HostComputeRoute
{
    private readonly SchemaVersion _schemaVersion = SchemaVersion.V2;

    private readonly IReadOnlyList<SdnRoutePolicySetting>? _routes;

    /// <summary>Assigned by HNS; <see cref="Guid.Empty"/> (omitted) on create.</summary>
    [JsonPropertyName("ID")]
    public Guid Id { get; init; }

    /// <summary>The endpoints the routes apply to (must not be empty).</summary>
    public IReadOnlyList<Guid>? HostComputeEndpoints { get; init; }

    [JsonPropertyName(HcnSchemaChoices.SdnRouteArrayName)]
    public IReadOnlyList<SdnRoutePolicySetting>? Routes
    {
        get => _routes;
        init => _routes = value;
    }

    /// <summary>The network (MS-docs, schema 2.5).</summary>
    public Guid HostComputeNetwork { get; init; }

    /// <summary>Schema version; 2.0 when not set or absent (null is taken as 2.0, so it is always written).</summary>
    public SchemaVersion SchemaVersion
    {
        get => _schemaVersion;
        init => _schemaVersion = value ?? SchemaVersion.V2;
    }

    /// <summary>Read-only alias for the other spelling of the routes array; never written.</summary>
    [JsonInclude]
    [JsonPropertyName(HcnSchemaChoices.SdnRouteArrayAlternateName)]
    internal IReadOnlyList<SdnRoutePolicySetting>? RoutesAlternate
    {
        get => null;
        init => _routes ??= value;
    }
}
