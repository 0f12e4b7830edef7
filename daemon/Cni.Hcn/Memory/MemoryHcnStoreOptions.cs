namespace Cni.Hcn.Memory;

/// <summary>How a <see cref="MemoryHcnStore"/> writes.</summary>
public sealed record MemoryHcnStoreOptions
{
    /// <summary>
    /// Log size after which the next write compacts (1 MiB: replay stays well under a second), or the last snapshot's
    /// size when that is larger (so compaction costs stay in proportion to the changes logged).
    /// </summary>
    public long CompactionThresholdBytes { get; init; } = MemoryHcnStore.DefaultCompactionThresholdBytes;

    /// <summary>
    /// Set: a compaction the log's size calls for waits until no line has been written for this long, so a burst of
    /// changes is compacted once after it rather than each time the log outgrows the snapshot during it (each of
    /// those serialized every object again, in the background but on the cores the burst needs); a log that grows
    /// past <see cref="DeferredLogLimitBytes"/> (or <see cref="MemoryHcnStore.BurstLogFactor"/> times its trigger, when more) is compacted at once all the same. Null
    /// (the default): the write that crosses the trigger starts the compaction.
    /// </summary>
    public TimeSpan? CompactWhenQuietFor { get; init; }

    /// <summary>
    /// How far the log may grow while a compaction waits for a quiet moment (64 MiB: the service proxy's first pass at
    /// 10,000 Services logs 38 MiB on KernelHcn, and replaying that at a restart takes well under a second).
    /// </summary>
    public long DeferredLogLimitBytes { get; init; } = 64L << 20;

    /// <summary>The clock of <see cref="CompactWhenQuietFor"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// True (the memory dataplane): every mutating call of the emulator returns only after its change is in the log.
    /// False (KernelHcn): changes wait for <see cref="MemoryHcnStore.WriteChangesAsync"/>, which the owner calls once
    /// the change is real (e.g. after the kernel accepted it).
    /// </summary>
    public bool WriteThrough { get; init; } = true;

    /// <summary>
    /// Reads KernelHcn's previous layout (<c>&lt;kind&gt;/&lt;id&gt;.json</c> folders) when there is no snapshot yet, and
    /// deletes those folders once a snapshot holds their objects. Only for a directory KernelHcn owns.
    /// </summary>
    public bool MigrateKernelLayout { get; init; }
}
