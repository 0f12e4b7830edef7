using System.Text.Json.Serialization;

namespace Cni.Hcn.Model;

/// <summary>The <c>Data</c> of a <see cref="NamespaceResource"/>: the endpoint GUID or container ID.</summary>
public sealed record NamespaceResourceData
{
    private readonly string _id = string.Empty;

    /// <summary>Endpoint GUID (for Endpoint resources) or container ID (for Container resources); always written.</summary>
    [JsonPropertyName(HcnSchemaChoices.NamespaceResourceDataIdName)]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string Id
    {
        get => _id;
        init => _id = value ?? string.Empty;
    }
}
