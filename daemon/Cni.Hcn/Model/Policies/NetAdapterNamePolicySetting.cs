namespace Cni.Hcn.Model.Policies;

/// <summary>Settings of the <c>NetAdapterName</c> network policy: binds the network to a host NIC.</summary>
public sealed record NetAdapterNamePolicySetting : PolicySetting, INetworkPolicySetting
{
    /// <inheritdoc/>
    NetworkPolicyType INetworkPolicySetting.NetworkPolicyType => NetworkPolicyType.NetAdapterName;

    /// <summary>Host adapter name, e.g. <c>Ethernet</c>.</summary>
    public string? NetworkAdapterName { get; init; }
}
