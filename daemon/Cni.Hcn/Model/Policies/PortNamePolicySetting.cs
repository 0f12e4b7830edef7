namespace Cni.Hcn.Model.Policies;

/// <summary>Settings of the <c>PortName</c> endpoint policy.</summary>
public sealed record PortNamePolicySetting : PolicySetting, IEndpointPolicySetting
{
    /// <inheritdoc/>
    EndpointPolicyType IEndpointPolicySetting.EndpointPolicyType => EndpointPolicyType.PortName;

    /// <summary>Port name.</summary>
    public string? Name { get; init; }
}
