namespace Cni.Spec.Capabilities;

/// <summary>The <c>bandwidth</c> capability, in bits per second and bits. 0 (or absent) means unlimited.</summary>
public sealed record BandwidthCapability
{
    public ulong? IngressRate { get; init; }

    public ulong? IngressBurst { get; init; }

    public ulong? EgressRate { get; init; }

    public ulong? EgressBurst { get; init; }
}
