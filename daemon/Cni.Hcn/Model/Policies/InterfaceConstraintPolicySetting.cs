namespace Cni.Hcn.Model.Policies;

/// <summary>Settings of the <c>InterfaceConstraint</c> network and endpoint policy.</summary>
public sealed record InterfaceConstraintPolicySetting : PolicySetting, INetworkPolicySetting, IEndpointPolicySetting
{
    /// <inheritdoc/>
    NetworkPolicyType INetworkPolicySetting.NetworkPolicyType => NetworkPolicyType.InterfaceConstraint;

    /// <inheritdoc/>
    EndpointPolicyType IEndpointPolicySetting.EndpointPolicyType => EndpointPolicyType.InterfaceConstraint;

    /// <summary>Interface GUID.</summary>
    public string? InterfaceGuid { get; init; }

    /// <summary>Interface LUID.</summary>
    public ulong InterfaceLuid { get; init; }

    /// <summary>Interface index.</summary>
    public uint InterfaceIndex { get; init; }

    /// <summary>Interface media type.</summary>
    public uint InterfaceMediaType { get; init; }

    /// <summary>Interface alias.</summary>
    public string? InterfaceAlias { get; init; }

    /// <summary>Interface description.</summary>
    public string? InterfaceDescription { get; init; }
}
