namespace Cni.Hcn.Model.Policies;

/// <summary>Settings of the <c>OutBoundNAT</c> endpoint policy: SNAT for pod egress except to <see cref="Exceptions"/>.</summary>
public sealed record OutboundNatPolicySetting : PolicySetting, IEndpointPolicySetting
{
    /// <inheritdoc/>
    EndpointPolicyType IEndpointPolicySetting.EndpointPolicyType => EndpointPolicyType.OutBoundNat;

    /// <summary>SNAT address.</summary>
    public string? VirtualIP { get; init; }

    /// <summary>CIDRs that are not NATed.</summary>
    public IReadOnlyList<string>? Exceptions { get; init; }

    /// <summary>Destinations that are NATed (win-cni's loopback DSR).</summary>
    public IReadOnlyList<string>? Destinations { get; init; }

    /// <summary>NAT flags; IPv6 for the IPv6 policy.</summary>
    public NatFlags Flags { get; init; }

    /// <summary>Port pool cap.</summary>
    public ushort MaxPortPoolUsage { get; init; }
}
