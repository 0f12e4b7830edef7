namespace Cni.Hcn.Kernel.Concurrency;

/// <summary>
/// An async reader/writer lock: any number of shared holders, or one exclusive holder. A waiting exclusive holder
/// stops new shared holders from entering (a turnstile), so a network change is not starved by a stream of pod ADDs.
/// </summary>
internal sealed class AsyncReaderWriterGate : IDisposable
{
    private readonly SemaphoreSlim _turnstile = new(1, 1);
    private readonly SemaphoreSlim _exclusive = new(1, 1);
    private readonly SemaphoreSlim _readerCount = new(1, 1);
    private int _readers;

    /// <summary>Enters shared; dispose the result to leave.</summary>
    public async Task<IDisposable> EnterSharedAsync(CancellationToken cancellationToken)
    {
        await _turnstile.WaitAsync(cancellationToken).ConfigureAwait(false);
        _turnstile.Release();
        await _readerCount.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_readers == 0)
            {
                // The first reader holds the exclusive side for the whole group of readers.
                await _exclusive.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            _readers++;
        }
        finally
        {
            _readerCount.Release();
        }

        return new Releaser(LeaveShared);
    }

    /// <summary>Enters exclusive; dispose the result to leave.</summary>
    public async Task<IDisposable> EnterExclusiveAsync(CancellationToken cancellationToken)
    {
        await _turnstile.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _exclusive.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _turnstile.Release();
        }

        return new Releaser(() => _exclusive.Release());
    }

    public void Dispose()
    {
        _turnstile.Dispose();
        _exclusive.Dispose();
        _readerCount.Dispose();
    }

    private void LeaveShared()
    {
        // Never cancelled: a reader that cannot leave would block every writer forever.
        _readerCount.Wait();
        try
        {
            if (--_readers == 0)
            {
                _exclusive.Release();
            }
        }
        finally
        {
            _readerCount.Release();
        }
    }
}
