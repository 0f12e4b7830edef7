using System.Globalization;

namespace Cni.Benchmarks.Services;

/// <summary>IHcn calls by operation and the objects enumerations returned; the difference of two snapshots is what happened in between.</summary>
internal sealed record HcnOperationCounts(IReadOnlyDictionary<string, long> ByOperation, long ListedObjects, IReadOnlyDictionary<string, long> Ticks)
{
    public long this[string operation] => ByOperation.GetValueOrDefault(operation);

    /// <summary>Creates, modifies and deletes.</summary>
    public long Writes => Sum(o => o.StartsWith("Create", StringComparison.Ordinal) || o.StartsWith("Modify", StringComparison.Ordinal) || o.StartsWith("Delete", StringComparison.Ordinal));

    /// <summary>Gets, enumerations and the version query.</summary>
    public long Reads => Sum(o => !o.StartsWith("Create", StringComparison.Ordinal) && !o.StartsWith("Modify", StringComparison.Ordinal) && !o.StartsWith("Delete", StringComparison.Ordinal));

    public long Total => Sum(_ => true);

    /// <summary>The calls as HNS RPCs if each enumeration of N objects cost N+1, as hnslib's do (service-proxy.md §1).</summary>
    public long RpcEquivalent => Total + ListedObjects;

    public static HcnOperationCounts operator -(HcnOperationCounts after, HcnOperationCounts before)
    {
        ArgumentNullException.ThrowIfNull(after);
        ArgumentNullException.ThrowIfNull(before);
        var difference = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (operation, count) in after.ByOperation)
        {
            var delta = count - before[operation];
            if (delta != 0)
            {
                difference[operation] = delta;
            }
        }

        var ticks = after.Ticks.ToDictionary(p => p.Key, p => p.Value - before.Ticks.GetValueOrDefault(p.Key), StringComparer.Ordinal);
        return new HcnOperationCounts(difference, after.ListedObjects - before.ListedObjects, ticks);
    }

    /// <summary>"CreateLoadBalancer 40000, CreateEndpoint 25000, ..." (largest first).</summary>
    public override string ToString() => ByOperation.Count == 0
        ? "none"
        : string.Join(", ", ByOperation.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value}")));

    /// <summary>Milliseconds spent inside calls of <paramref name="operation"/> (summed over parallel calls).</summary>
    public double Milliseconds(string operation) => Ticks.GetValueOrDefault(operation) * 1000.0 / System.Diagnostics.Stopwatch.Frequency;

    /// <summary>"ModifyLoadBalancer 4 calls 12.0 ms, ..." per operation, for where a pass's time went.</summary>
    public string Timing(int per) => string.Join(", ", ByOperation.OrderByDescending(p => Milliseconds(p.Key))
        .Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value / (double)per:0.#} x {Milliseconds(p.Key) / Math.Max(1, p.Value):0.0} ms")));

    private long Sum(Func<string, bool> include) => ByOperation.Where(p => include(p.Key)).Sum(p => p.Value);
}
