namespace Cni.Hcn.Kernel;

/// <summary>
/// Write batches (<see cref="IHcn.BeginWriteBatch"/>): the writes of one async flow share commits, so a service proxy
/// pass reaches the kernel as one nftables transaction and one store line instead of one per load balancer.
/// </summary>
public sealed partial class KernelHcn
{
    /// <summary>
    /// Changes not yet committed beyond which a write in a batch commits (and waits) as outside one. The first pass at
    /// 10,000 Services makes 90,000 changes; held all at once they would be one commit at the end with every rendering
    /// and document kept until then. services-kernel bench: 256 gave 2.1-2.2 s and a peak RSS of ~320 MiB, 4,096 gave
    /// 2.4-2.6 s and ~380-420 MiB (bigger commits stall the writers longer), 64 and 128 no better than 256.
    /// </summary>
    internal const int MaxHeldChanges = 256;

    private readonly AsyncLocal<WriteBatch?> _writeBatch = new();

    /// <inheritdoc/>
    public HcnWriteBatch BeginWriteBatch()
    {
        var batch = new WriteBatch(this);
        _writeBatch.Value = batch;
        return batch;
    }

    /// <summary>The batch of one async flow: the highest change it holds.</summary>
    private sealed class WriteBatch(KernelHcn owner) : HcnWriteBatch
    {
        private long _last;
        private volatile bool _open = true;

        /// <summary>Takes <paramref name="change"/> into the batch; false when the caller is to commit it now (the batch is closed, or too much waits).</summary>
        public bool Hold(long change)
        {
            if (!_open)
            {
                return false;
            }

            long last;
            do
            {
                last = Interlocked.Read(ref _last);
            }
            while (change > last && Interlocked.CompareExchange(ref _last, change, last) != last);

            // Back-pressure: writes return at once in a batch, far faster than commits go, so once this many changes
            // wait for the kernel each further write commits (and waits) as outside a batch; otherwise a pass would
            // hold all of its changes, their renderings and documents, and make them one giant commit at the end.
            return change - Interlocked.Read(ref owner._committed) < MaxHeldChanges;
        }

        /// <inheritdoc/>
        public override async Task CommitAsync(CancellationToken cancellationToken)
        {
            var last = Interlocked.Read(ref _last);
            if (last > 0)
            {
                await owner.CommitThroughAsync(last, cancellationToken).ConfigureAwait(false);
            }
        }

        /// <inheritdoc/>
        protected override void Dispose(bool disposing)
        {
            // Tasks started inside the batch keep it in their execution context; from here on they commit as usual.
            _open = false;
            if (ReferenceEquals(owner._writeBatch.Value, this))
            {
                owner._writeBatch.Value = null;
            }

            base.Dispose(disposing);
        }
    }
}
