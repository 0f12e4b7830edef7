using System.Text.Json;
using Cni.Hcn.Json;

namespace Cni.Hcn.Model.Requests;

/// <summary>
/// The <c>HcnModifyNamespace</c> document, e.g. attach:
/// <c>{"ResourceType":"Endpoint","RequestType":"Add","Settings":{"EndpointId":"…"}}</c>.
/// </summary>
public sealed record ModifyNamespaceSettingRequest
{
    /// <summary>What is attached or detached.</summary>
    public NamespaceResourceType ResourceType { get; init; }

    /// <summary>Add or Remove.</summary>
    public RequestType RequestType { get; init; }

    /// <summary>MS-docs <c>ResourceUri</c> (hcsshim never sends it).</summary>
    public string? ResourceUri { get; init; }

    /// <summary>The settings object.</summary>
    public JsonElement? Settings { get; init; }

    /// <summary>Attaches (Add) or detaches (Remove) an endpoint.</summary>
    /// <param name="requestType">Add or Remove.</param>
    /// <param name="endpointId">The endpoint.</param>
    public static ModifyNamespaceSettingRequest ForEndpoint(RequestType requestType, Guid endpointId) => new()
    {
        ResourceType = NamespaceResourceType.Endpoint,
        RequestType = requestType,
        Settings = HcnJson.SerializeToElement(new NamespaceEndpointRequest { EndpointId = endpointId }),
    };

    /// <summary>Attaches (Add) or detaches (Remove) a container.</summary>
    /// <param name="requestType">Add or Remove.</param>
    /// <param name="containerId">The container.</param>
    public static ModifyNamespaceSettingRequest ForContainer(RequestType requestType, string containerId) => new()
    {
        ResourceType = NamespaceResourceType.Container,
        RequestType = requestType,
        Settings = HcnJson.SerializeToElement(new NamespaceContainerRequest { ContainerId = containerId }),
    };

    /// <summary>The settings as an endpoint request, when <see cref="ResourceType"/> is Endpoint.</summary>
    /// <returns>The endpoint request, or null.</returns>
    /// <exception cref="JsonException">The settings are not an endpoint request.</exception>
    public NamespaceEndpointRequest? GetEndpointRequest() =>
        ResourceType == NamespaceResourceType.Endpoint && Settings is { } s ? HcnJson.Deserialize<NamespaceEndpointRequest>(s) : null;

    /// <summary>The settings as a container request, when <see cref="ResourceType"/> is Container.</summary>
    /// <returns>The container request, or null.</returns>
    /// <exception cref="JsonException">The settings are not a container request.</exception>
    public NamespaceContainerRequest? GetContainerRequest() =>
        ResourceType == NamespaceResourceType.Container && Settings is { } s ? HcnJson.Deserialize<NamespaceContainerRequest>(s) : null;

    /// <summary>Value equality; <see cref="Settings"/> compares structurally.</summary>
    /// <param name="other">The other request.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(ModifyNamespaceSettingRequest? other) =>
        other is not null && ResourceType == other.ResourceType && RequestType == other.RequestType
        && string.Equals(ResourceUri, other.ResourceUri, StringComparison.Ordinal)
        && HcnJson.RawEquals(Settings, other.Settings);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(ResourceType, RequestType, ResourceUri);
}
