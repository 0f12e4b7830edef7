namespace Cni.Hcn.Model.Policies;

/// <summary>Settings of the <c>ACL</c> endpoint policy.</summary>
public sealed record AclPolicySetting : AclRuleSetting, IEndpointPolicySetting
{
    /// <inheritdoc/>
    EndpointPolicyType IEndpointPolicySetting.EndpointPolicyType => EndpointPolicyType.Acl;
}
