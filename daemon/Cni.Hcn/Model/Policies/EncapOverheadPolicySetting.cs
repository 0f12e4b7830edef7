namespace Cni.Hcn.Model.Policies;

/// <summary>Settings of the <c>EncapOverhead</c> endpoint policy.</summary>
public sealed record EncapOverheadPolicySetting : PolicySetting, IEndpointPolicySetting
{
    /// <inheritdoc/>
    EndpointPolicyType IEndpointPolicySetting.EndpointPolicyType => EndpointPolicyType.EncapOverhead;

    /// <summary>Encapsulation overhead in bytes.</summary>
    public ushort Overhead { get; init; }
}
