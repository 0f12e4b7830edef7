using Cni.Hcn.Json;

namespace Cni.Hcn.Model;

/// <summary>
/// An HCN query (hcsshim hcn/hcn.go; MS-docs <c>HostComputeQuery</c>). <see cref="Filter"/> is a JSON object serialized <em>into a string</em>
/// (<c>{"SchemaVersion":{"Major":2,"Minor":0},"Filter":"{\"ID\":\"…\"}"}</c>); use the factories rather than writing it.
/// </summary>
public sealed record HostComputeQuery
{
    private readonly SchemaVersion _schemaVersion = SchemaVersion.V2;

    /// <summary>The default query: schema 2.0, no flags, no filter (matches everything).</summary>
    public static HostComputeQuery Default { get; } = new();

    /// <summary>Schema version; 2.0 when not set or absent (null is taken as 2.0, so it is always written).</summary>
    public SchemaVersion SchemaVersion
    {
        get => _schemaVersion;
        init => _schemaVersion = value ?? SchemaVersion.V2;
    }

    /// <summary>Flags (a number).</summary>
    public HostComputeQueryFlags Flags { get; init; }

    /// <summary>The filter as JSON text, or null for none.</summary>
    public string? Filter { get; init; }

    /// <summary>A query with <paramref name="filter"/> serialized into <see cref="Filter"/>.</summary>
    /// <param name="flags">Query flags.</param>
    public static HostComputeQuery Create(HostComputeQueryFilter filter, HostComputeQueryFlags flags = HostComputeQueryFlags.None)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return new() { Flags = flags, Filter = HcnJson.Serialize(filter) };
    }

    /// <summary>Objects with this ID.</summary>
    public static HostComputeQuery ById(Guid id) => Create(new() { Id = id });

    /// <summary>Objects with this name.</summary>
    public static HostComputeQuery ByName(string name) => Create(new() { Name = name });

    /// <summary>Endpoints of the network <paramref name="networkId"/>.</summary>
    /// <param name="networkId">The network's ID.</param>
    public static HostComputeQuery EndpointsOfNetwork(Guid networkId) => Create(new() { VirtualNetwork = networkId });

    /// <summary>
    /// The host default namespace by the v1 <c>IsDefault</c> key (MS-docs); the v2 schema has no such field and whether
    /// HNS honours it is an open question the fidelity probe answers. wincni selects by <c>Type</c> instead
    /// (<see cref="HcnExtensions.FindHostDefaultNamespaceAsync"/>).
    /// </summary>
    public static HostComputeQuery DefaultNamespace() => Create(new() { IsDefault = true }, HostComputeQueryFlags.Detailed);

    /// <summary>Parses <see cref="Filter"/>; an absent or blank filter is an empty one.</summary>
    /// <exception cref="Errors.HcnException">The filter is not a JSON object (HCN_E_INVALID_JSON, as HNS answers).</exception>
    public HostComputeQueryFilter GetFilter()
    {
        if (string.IsNullOrWhiteSpace(Filter))
        {
            return new();
        }

        try
        {
            return HcnJson.Deserialize<HostComputeQueryFilter>(Filter) ?? new();
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new Errors.HcnException("HostComputeQuery.Filter", Errors.HcnErrorCodes.InvalidJson, (string?)null, ex.Message, ex);
        }
    }
}
