namespace Cni.Hcn.Model.Policies;

/// <summary>Settings of the <c>AutomaticDNS</c> network policy.</summary>
public sealed record AutomaticDnsPolicySetting : PolicySetting, INetworkPolicySetting
{
    /// <inheritdoc/>
    NetworkPolicyType INetworkPolicySetting.NetworkPolicyType => NetworkPolicyType.AutomaticDns;

    /// <summary>Whether automatic DNS is on.</summary>
    public bool Enable { get; init; }
}
