using System.Collections.Concurrent;
using Cni.Hcn;

namespace Cni.Benchmarks.Services;

/// <summary>Counts every IHcn call by operation (CreateLoadBalancer, EnumerateEndpoints, ...), whatever its outcome.</summary>
internal sealed class CountingHcn(IHcn inner) : HcnDecorator(inner)
{
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _ticks = new(StringComparer.Ordinal);
    private long _listed;

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
            var elapsed = System.Diagnostics.Stopwatch.GetTimestamp() - started;
            _ticks.AddOrUpdate(operation, elapsed, (_, n) => n + elapsed);
        }
    }
}
