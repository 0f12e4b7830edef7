namespace Cni.Hcn.Model.Policies;

/// <summary>Settings of the <c>LayerConstraint</c> network policy.</summary>
public sealed record LayerConstraintPolicySetting : PolicySetting, INetworkPolicySetting
{
    /// <inheritdoc/>
    NetworkPolicyType INetworkPolicySetting.NetworkPolicyType => NetworkPolicyType.LayerConstraint;

    /// <summary>Layer GUID.</summary>
    public string? LayerId { get; init; }
}
