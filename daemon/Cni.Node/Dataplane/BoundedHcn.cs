using Cni.Hcn;

namespace Cni.Node.Dataplane;

/// <summary>
/// An <see cref="IHcn"/> that lets at most N calls into the inner one at a time. HNS serializes much of its work
/// internally and slows down sharply when flooded (under parallel pod creation peers report sandbox timeouts, e.g.
/// microsoft/Windows-Containers#430); bounding the calls keeps a burst of 200
/// pod ADDs from turning into 800 concurrent HNS calls, without a global lock: waiting is per call, not per pod.
/// The attach/policy helpers of <see cref="IHcn"/> go through the Modify calls, so they are bounded too.
/// </summary>
public sealed class BoundedHcn : HcnDecorator, IDisposable
{
    /// <summary>The default bound: enough to overlap HNS latency, few enough not to thrash it.</summary>
    public const int DefaultMaxConcurrentCalls = 16;

    private readonly SemaphoreSlim _slots;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    /// <param name="inner">The real HCN.</param>
    /// <param name="maxConcurrentCalls">How many calls may run at once (≥ 1).</param>
    public BoundedHcn(IHcn inner, int maxConcurrentCalls = DefaultMaxConcurrentCalls)
        : base(inner)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrentCalls, 1);
        MaxConcurrentCalls = maxConcurrentCalls;
        _slots = new SemaphoreSlim(maxConcurrentCalls, maxConcurrentCalls);
    }

    /// <summary>The bound.</summary>
    public int MaxConcurrentCalls { get; }

    /// <summary>Calls running right now (for metrics).</summary>
    public int CallsInFlight => MaxConcurrentCalls - _slots.CurrentCount;

    /// <inheritdoc/>
    public void Dispose() => _slots.Dispose();

    /// <inheritdoc/>
    protected override async Task<T> InvokeAsync<T>(string operation, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await call(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }
}
