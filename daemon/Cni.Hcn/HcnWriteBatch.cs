namespace Cni.Hcn;

/// <summary>
/// A scope in which a dataplane may hold back realizing the writes of the calling async flow (and of the tasks it
/// starts) and realize them together at <see cref="CommitAsync"/>: the service proxy's pass becomes one dataplane
/// transaction, as kube-proxy's nftables mode makes one per sync, instead of one per load balancer. Each write still
/// validates and lands in the object model before it returns, so the calls answer as they would outside a batch;
/// only the dataplane may lag until the commit. HNS has no such transactions, so on Windows (and the emulator)
/// <see cref="None"/> is used and every write is real when it returns.
/// </summary>
public abstract class HcnWriteBatch : IDisposable
{
    /// <summary>The batch of a dataplane that realizes each write on its own.</summary>
    public static HcnWriteBatch None { get; } = new NoBatch();

    /// <summary>Realizes every write of the batch so far; the batch goes on for later writes until disposed.</summary>
    /// <param name="cancellationToken">Cancellation of the wait for the dataplane.</param>
    /// <returns>A task that completes once the dataplane has the writes.</returns>
    /// <exception cref="Errors.HcnException">The dataplane refused them (it retries them with its next commit).</exception>
    public abstract Task CommitAsync(CancellationToken cancellationToken);

    /// <summary>Ends the scope; writes not yet committed are realized by the dataplane's next commit.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Ends the scope.</summary>
    /// <param name="disposing">True from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
    }

    private sealed class NoBatch : HcnWriteBatch
    {
        public override Task CommitAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
