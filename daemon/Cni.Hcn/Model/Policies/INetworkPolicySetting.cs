namespace Cni.Hcn.Model.Policies;

/// <summary>A settings record that can be the <c>Settings</c> of a network policy; names the policy <c>Type</c>.</summary>
public interface INetworkPolicySetting
{
    /// <summary>The network policy type these settings belong to.</summary>
    NetworkPolicyType NetworkPolicyType { get; }
}
