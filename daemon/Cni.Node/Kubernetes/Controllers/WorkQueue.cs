namespace Cni.Node.Kubernetes.Controllers;

/// <summary>
/// A controller work queue (client-go's semantics, one lock): a key added while queued is queued once; a key added
/// while being processed is queued again when <see cref="Done"/> is called, so one key is never processed by two
/// workers at once; failed keys come back after a per-key exponential delay until <see cref="Forget"/>.
/// After <see cref="ShutDown"/> nothing new is accepted; workers drain what is queued, then get nothing.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
public sealed class WorkQueue<TKey> : IDisposable
    where TKey : notnull
{
    private readonly Lock _lock = new();
    private readonly Queue<TKey> _queue = new();
    private readonly HashSet<TKey> _dirty = [];
    private readonly HashSet<TKey> _processing = [];
    private readonly Dictionary<TKey, int> _failures = [];
    private readonly HashSet<ITimer> _timers = [];
    private readonly TimeProvider _time;
    private readonly ExponentialBackoff _backoff;
    private TaskCompletionSource _changed = NewSignal();
    private bool _shuttingDown;

    /// <summary>Creates the queue.</summary>
    /// <param name="timeProvider">Time for delayed adds.</param>
    /// <param name="retryBackoff">Per-key retry delay; null for 5 ms doubling to 30 s (without jitter: per key, not a herd).</param>
    public WorkQueue(TimeProvider timeProvider, ExponentialBackoff? retryBackoff = null)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _time = timeProvider;
        _backoff = retryBackoff ?? new ExponentialBackoff(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(30));
    }

    /// <summary>Keys waiting to be processed (not counting those being processed).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Whether <see cref="ShutDown"/> was called.</summary>
    public bool IsShuttingDown
    {
        get
        {
            lock (_lock)
            {
                return _shuttingDown;
            }
        }
    }

    /// <summary>Queues a key (no-op if already queued, or after shutdown).</summary>
    public void Add(TKey key)
    {
        lock (_lock)
        {
            if (_shuttingDown || !_dirty.Add(key))
            {
                return;
            }

            // Being processed: Done re-queues it, so it is never in the hands of two workers.
            if (!_processing.Contains(key))
            {
                _queue.Enqueue(key);
                SignalLocked();
            }
        }
    }

    /// <summary>Queues a key after a delay.</summary>
    /// <param name="delay">The delay; zero or less adds now.</param>
    public void AddAfter(TKey key, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(key);
            return;
        }

        lock (_lock)
        {
            if (_shuttingDown)
            {
                return;
            }

            ITimer? timer = null;
            timer = _time.CreateTimer(
                _ =>
                {
                    lock (_lock)
                    {
                        _timers.Remove(timer!);
                    }

                    timer!.Dispose();
                    Add(key);
                },
                null,
                Timeout.InfiniteTimeSpan,
                Timeout.InfiniteTimeSpan);
            _timers.Add(timer);
            timer.Change(delay, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Queues a key after its next retry delay (grows with each call until <see cref="Forget"/>).</summary>
    /// <returns>The delay used.</returns>
    public TimeSpan AddRateLimited(TKey key)
    {
        TimeSpan delay;
        lock (_lock)
        {
            var failures = _failures.GetValueOrDefault(key) + 1;
            _failures[key] = failures;
            delay = _backoff.Ceiling(failures);
        }

        AddAfter(key, delay);
        return delay;
    }

    /// <summary>Resets a key's retry delay (call after it was processed successfully).</summary>
    public void Forget(TKey key)
    {
        lock (_lock)
        {
            _failures.Remove(key);
        }
    }

    /// <summary>How often a key has been retried since it was last forgotten.</summary>
    /// <returns>The count.</returns>
    public int Retries(TKey key)
    {
        lock (_lock)
        {
            return _failures.GetValueOrDefault(key);
        }
    }

    /// <summary>
    /// Takes the next key, waiting for one. The caller must call <see cref="Done"/> with it. Returns
    /// <c>(false, default)</c> once the queue is shut down and drained.
    /// </summary>
    /// <returns>Whether a key was taken, and the key.</returns>
    public async Task<(bool Taken, TKey? Key)> TakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if (_queue.TryDequeue(out var key))
                {
                    _dirty.Remove(key);
                    _processing.Add(key);
                    return (true, key);
                }

                if (_shuttingDown)
                {
                    return (false, default);
                }

                changed = _changed.Task;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Marks a key as processed; if it was added meanwhile, it is queued again.</summary>
    /// <param name="key">The key from <see cref="TakeAsync"/>.</param>
    public void Done(TKey key)
    {
        lock (_lock)
        {
            _processing.Remove(key);
            if (_dirty.Contains(key))
            {
                _queue.Enqueue(key);
            }

            SignalLocked();
        }
    }

    /// <summary>Stops accepting keys (pending delayed adds are dropped); workers drain the queue and then stop.</summary>
    public void ShutDown()
    {
        lock (_lock)
        {
            _shuttingDown = true;
            foreach (var timer in _timers)
            {
                timer.Dispose();
            }

            _timers.Clear();
            SignalLocked();
        }
    }

    /// <summary>Completes when the queue is shut down, empty and no key is being processed.</summary>
    public async Task WaitForDrainAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if (_shuttingDown && _queue.Count == 0 && _processing.Count == 0)
                {
                    return;
                }

                changed = _changed.Task;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => ShutDown();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Wakes every waiter; each re-checks under the lock. Simple and fair enough for a handful of workers.
    private void SignalLocked()
    {
        _changed.TrySetResult();
        _changed = NewSignal();
    }
}
