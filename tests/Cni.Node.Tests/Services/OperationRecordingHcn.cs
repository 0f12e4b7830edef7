using System.Collections.Concurrent;
using Cni.Hcn;

namespace Cni.Node.Tests.Services;

/// <summary>
/// Records the order in which HCN operations completed (successful ones), to check the engine's write ordering, and
/// the write batches the engine opened and committed, with how many operations had completed at each.
/// </summary>
internal sealed class OperationRecordingHcn(IHcn inner) : HcnDecorator(inner)
{
    private readonly ConcurrentQueue<string> _completed = new();
    private readonly ConcurrentQueue<(string Event, int Completed)> _batches = new();

    public IReadOnlyList<string> Completed => [.. _completed];

    /// <summary>"begin" and "commit" of each write batch, with the operations completed by then.</summary>
    public IReadOnlyList<(string Event, int Completed)> Batches => [.. _batches];

    /// <summary>When set, the next batch commit fails with this.</summary>
    public Exception? FailNextCommit { get; set; }

    public override HcnWriteBatch BeginWriteBatch()
    {
        _batches.Enqueue(("begin", _completed.Count));
        return new RecordedBatch(this, base.BeginWriteBatch());
    }

    public void Clear() => _completed.Clear();

    protected override async Task<T> InvokeAsync<T>(string operation, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        var result = await call(cancellationToken).ConfigureAwait(false);
        _completed.Enqueue(operation);
        return result;
    }

    private sealed class RecordedBatch(OperationRecordingHcn owner, HcnWriteBatch inner) : HcnWriteBatch
    {
        public override async Task CommitAsync(CancellationToken cancellationToken)
        {
            if (owner.FailNextCommit is { } failure)
            {
                owner.FailNextCommit = null;
                throw failure;
            }

            await inner.CommitAsync(cancellationToken).ConfigureAwait(false);
            owner._batches.Enqueue(("commit", owner._completed.Count));
        }

        protected override void Dispose(bool disposing)
        {
            inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
