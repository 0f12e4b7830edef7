using System.Runtime;
using Microsoft.Extensions.Logging;

namespace Cni.Node.Services;

/// <summary>
/// Hands back to the OS the memory a burst of HCN writes needed only while it ran. Programming 10,000 Services at a
/// start allocates hundreds of MiB that are garbage a moment later; .NET's GC keeps the emptied regions committed
/// until later collections decommit them, which an idle node daemon may not see for hours (measured: 460 MiB RSS
/// for 20 s after the pass, 305 MiB once compacted). After a pass with at least <see cref="BurstWrites"/> writes,
/// at most once per <see cref="MinInterval"/>, one aggressive, compacting collection runs on a background thread:
/// the mode the runtime documents for exactly this (a phase that allocated a lot is over). It waits
/// <see cref="SettleDelay"/> first, so the dataplane's own work after a burst is over too (KernelHcn compacts its
/// object store once its commits pause: that was 20 MiB more RSS when it came after the collection).
/// </summary>
/// <param name="time">The clock for <see cref="MinInterval"/>.</param>
/// <param name="logger">Logs what each release returned.</param>
public sealed partial class BurstMemoryRelease(TimeProvider time, ILogger logger)
{
    /// <summary>The HCN writes of one pass that count as a burst (a few hundred Services programmed at once).</summary>
    public const int BurstWrites = 2000;

    /// <summary>The least time between two releases (each pauses the process for a blocking collection).</summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromMinutes(10);

    /// <summary>How long after the pass the collection runs.</summary>
    public static readonly TimeSpan SettleDelay = TimeSpan.FromSeconds(1.5);

    private readonly Lock _gate = new();
    private DateTimeOffset? _last;
    private Task _running = Task.CompletedTask;

    /// <summary>The release in progress or last run (tests and benchmarks wait for it).</summary>
    public Task Running
    {
        get
        {
            lock (_gate)
            {
                return _running;
            }
        }
    }

    /// <summary>Called after every pass with the HCN writes it made; starts a release when that was a burst.</summary>
    /// <returns>True when a release was started.</returns>
    public bool AfterPass(int hcnWrites)
    {
        if (hcnWrites < BurstWrites)
        {
            return false;
        }

        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (_last is { } last && now - last < MinInterval)
            {
                return false;
            }

            _last = now;
            _running = Task.Run(async () =>
            {
                await Task.Delay(SettleDelay, time).ConfigureAwait(false);
                Release();
            });
            return true;
        }
    }

    private void Release()
    {
        var before = Environment.WorkingSet;
        var started = time.GetTimestamp();
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        LogReleased(before / 1048576, Environment.WorkingSet / 1048576, time.GetElapsedTime(started).TotalMilliseconds);
    }

    [LoggerMessage(EventId = 1230, Level = LogLevel.Information,
        Message = "After a burst of HCN writes the memory it needed went back to the OS: RSS {BeforeMiB} MiB -> {AfterMiB} MiB ({ElapsedMs:0} ms)")]
    private partial void LogReleased(long beforeMiB, long afterMiB, double elapsedMs);
}
