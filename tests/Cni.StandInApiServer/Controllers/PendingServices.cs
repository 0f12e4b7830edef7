namespace Cni.StandInApiServer.Controllers;

/// <summary>
/// Services waiting for a pass, each with the time of the earliest change not yet written for it (null when only a
/// repair is due, e.g. someone else deleted a slice). The earliest, as upstream's trigger time tracker exports it:
/// when several changes are written at once, the latency measured from the annotation covers the longest-waiting one.
/// Not thread-safe.
/// </summary>
internal sealed class PendingServices
{
    private readonly Dictionary<string, DateTimeOffset?> _pending = new(StringComparer.Ordinal);

    /// <summary>Number of Services waiting.</summary>
    public int Count => _pending.Count;

    /// <summary>Adds <paramref name="service"/>, keeping the earlier of its trigger times.</summary>
    public void Add(string service, DateTimeOffset? changedAt)
    {
        if (!_pending.TryGetValue(service, out var earlier) || earlier is null || changedAt < earlier)
        {
            _pending[service] = changedAt ?? earlier;
        }
    }

    /// <summary>Adds every Service of <paramref name="other"/> and empties it.</summary>
    public void AddFrom(PendingServices other)
    {
        foreach (var (service, changedAt) in other._pending) Add(service, changedAt);
        other._pending.Clear();
    }

    /// <summary>Everything waiting, in name order; empties the set.</summary>
    public IReadOnlyList<KeyValuePair<string, DateTimeOffset?>> TakeAll()
    {
        var all = _pending.OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        _pending.Clear();
        return all;
    }
}
