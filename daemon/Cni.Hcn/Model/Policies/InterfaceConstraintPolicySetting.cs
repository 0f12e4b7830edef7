namespace Cni.Hcn.Model.Policies;

/// <summary>Settings of the <c>InterfaceConstraint</c> network and endpoint policy.</summary>
public sealed record InterfaceConstraintPolicySetting : PolicySetting, INetworkPolicySetting, IEndpointPolicySetting
{
    /// <inheritdoc/>
    NetworkPolicyType INetworkPolicySetting.NetworkPolicyType => NetworkPolicyType.InterfaceConstraint;

    /// <inheritdoc/>
    EndpointPolicyType IEndpointPolicySetting.EndpointPolicyType => EndpointPolicyType.InterfaceConstraint;

    public string? InterfaceGuid { get; init; }

    public ulong InterfaceLuid { get; init; }

    public uint InterfaceIndex { get; init; }

    public uint InterfaceMediaType { get; init; }

    public string? InterfaceAlias { get; init; }

    public string? InterfaceDescription { get; init; }
}
