using Cni.Node.Concurrency;

namespace Cni.Node.Tests.Concurrency;

public sealed class KeyedAsyncLockTests
{
    [Test]
    [CancelAfter(5000)]
    public async Task AcquireAsync_SameKey_WaitsUntilReleased(CancellationToken cancellationToken)
    {
        var locks = new KeyedAsyncLock<string>();
        var first = await locks.AcquireAsync("a", cancellationToken);

        var second = locks.AcquireAsync("a", cancellationToken);
        Assert.That(second.IsCompleted, Is.False);

        first.Dispose();
        (await second).Dispose();
        Assert.That(locks.ActiveKeys, Is.Zero);
    }

    [Test]
    [CancelAfter(5000)]
    public async Task AcquireAsync_DifferentKeys_DoNotWaitForEachOther(CancellationToken cancellationToken)
    {
        var locks = new KeyedAsyncLock<string>();
        using var a = await locks.AcquireAsync("a", cancellationToken);

        var b = locks.AcquireAsync("b", cancellationToken);

        Assert.That(b.IsCompletedSuccessfully, Is.True);
        (await b).Dispose();
    }

    [Test]
    [CancelAfter(5000)]
    public async Task AcquireAsync_ManyHoldersAllReleased_TableEmpty(CancellationToken cancellationToken)
    {
        var locks = new KeyedAsyncLock<string>();

        await Task.WhenAll(Enumerable.Range(0, 50).Select(async i =>
        {
            using var held = await locks.AcquireAsync("k" + (i % 5), cancellationToken);
            await Task.Yield();
        }));

        Assert.That(locks.ActiveKeys, Is.Zero);
    }

    [Test]
    [CancelAfter(5000)]
    public async Task AcquireAsync_WaiterCancelled_ThrowsAndLeavesNoEntryBehind(CancellationToken cancellationToken)
    {
        var locks = new KeyedAsyncLock<string>();
        var held = await locks.AcquireAsync("a", cancellationToken);
        using var cancel = new CancellationTokenSource();

        var waiter = locks.AcquireAsync("a", cancel.Token);
        await cancel.CancelAsync();

        Assert.That(async () => await waiter, Throws.InstanceOf<OperationCanceledException>());
        held.Dispose();
        Assert.That(locks.ActiveKeys, Is.Zero);
    }
}
