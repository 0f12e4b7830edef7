using System.Globalization;

namespace Cni.Benchmarks.Services;

/// <summary>IHcn calls by operation and the objects enumerations returned; the difference of two snapshots is what happened in between.</summary>
internal sealed record HcnOperationCounts(IReadOnlyDictionary<string, long> ByOperation, long ListedObjects)
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

        return new HcnOperationCounts(difference, after.ListedObjects - before.ListedObjects);
    }

    /// <summary>"CreateLoadBalancer 40000, CreateEndpoint 25000, ..." (largest first).</summary>
    public override string ToString() => ByOperation.Count == 0
        ? "none"
        : string.Join(", ", ByOperation.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value}")));

    private long Sum(Func<string, bool> include) => ByOperation.Where(p => include(p.Key)).Sum(p => p.Value);
}
