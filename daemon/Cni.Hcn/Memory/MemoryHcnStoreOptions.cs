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
