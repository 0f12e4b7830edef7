namespace Cni.Hcn.Model.Policies;

/// <summary>A settings record that can be the <c>Settings</c> of an endpoint policy; names the policy <c>Type</c>.</summary>
public interface IEndpointPolicySetting
{
    /// <summary>The endpoint policy type these settings belong to.</summary>
    EndpointPolicyType EndpointPolicyType { get; }
}
