namespace Cni.Hcn.Model.Policies;

/// <summary>Settings of the <c>DrMacAddress</c> network policy (distributed-router MAC).</summary>
public sealed record DrMacAddressPolicySetting : PolicySetting, INetworkPolicySetting
{
    /// <inheritdoc/>
    NetworkPolicyType INetworkPolicySetting.NetworkPolicyType => NetworkPolicyType.DrMacAddress;

    /// <summary>MAC address in dash form.</summary>
    public string? Address { get; init; }
}
