namespace Cni.Hcn.Model.Policies;

/// <summary>A settings record that can be the <c>Settings</c> of a subnet policy; names the policy <c>Type</c>.</summary>
public interface ISubnetPolicySetting
{
    /// <summary>The subnet policy type these settings belong to.</summary>
    SubnetPolicyType SubnetPolicyType { get; }
}
