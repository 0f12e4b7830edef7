using System.Text.Json;
using Cni.Hcn.Json;
using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Model.Requests;

/// <summary>
/// The <c>HcnModifyNetwork</c> document: <c>{"ResourceType","RequestType","Settings"}</c> with <c>Settings</c> an
/// embedded object whose shape follows <see cref="ResourceType"/>. Build it with the factories; read the settings
/// with the typed accessors.
/// </summary>
public sealed record ModifyNetworkSettingRequest
{
    /// <summary>What is modified.</summary>
    public NetworkResourceType ResourceType { get; init; }

    /// <summary>How it is modified.</summary>
    public RequestType RequestType { get; init; }

    /// <summary>MS-docs <c>ResourceUri</c> (hcsshim never sends it).</summary>
    public string? ResourceUri { get; init; }

    /// <summary>The settings object.</summary>
    public JsonElement? Settings { get; init; }

    /// <summary>Adds, removes or updates network policies.</summary>
    /// <param name="requestType">Add, Remove or Update.</param>
    public static ModifyNetworkSettingRequest ForPolicies(RequestType requestType, IEnumerable<NetworkPolicy> policies)
    {
        ArgumentNullException.ThrowIfNull(policies);
        return new()
        {
            ResourceType = NetworkResourceType.Policy,
            RequestType = requestType,
            Settings = HcnJson.SerializeToElement(new PolicyNetworkRequest { Policies = policies.ToArray() }),
        };
    }

    /// <summary>Replaces the network's DNS settings.</summary>
    /// <param name="dns">The DNS settings.</param>
    public static ModifyNetworkSettingRequest ForDns(Dns dns) => new()
    {
        ResourceType = NetworkResourceType.Dns,
        RequestType = RequestType.Update,
        Settings = HcnJson.SerializeToElement(dns),
    };

    /// <summary>Enables or disables a vSwitch extension on the network.</summary>
    /// <param name="extensionId">The extension's GUID.</param>
    /// <param name="isEnabled">Whether to enable it.</param>
    public static ModifyNetworkSettingRequest ForExtension(Guid extensionId, bool isEnabled) => new()
    {
        ResourceType = NetworkResourceType.Extension,
        RequestType = RequestType.Update,
        Settings = HcnJson.SerializeToElement(new NetworkExtensionRequest { Id = extensionId, IsEnabled = isEnabled }),
    };

    /// <summary>Adds or removes subnets (MS-docs, schema 2.6).</summary>
    /// <param name="requestType">Add or Remove.</param>
    public static ModifyNetworkSettingRequest ForSubnets(RequestType requestType, IEnumerable<Subnet> subnets)
    {
        ArgumentNullException.ThrowIfNull(subnets);
        return new()
        {
            ResourceType = NetworkResourceType.Subnet,
            RequestType = requestType,
            Settings = HcnJson.SerializeToElement(new SubnetRequest { Subnets = subnets.ToArray() }),
        };
    }

    /// <summary>Adds or removes IP subnets of a subnet (MS-docs, schema 2.6).</summary>
    /// <param name="requestType">Add or Remove.</param>
    /// <param name="subnetId">The subnet.</param>
    public static ModifyNetworkSettingRequest ForIpSubnets(RequestType requestType, Guid subnetId, IEnumerable<IpSubnet> ipSubnets)
    {
        ArgumentNullException.ThrowIfNull(ipSubnets);
        return new()
        {
            ResourceType = NetworkResourceType.IpSubnet,
            RequestType = requestType,
            Settings = HcnJson.SerializeToElement(new IpSubnetRequest { SubnetId = subnetId, IpSubnets = ipSubnets.ToArray() }),
        };
    }

    /// <summary>The settings as a policy request, when <see cref="ResourceType"/> is Policy.</summary>
    /// <returns>The policies, or null for another resource type or no settings.</returns>
    /// <exception cref="JsonException">The settings are not a policy request.</exception>
    public PolicyNetworkRequest? GetPolicyRequest() =>
        ResourceType == NetworkResourceType.Policy && Settings is { } s ? HcnJson.Deserialize<PolicyNetworkRequest>(s) : null;

    /// <summary>The settings as DNS settings, when <see cref="ResourceType"/> is DNS.</summary>
    /// <returns>The DNS settings, or null.</returns>
    /// <exception cref="JsonException">The settings are not a DNS object.</exception>
    public Dns? GetDns() =>
        ResourceType == NetworkResourceType.Dns && Settings is { } s ? HcnJson.Deserialize<Dns>(s) : null;

    /// <summary>The settings as an extension request, when <see cref="ResourceType"/> is Extension.</summary>
    /// <returns>The extension request, or null.</returns>
    /// <exception cref="JsonException">The settings are not an extension request.</exception>
    public NetworkExtensionRequest? GetExtensionRequest() =>
        ResourceType == NetworkResourceType.Extension && Settings is { } s ? HcnJson.Deserialize<NetworkExtensionRequest>(s) : null;

    /// <summary>The settings as a subnet request, when <see cref="ResourceType"/> is Subnet.</summary>
    /// <returns>The subnet request, or null.</returns>
    /// <exception cref="JsonException">The settings are not a subnet request.</exception>
    public SubnetRequest? GetSubnetRequest() =>
        ResourceType == NetworkResourceType.Subnet && Settings is { } s ? HcnJson.Deserialize<SubnetRequest>(s) : null;

    /// <summary>The settings as an IP subnet request, when <see cref="ResourceType"/> is IPSubnet.</summary>
    /// <returns>The IP subnet request, or null.</returns>
    /// <exception cref="JsonException">The settings are not an IP subnet request.</exception>
    public IpSubnetRequest? GetIpSubnetRequest() =>
        ResourceType == NetworkResourceType.IpSubnet && Settings is { } s ? HcnJson.Deserialize<IpSubnetRequest>(s) : null;

    /// <summary>Value equality; <see cref="Settings"/> compares structurally.</summary>
    /// <param name="other">The other request.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(ModifyNetworkSettingRequest? other) =>
        other is not null && ResourceType == other.ResourceType && RequestType == other.RequestType
        && string.Equals(ResourceUri, other.ResourceUri, StringComparison.Ordinal)
        && HcnJson.RawEquals(Settings, other.Settings);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(ResourceType, RequestType, ResourceUri);
}
