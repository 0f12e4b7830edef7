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
    public async Task<IDisposable> AcquireAsync(IReadOnlyList<Guid> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);

        // Stripe indexes in ascending order without duplicates (calls lock one or two IDs: no LINQ on this path,
        // which every pod and load-balancer call takes).
        var indexes = new int[ids.Count];
        var count = 0;
        foreach (var id in ids)
        {
            if (id != Guid.Empty)
            {
                var index = (int)((uint)id.GetHashCode() % (uint)_stripes.Length);
                if (Array.IndexOf(indexes, index, 0, count) < 0)
                {
                    indexes[count++] = index;
                }
            }
        }

        Array.Sort(indexes, 0, count);
        var taken = 0;
        try
        {
            for (; taken < count; taken++)
            {
                await _stripes[indexes[taken]].WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            ReleaseAll(indexes, taken);
            throw;
        }

        return new Releaser(() => ReleaseAll(indexes, count));
    }

    public void Dispose()
    {
        foreach (var stripe in _stripes)
        {
            stripe.Dispose();
        }
    }

    private void ReleaseAll(int[] indexes, int taken)
    {
        for (var i = taken - 1; i >= 0; i--)
        {
            _stripes[indexes[i]].Release();
        }
    }
}
