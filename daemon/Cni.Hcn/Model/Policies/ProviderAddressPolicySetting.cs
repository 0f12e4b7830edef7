namespace Cni.Hcn.Model.Policies;

/// <summary>Settings of the <c>ProviderAddress</c> network policy (the host PA; HNS reports the management IP here on Overlay) and endpoint policy (a remote endpoint's PA).</summary>
public sealed record ProviderAddressPolicySetting : PolicySetting, INetworkPolicySetting, IEndpointPolicySetting
{
    /// <inheritdoc/>
    NetworkPolicyType INetworkPolicySetting.NetworkPolicyType => NetworkPolicyType.ProviderAddress;

    /// <inheritdoc/>
    EndpointPolicyType IEndpointPolicySetting.EndpointPolicyType => EndpointPolicyType.ProviderAddress;

    /// <summary>IP address.</summary>
    public string? ProviderAddress { get; init; }
}
