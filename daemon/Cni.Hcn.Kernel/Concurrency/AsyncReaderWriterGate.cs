namespace Cni.Hcn.Kernel.Concurrency;

/// <summary>
/// An async reader/writer lock: any number of shared holders, or one exclusive holder. A waiting exclusive holder
/// stops new shared holders from entering, so a network change is not starved by a stream of pod ADDs; when it
/// leaves, every shared holder that queued behind it enters together.
/// </summary>
/// <remarks>
/// Nothing here ever blocks a thread: the state is changed under a short lock and waiters are tasks, completed
/// outside the lock with their continuations run asynchronously. (An earlier version left shared mode with a
/// synchronous semaphore wait; with dozens of load-balancer calls in flight that parked thread-pool threads and
/// starved the pool, which quadrupled the time to program 10,000 Services.)
/// </remarks>
internal sealed class AsyncReaderWriterGate
{
    private readonly Lock _lock = new();
    private readonly Queue<Waiter> _writers = new();
    private readonly List<Waiter> _readers = [];
    private int _shared;
    private bool _exclusive;

    /// <summary>Shared holders now (tests).</summary>
    internal int SharedHolders
    {
        get
        {
            lock (_lock)
            {
                return _shared;
            }
        }
    }

    /// <summary>Enters shared; dispose the result to leave.</summary>
    public Task<IDisposable> EnterSharedAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Waiter waiter;
        lock (_lock)
        {
            if (!_exclusive && _writers.Count == 0)
            {
                _shared++;
                return Task.FromResult<IDisposable>(new Releaser(LeaveShared));
            }

            waiter = new Waiter(shared: true);
            _readers.Add(waiter);
        }

        return waiter.WaitAsync(this, cancellationToken);
    }

    /// <summary>Enters exclusive; dispose the result to leave.</summary>
    public Task<IDisposable> EnterExclusiveAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Waiter waiter;
        lock (_lock)
        {
            if (!_exclusive && _shared == 0)
            {
                _exclusive = true;
                return Task.FromResult<IDisposable>(new Releaser(LeaveExclusive));
            }

            waiter = new Waiter(shared: false);
            _writers.Enqueue(waiter);
        }

        return waiter.WaitAsync(this, cancellationToken);
    }

    private void LeaveShared()
    {
        List<Waiter> granted;
        lock (_lock)
        {
            _shared--;
            granted = _shared == 0 ? GrantLocked(readersFirst: false) : [];
        }

        Complete(granted);
    }

    private void LeaveExclusive()
    {
        List<Waiter> granted;
        lock (_lock)
        {
            _exclusive = false;
            granted = GrantLocked(readersFirst: true);
        }

        Complete(granted);
    }

    /// <summary>
    /// Hands the gate on when it is free. Readers wait only behind a writer, so the last reader leaving hands it to
    /// the first writer; a writer leaving hands it to every reader that queued meanwhile (so a stream of writers
    /// cannot starve readers either), else to the next writer.
    /// </summary>
    private List<Waiter> GrantLocked(bool readersFirst)
    {
        if (_exclusive || _shared > 0)
        {
            return [];
        }

        if (_readers.Count > 0 && (readersFirst || _writers.Count == 0))
        {
            var readers = new List<Waiter>(_readers);
            _readers.Clear();
            _shared += readers.Count;
            return readers;
        }

        if (_writers.TryDequeue(out var writer))
        {
            _exclusive = true;
            return [writer];
        }

        return [];
    }

    /// <summary>Removes a cancelled waiter that was not granted yet; false when it already holds the gate.</summary>
    private bool TryWithdraw(Waiter waiter, out List<Waiter> granted)
    {
        lock (_lock)
        {
            granted = [];
            var removed = waiter.Shared ? _readers.Remove(waiter) : RemoveWriter(waiter);
            if (removed && !waiter.Shared && _writers.Count == 0 && !_exclusive)
            {
                // Readers held back only by this writer may enter now.
                var readers = new List<Waiter>(_readers);
                _readers.Clear();
                _shared += readers.Count;
                granted = readers;
            }

            return removed;
        }
    }

    private bool RemoveWriter(Waiter waiter)
    {
        var count = _writers.Count;
        for (var i = 0; i < count; i++)
        {
            var next = _writers.Dequeue();
            if (!ReferenceEquals(next, waiter))
            {
                _writers.Enqueue(next);
            }
        }

        return _writers.Count < count;
    }

    private void Complete(List<Waiter> granted)
    {
        foreach (var waiter in granted)
        {
            waiter.Grant(waiter.Shared ? new Releaser(LeaveShared) : new Releaser(LeaveExclusive));
        }
    }

    private sealed class Waiter(bool shared)
    {
        private readonly TaskCompletionSource<IDisposable> _granted = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Shared { get; } = shared;

        public void Grant(IDisposable releaser) => _granted.TrySetResult(releaser);

        public async Task<IDisposable> WaitAsync(AsyncReaderWriterGate gate, CancellationToken cancellationToken)
        {
            if (!cancellationToken.CanBeCanceled)
            {
                return await _granted.Task.ConfigureAwait(false);
            }

            await using (cancellationToken.UnsafeRegister(
                static (state, token) =>
                {
                    var (waiter, owner) = ((Waiter, AsyncReaderWriterGate))state!;
                    if (owner.TryWithdraw(waiter, out var granted))
                    {
                        waiter._granted.TrySetCanceled(token);
                        owner.Complete(granted);
                    }
                },
                (this, gate)).ConfigureAwait(false))
            {
                return await _granted.Task.ConfigureAwait(false);
            }
        }
    }
}
