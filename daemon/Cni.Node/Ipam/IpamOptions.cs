using Cni.Node.Configuration;
namespace Cni.Node.Ipam;

/// <summary>Configuration of an <see cref="IpamStore"/>. Validated by <see cref="IpamStore.OpenAsync"/>.</summary>
public sealed record IpamOptions
{
    /// <summary>Default quarantine of released addresses before they can be leased again.</summary>
    public static readonly TimeSpan DefaultQuarantine = TimeSpan.FromSeconds(30);

    /// <summary>Default journal size that triggers compaction.</summary>
    public const long DefaultCompactionThresholdBytes = 4L * 1024 * 1024;

    /// <summary>The daemon's state directory (<c>stateDir</c>); the journal lives in <c>&lt;StateDirectory&gt;/ipam/</c>.</summary>
    public required string StateDirectory { get; init; }

    /// <summary>The network mode, which decides the reserved addresses.</summary>
    public required NetworkMode Mode { get; init; }

    /// <summary>The node's pod CIDRs: at most one IPv4 and one IPv6 (dual-stack needs L2Bridge).</summary>
    public required IReadOnlyList<string> PodCidrs { get; init; }

    /// <summary>Transparent mode: the static pool (range and gateway) of the one pod CIDR; null otherwise.</summary>
    public StaticPoolOptions? StaticPool { get; init; }

    /// <summary>How long a released address stays unusable.</summary>
    public TimeSpan QuarantinePeriod { get; init; } = DefaultQuarantine;

    /// <summary>Compact the journal once it is larger than this (and than twice the last snapshot).</summary>
    public long CompactionThresholdBytes { get; init; } = DefaultCompactionThresholdBytes;

    /// <summary>Largest group-commit batch; also bounds the torn tail that recovery may discard.</summary>
    internal int MaxBatchBytes { get; init; } = LeaseJournal.DefaultMaxBatchBytes;
}
