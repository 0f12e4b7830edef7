using Cni.Node.Kubernetes;

namespace Cni.Node.Services;

/// <summary>
/// Per-object exponential backoff across passes: a key that failed is not retried before its delay has passed,
/// and each further failure doubles the delay up to a cap (<see cref="ExponentialBackoff.Ceiling"/>, no jitter). Thread-safe (the writes of one pass run in parallel).
/// </summary>
public sealed class KeyedBackoff
{
    private readonly TimeProvider _time;
    private readonly ExponentialBackoff _delays;
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Creates an empty table.</summary>
    /// <param name="time">The clock.</param>
    /// <param name="initial">The delay after a first failure.</param>
    /// <param name="max">The longest delay.</param>
    public KeyedBackoff(TimeProvider time, TimeSpan initial, TimeSpan max)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(initial, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, initial);
        _time = time;
        _delays = new ExponentialBackoff(initial, max);
    }

    /// <summary>Whether no key is backing off (nothing to look up or forget).</summary>
    public bool IsEmpty
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count == 0;
            }
        }
    }

    /// <summary>When <paramref name="key"/> may be tried again, or null when it may be now.</summary>
    public DateTimeOffset? NotBefore(string key)
    {
        lock (_gate)
        {
            return _entries.TryGetValue(key, out var entry) && entry.RetryAt > _time.GetUtcNow() ? entry.RetryAt : null;
        }
    }

    /// <summary>Records a failure of <paramref name="key"/> and returns when it may be retried.</summary>
    public DateTimeOffset Failed(string key) => Failed(key, out _);

    /// <summary>Records a failure of <paramref name="key"/> and returns when it may be retried.</summary>
    /// <param name="key">The object.</param>
    /// <param name="failures">How many times in a row it has failed now (1 after the first failure).</param>
    public DateTimeOffset Failed(string key, out int failures)
    {
        lock (_gate)
        {
            failures = _entries.TryGetValue(key, out var entry) ? entry.Failures + 1 : 1;
            var retryAt = _time.GetUtcNow() + _delays.Ceiling(failures);
            _entries[key] = new Entry(failures, retryAt);
            return retryAt;
        }
    }

    /// <summary>Forgets <paramref name="key"/> (it succeeded, or is no longer wanted).</summary>
    public void Succeeded(string key)
    {
        lock (_gate)
        {
            _entries.Remove(key);
        }
    }

    /// <summary>Forgets every key not in <paramref name="live"/>, so the table does not grow with deleted objects.</summary>
    public void Retain(IReadOnlySet<string> live)
    {
        ArgumentNullException.ThrowIfNull(live);
        lock (_gate)
        {
            foreach (var key in _entries.Keys.Where(k => !live.Contains(k)).ToList())
            {
                _entries.Remove(key);
            }
        }
    }

    private readonly record struct Entry(int Failures, DateTimeOffset RetryAt);
}
