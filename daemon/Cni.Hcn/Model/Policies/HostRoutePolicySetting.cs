namespace Cni.Hcn.Model.Policies;

/// <summary>Settings of the <c>HostRoute</c> network policy: none, sent as <c>{}</c>.</summary>
public sealed record HostRoutePolicySetting : PolicySetting, INetworkPolicySetting
{
    /// <inheritdoc/>
    NetworkPolicyType INetworkPolicySetting.NetworkPolicyType => NetworkPolicyType.HostRoute;
}
