namespace Cni.Hcn.Model.Policies;

/// <summary>Settings of the <c>SourceMacAddress</c> network policy.</summary>
public sealed record SourceMacAddressPolicySetting : PolicySetting, INetworkPolicySetting
{
    /// <inheritdoc/>
    NetworkPolicyType INetworkPolicySetting.NetworkPolicyType => NetworkPolicyType.SourceMacAddress;

    /// <summary>MAC address in dash form.</summary>
    public string? SourceMacAddress { get; init; }
}
