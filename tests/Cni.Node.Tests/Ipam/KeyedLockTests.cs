using Cni.Node.Ipam;

namespace Cni.Node.Tests.Ipam;

public sealed class KeyedLockTests
{
    [Test]
    [CancelAfter(5000)]
    public async Task AcquireAsync_DifferentKeys_DoNotWaitForEachOther(CancellationToken cancellationToken)
    {
        var locks = new KeyedLock<string>();
        using var a = await locks.AcquireAsync("a", cancellationToken);

        var b = locks.AcquireAsync("b", cancellationToken);

        Assert.That(b.IsCompletedSuccessfully, Is.True);
        (await b).Dispose();
    }

    [Test]
    [CancelAfter(5000)]
    public async Task AcquireAsync_SameKey_WaitsUntilReleased(CancellationToken cancellationToken)
    {
        var locks = new KeyedLock<string>();
        var first = await locks.AcquireAsync("a", cancellationToken);

        var second = locks.AcquireAsync("a", cancellationToken);
        Assert.That(second.IsCompleted, Is.False);

        first.Dispose();
        (await second).Dispose();
        Assert.That(locks.ActiveKeys, Is.Zero);
    }

    [Test]
    [CancelAfter(5000)]
    public async Task AcquireAsync_WaiterCancelled_ThrowsAndLeavesNoEntryBehind(CancellationToken cancellationToken)
    {
        var locks = new KeyedLock<string>();
        var held = await locks.AcquireAsync("a", cancellationToken);
        using var cancel = new CancellationTokenSource();

        var waiter = locks.AcquireAsync("a", cancel.Token);
        await cancel.CancelAsync();

        Assert.CatchAsync<OperationCanceledException>(() => waiter);
        held.Dispose();
        Assert.That(locks.ActiveKeys, Is.Zero);
    }
}
