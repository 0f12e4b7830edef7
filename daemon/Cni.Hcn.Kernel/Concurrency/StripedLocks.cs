namespace Cni.Hcn.Kernel.Concurrency;

/// <summary>
/// Async locks per object ID, striped over a fixed set of semaphores (no per-ID bookkeeping to leak). Several IDs are
/// taken in stripe order, so two callers locking overlapping sets can never deadlock; two IDs sharing a stripe only
/// cost parallelism.
/// </summary>
internal sealed class StripedLocks : IDisposable
{
    private readonly SemaphoreSlim[] _stripes;

    public StripedLocks(int stripes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stripes, 1);
        _stripes = Enumerable.Range(0, stripes).Select(_ => new SemaphoreSlim(1, 1)).ToArray();
    }

    /// <summary>Locks every ID in <paramref name="ids"/> (empty GUIDs are ignored); dispose the result to unlock.</summary>
    public async Task<IDisposable> AcquireAsync(IEnumerable<Guid> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var indexes = ids.Where(id => id != Guid.Empty).Select(id => (int)((uint)id.GetHashCode() % (uint)_stripes.Length)).Distinct().Order().ToList();
        var taken = new List<SemaphoreSlim>(indexes.Count);
        try
        {
            foreach (var index in indexes)
            {
                await _stripes[index].WaitAsync(cancellationToken).ConfigureAwait(false);
                taken.Add(_stripes[index]);
            }
        }
        catch
        {
            ReleaseAll(taken);
            throw;
        }

        return new Releaser(() => ReleaseAll(taken));
    }

    public void Dispose()
    {
        foreach (var stripe in _stripes)
        {
            stripe.Dispose();
        }
    }

    private static void ReleaseAll(List<SemaphoreSlim> taken)
    {
        for (var i = taken.Count - 1; i >= 0; i--)
        {
            taken[i].Release();
        }
    }
}
