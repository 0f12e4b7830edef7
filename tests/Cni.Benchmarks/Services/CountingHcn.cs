using System.Collections.Concurrent;
using Cni.Hcn;

namespace Cni.Benchmarks.Services;

/// <summary>Counts every IHcn call by operation (CreateLoadBalancer, EnumerateEndpoints, ...), whatever its outcome.</summary>
internal sealed class CountingHcn(IHcn inner) : HcnDecorator(inner)
{
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _ticks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (long First, long Last)> _spans = new(StringComparer.Ordinal);
    private long _listed;

    /// <summary>For each operation, from the start of its first call to the end of its last (wall time, Stopwatch ticks).</summary>
    public IReadOnlyDictionary<string, TimeSpan> Spans() =>
        _spans.ToDictionary(p => p.Key, p => System.Diagnostics.Stopwatch.GetElapsedTime(p.Value.First, p.Value.Last), StringComparer.Ordinal);

    /// <summary>For each operation, when its first call started (Stopwatch ticks), to place it against another clock.</summary>
    public IReadOnlyDictionary<string, long> FirstStarts() => _spans.ToDictionary(p => p.Key, p => p.Value.First, StringComparer.Ordinal);

    /// <summary>The counts so far, by operation, and the objects the enumerations returned.</summary>
    public HcnOperationCounts Snapshot() =>
        new(new Dictionary<string, long>(_counts, StringComparer.Ordinal), Interlocked.Read(ref _listed), new Dictionary<string, long>(_ticks, StringComparer.Ordinal));

    protected override async Task<T> InvokeAsync<T>(string operation, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            var result = await call(cancellationToken).ConfigureAwait(false);
            if (result is System.Collections.ICollection listed)
            {
                Interlocked.Add(ref _listed, listed.Count);
            }

            return result;
        }
        finally
        {
            _counts.AddOrUpdate(operation, 1, static (_, n) => n + 1);
            var ended = System.Diagnostics.Stopwatch.GetTimestamp();
            var elapsed = ended - started;
            _ticks.AddOrUpdate(operation, elapsed, (_, n) => n + elapsed);
            _spans.AddOrUpdate(operation, (started, ended), (_, span) => (Math.Min(span.First, started), Math.Max(span.Last, ended)));
        }
    }
}
