using System.Text.Json;
using Cni.Hcn.Json;
using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Model.Requests;

/// <summary>
/// The <c>HcnModifyEndpoint</c> document: <c>{"ResourceType","RequestType","Settings"}</c> (Policy or Port).
/// </summary>
public sealed record ModifyEndpointSettingRequest
{
    /// <summary>What is modified.</summary>
    public EndpointResourceType ResourceType { get; init; }

    /// <summary>How it is modified.</summary>
    public RequestType RequestType { get; init; }

    /// <summary>MS-docs <c>ResourceUri</c> (hcsshim never sends it).</summary>
    public string? ResourceUri { get; init; }

    /// <summary>The settings object.</summary>
    public JsonElement? Settings { get; init; }

    /// <summary>Adds, removes or updates endpoint policies.</summary>
    /// <param name="requestType">Add, Remove or Update.</param>
    public static ModifyEndpointSettingRequest ForPolicies(RequestType requestType, IEnumerable<EndpointPolicy> policies)
    {
        ArgumentNullException.ThrowIfNull(policies);
        return new()
        {
            ResourceType = EndpointResourceType.Policy,
            RequestType = requestType,
            Settings = HcnJson.SerializeToElement(new PolicyEndpointRequest { Policies = policies.ToArray() }),
        };
    }

    /// <summary>Attaches (Add) or detaches (Remove) a VM / utility-VM NIC port; SDN-psm1 sends <c>{}</c> on Remove.</summary>
    /// <param name="requestType">Add or Remove.</param>
    /// <param name="port">The port request.</param>
    public static ModifyEndpointSettingRequest ForPort(RequestType requestType, VmEndpointRequest port) => new()
    {
        ResourceType = EndpointResourceType.Port,
        RequestType = requestType,
        Settings = HcnJson.SerializeToElement(port),
    };

    /// <summary>The settings as a policy request, when <see cref="ResourceType"/> is Policy.</summary>
    /// <returns>The policies, or null.</returns>
    /// <exception cref="JsonException">The settings are not a policy request.</exception>
    public PolicyEndpointRequest? GetPolicyRequest() =>
        ResourceType == EndpointResourceType.Policy && Settings is { } s ? HcnJson.Deserialize<PolicyEndpointRequest>(s) : null;

    /// <summary>The settings as a VM port request, when <see cref="ResourceType"/> is Port.</summary>
    /// <returns>The port request, or null.</returns>
    /// <exception cref="JsonException">The settings are not a port request.</exception>
    public VmEndpointRequest? GetPortRequest() =>
        ResourceType == EndpointResourceType.Port && Settings is { } s ? HcnJson.Deserialize<VmEndpointRequest>(s) : null;

    /// <summary>Value equality; <see cref="Settings"/> compares structurally.</summary>
    /// <param name="other">The other request.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(ModifyEndpointSettingRequest? other) =>
        other is not null && ResourceType == other.ResourceType && RequestType == other.RequestType
        && string.Equals(ResourceUri, other.ResourceUri, StringComparison.Ordinal)
        && HcnJson.RawEquals(Settings, other.Settings);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(ResourceType, RequestType, ResourceUri);
}
