using System.Text.Json.Serialization;

namespace Cni.Hcn.Model.Policies;

/// <summary>Settings of the <c>RemoteSubnetRoute</c> network policy: a remote node's pod CIDR via its provider address and VNI. All four members are always written.</summary>
public sealed record RemoteSubnetRoutePolicySetting : PolicySetting, INetworkPolicySetting
{
    private readonly string _destinationPrefix = string.Empty;

    private readonly string _providerAddress = string.Empty;

    private readonly string _distributedRouterMacAddress = string.Empty;

    /// <inheritdoc/>
    NetworkPolicyType INetworkPolicySetting.NetworkPolicyType => NetworkPolicyType.RemoteSubnetRoute;

    /// <summary>The remote pod CIDR.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string DestinationPrefix
    {
        get => _destinationPrefix;
        init => _destinationPrefix = value ?? string.Empty;
    }

    /// <summary>The VNI. hcsshim types it uint16, MS-docs uint32; see <see cref="HcnSchemaChoices.RemoteSubnetRouteMaxIsolationId"/>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public uint IsolationId { get; init; }

    /// <summary>The remote node's provider address.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string ProviderAddress
    {
        get => _providerAddress;
        init => _providerAddress = value ?? string.Empty;
    }

    /// <summary>The remote node's distributed-router MAC (dash form).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string DistributedRouterMacAddress
    {
        get => _distributedRouterMacAddress;
        init => _distributedRouterMacAddress = value ?? string.Empty;
    }
}
