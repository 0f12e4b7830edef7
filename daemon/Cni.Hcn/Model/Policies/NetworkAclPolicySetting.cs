namespace Cni.Hcn.Model.Policies;

/// <summary>Settings of the <c>NetworkACL</c> network policy (HNS 15.0).</summary>
public sealed record NetworkAclPolicySetting : AclRuleSetting, INetworkPolicySetting
{
    /// <inheritdoc/>
    NetworkPolicyType INetworkPolicySetting.NetworkPolicyType => NetworkPolicyType.NetworkAcl;
}
