using Cni.Node.Pods;

namespace Cni.Node.Tests.Pods;

public sealed class KeyedAsyncLockTests
{
    [Test]
    public async Task AcquireAsync_SameKey_WaitsForTheHolder()
    {
        var locks = new KeyedAsyncLock<string>();
        var first = await locks.AcquireAsync("a", CancellationToken.None);

        var second = locks.AcquireAsync("a", CancellationToken.None);
        var waitedBeforeRelease = second.IsCompleted;
        first.Dispose();
        using var held = await second;

        Assert.That(waitedBeforeRelease, Is.False);
        Assert.That(locks.ActiveKeys, Is.EqualTo(1));
    }

    [Test]
    public async Task AcquireAsync_DifferentKeys_DoNotWait()
    {
        var locks = new KeyedAsyncLock<string>();
        using var a = await locks.AcquireAsync("a", CancellationToken.None);

        var b = locks.AcquireAsync("b", CancellationToken.None);

        Assert.That(b.IsCompletedSuccessfully, Is.True);
        (await b).Dispose();
    }

    [Test]
    public async Task AcquireAsync_AllReleased_TableEmpty()
    {
        var locks = new KeyedAsyncLock<string>();
        var holders = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => locks.AcquireAsync("k" + (i % 5), CancellationToken.None).ContinueWith(t => { t.Result.Dispose(); return 0; }, TaskScheduler.Default)));

        Assert.That(holders, Has.Length.EqualTo(50));
        Assert.That(locks.ActiveKeys, Is.Zero);
    }

    [Test]
    public async Task AcquireAsync_WaiterCancelled_ThrowsAndLeavesNoEntryBehind()
    {
        var locks = new KeyedAsyncLock<string>();
        var holder = await locks.AcquireAsync("a", CancellationToken.None);
        using var cts = new CancellationTokenSource();

        var waiter = locks.AcquireAsync("a", cts.Token);
        await cts.CancelAsync();

        Assert.That(async () => await waiter, Throws.InstanceOf<OperationCanceledException>());
        holder.Dispose();
        holder.Dispose();
        Assert.That(locks.ActiveKeys, Is.Zero);
    }
}
