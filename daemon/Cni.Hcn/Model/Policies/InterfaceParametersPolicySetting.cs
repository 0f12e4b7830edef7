namespace Cni.Hcn.Model.Policies;

/// <summary>Settings of the <c>InterfaceParameters</c> endpoint policy (MS-docs only, schema 2.4).</summary>
public sealed record InterfaceParametersPolicySetting : PolicySetting, IEndpointPolicySetting
{
    /// <inheritdoc/>
    EndpointPolicyType IEndpointPolicySetting.EndpointPolicyType => EndpointPolicyType.InterfaceParameters;

    /// <summary>Interface MTU.</summary>
    public ushort Mtu { get; init; }
}
