namespace Cni.Hcn.Model.Policies;

/// <summary>Settings of the <c>Iov</c> endpoint policy.</summary>
public sealed record IovPolicySetting : PolicySetting, IEndpointPolicySetting
{
    /// <inheritdoc/>
    EndpointPolicyType IEndpointPolicySetting.EndpointPolicyType => EndpointPolicyType.Iov;

    /// <summary>Offload weight.</summary>
    public uint IovOffloadWeight { get; init; }

    /// <summary>Queue pairs.</summary>
    public uint QueuePairsRequested { get; init; }

    /// <summary>Interrupt moderation (a number).</summary>
    public IovInterruptModeration InterruptModeration { get; init; }
}
