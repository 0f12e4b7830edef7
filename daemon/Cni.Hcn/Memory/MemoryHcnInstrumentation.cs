using Cni.Hcn.Errors;

namespace Cni.Hcn.Memory;

/// <summary>
/// Per-operation call counters, injected failures and latency for <see cref="MemoryHcn"/>. Thread-safe; a call is
/// counted when it starts, so calls that fail (injected or real) still cost one HCN operation.
/// </summary>
internal sealed class MemoryHcnInstrumentation(TimeProvider timeProvider, TimeSpan latency)
{
    private static readonly int OperationCount = Enum.GetValues<MemoryHcnOperation>().Length;

    private readonly long[] _counts = new long[OperationCount];
    private readonly long?[] _latencyTicks = new long?[OperationCount];
    private readonly List<Fault>[] _faults = Enumerable.Range(0, OperationCount).Select(_ => new List<Fault>()).ToArray();

    private readonly Lock _faultGate = new();
    private long _defaultLatencyTicks = latency.Ticks;

    public TimeSpan Latency
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _defaultLatencyTicks));
        set => Interlocked.Exchange(ref _defaultLatencyTicks, Positive(value).Ticks);
    }

    public void SetLatency(MemoryHcnOperation operation, TimeSpan? latency)
    {
        lock (_faultGate)
        {
            _latencyTicks[(int)operation] = latency is { } l ? Positive(l).Ticks : null;
        }
    }

    public void FailNext(MemoryHcnOperation operation, int count, int hresult)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if (hresult >= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(hresult), hresult, "An injected failure needs a failure HRESULT.");
        }

        lock (_faultGate)
        {
            _faults[(int)operation].Add(new Fault { Remaining = count, HResult = hresult });
        }
    }

    public void FailAfter(MemoryHcnOperation operation, int passing, int hresult)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(passing);
        if (hresult >= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(hresult), hresult, "An injected failure needs a failure HRESULT.");
        }

        lock (_faultGate)
        {
            _faults[(int)operation].Add(new Fault { Passing = passing, Remaining = 1, HResult = hresult });
        }
    }

    public void ClearFaults()
    {
        lock (_faultGate)
        {
            foreach (var queue in _faults)
            {
                queue.Clear();
            }
        }
    }

    public long GetCount(MemoryHcnOperation operation) => Interlocked.Read(ref _counts[(int)operation]);

    public IReadOnlyDictionary<MemoryHcnOperation, long> Snapshot() =>
        Enum.GetValues<MemoryHcnOperation>().Where(o => GetCount(o) > 0).ToDictionary(o => o, GetCount);

    public long Total
    {
        get
        {
            long total = 0;
            for (var i = 0; i < _counts.Length; i++)
            {
                total += Interlocked.Read(ref _counts[i]);
            }

            return total;
        }
    }

    public void ResetCounts()
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            Interlocked.Exchange(ref _counts[i], 0);
        }
    }

    /// <summary>
    /// Starts a call: counts it, waits the configured latency (cancellable, on the injected clock) and throws an
    /// injected failure if one is queued. Nothing of the operation has happened yet when this throws.
    /// </summary>
    public async ValueTask EnterAsync(MemoryHcnOperation operation, string description, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Increment(ref _counts[(int)operation]);

        TimeSpan delay;
        lock (_faultGate)
        {
            delay = TimeSpan.FromTicks(_latencyTicks[(int)operation] ?? _defaultLatencyTicks);
        }

        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, timeProvider, cancellationToken).ConfigureAwait(false);
        }

        // Taken after the delay so a call cancelled while "in HNS" does not consume the fault.
        if (TakeFault(operation) is { } hresult)
        {
            throw new HcnException(description, hresult, detail: "injected by MemoryHcn (FailNext, FailAfter)");
        }
    }

    private int? TakeFault(MemoryHcnOperation operation)
    {
        lock (_faultGate)
        {
            var queue = _faults[(int)operation];
            if (queue.Count == 0)
            {
                return null;
            }

            var head = queue[0];
            if (head.Passing > 0)
            {
                head.Passing--;
                return null;
            }

            head.Remaining--;
            if (head.Remaining == 0)
            {
                queue.RemoveAt(0);
            }

            return head.HResult;
        }
    }

    private static TimeSpan Positive(TimeSpan value) => value < TimeSpan.Zero ? TimeSpan.Zero : value;

    private sealed class Fault
    {
        /// <summary>Calls still let through before this fault (FailAfter).</summary>
        public int Passing { get; set; }

        public int Remaining { get; set; }

        public int HResult { get; init; }
    }
}
