using System.Text.Json.Serialization;

namespace Cni.Hcn.Model;

/// <summary>Something attached to a namespace (output of a namespace query).</summary>
public sealed record NamespaceResource
{
    private readonly NamespaceResourceData _data = new();

    /// <summary>Endpoint or Container; always written.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public NamespaceResourceType Type { get; init; }

    /// <summary>The resource's identity; always written.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public NamespaceResourceData Data
    {
        get => _data;
        init => _data = value ?? new();
    }

    /// <summary>An endpoint resource for <paramref name="endpointId"/>.</summary>
    /// <param name="endpointId">The endpoint's ID.</param>
    public static NamespaceResource ForEndpoint(Guid endpointId) =>
        new() { Type = NamespaceResourceType.Endpoint, Data = new() { Id = endpointId.ToString("D") } };

    /// <summary>The endpoint ID if this is an endpoint resource with a GUID, else <see langword="null"/>.</summary>
    /// <returns>The endpoint ID or null.</returns>
    public Guid? GetEndpointId() =>
        Type == NamespaceResourceType.Endpoint && Guid.TryParse(Data.Id, out var id) ? id : null;
}
