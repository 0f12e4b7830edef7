using Cni.Node.Kubernetes;
using Cni.Node.Kubernetes.Controllers;
using Microsoft.Extensions.Time.Testing;

namespace Cni.Node.Tests.Kubernetes.Controllers;

public sealed class WorkQueueTests
{
    private static async Task<string> TakeAsync(WorkQueue<string> queue)
    {
        var (taken, key) = await queue.TakeAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.That(taken, Is.True);
        return key!;
    }

    [Test]
    public async Task Add_SameKeyManyTimesWhileQueued_ProcessedOnce()
    {
        using var queue = new WorkQueue<string>(new FakeTimeProvider());

        queue.Add("a");
        queue.Add("b");
        queue.Add("a");
        queue.Add("a");

        Assert.That(queue.Count, Is.EqualTo(2));
        Assert.That(await TakeAsync(queue), Is.EqualTo("a"));
        Assert.That(await TakeAsync(queue), Is.EqualTo("b"));
        Assert.That(queue.Count, Is.Zero);
    }

    [Test]
    public async Task Add_WhileProcessing_NotHandedOutUntilDoneThenOnceMore()
    {
        using var queue = new WorkQueue<string>(new FakeTimeProvider());
        queue.Add("a");
        var key = await TakeAsync(queue);

        queue.Add("a");
        queue.Add("a");
        var second = queue.TakeAsync(CancellationToken.None);
        await Task.Delay(100);

        Assert.That(second.IsCompleted, Is.False, "the same key must not go to a second worker while the first has it");
        queue.Done(key);
        Assert.That((await second.WaitAsync(TimeSpan.FromSeconds(20))).Key, Is.EqualTo("a"));
        queue.Done("a");
        Assert.That(queue.Count, Is.Zero);
    }

    [Test]
    public async Task TakeAsync_ManyWorkersManyAdds_NeverConcurrentPerKey()
    {
        var active = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var violations = 0;
        var processed = 0;
        using var live = new WorkQueue<string>(new FakeTimeProvider());
        var workers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                var (taken, key) = await live.TakeAsync(CancellationToken.None);
                if (!taken)
                {
                    return;
                }

                if (active.AddOrUpdate(key!, 1, (_, n) => n + 1) > 1)
                {
                    Interlocked.Increment(ref violations);
                }

                await Task.Yield();
                active.AddOrUpdate(key!, 0, (_, n) => n - 1);
                Interlocked.Increment(ref processed);
                live.Done(key!);
            }
        })).ToArray();

        for (var i = 0; i < 2000; i++)
        {
            live.Add("k" + (i % 5));
        }

        live.ShutDown();
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.That(violations, Is.Zero);
        Assert.That(processed, Is.GreaterThanOrEqualTo(5));
    }

    [Test]
    public void AddRateLimited_RepeatedFailures_DelayGrowsToCapAndForgetResets()
    {
        using var queue = new WorkQueue<string>(new FakeTimeProvider(), new ExponentialBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)));

        var delays = Enumerable.Range(0, 5).Select(_ => queue.AddRateLimited("a")).ToList();
        Assert.That(queue.Retries("a"), Is.EqualTo(5));
        queue.Forget("a");

        Assert.That(delays, Is.EqualTo(new[] { 1, 2, 4, 5, 5 }.Select(s => TimeSpan.FromSeconds(s))));
        Assert.That(queue.Retries("a"), Is.Zero);
        Assert.That(queue.AddRateLimited("a"), Is.EqualTo(TimeSpan.FromSeconds(1)));
    }

    [Test]
    public async Task AddAfter_Delay_QueuedOnlyWhenTimeHasPassed()
    {
        var time = new FakeTimeProvider();
        using var queue = new WorkQueue<string>(time);

        queue.AddAfter("a", TimeSpan.FromSeconds(10));
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.That(queue.Count, Is.Zero);
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.That(queue.Count, Is.EqualTo(1));
        Assert.That(await TakeAsync(queue), Is.EqualTo("a"));
    }

    [Test]
    public async Task ShutDown_QueuedKeysDrainedThenTakeReturnsNothingAndAddsIgnored()
    {
        var time = new FakeTimeProvider();
        using var queue = new WorkQueue<string>(time);
        queue.Add("a");
        queue.Add("b");
        queue.AddAfter("late", TimeSpan.FromSeconds(1));

        queue.ShutDown();
        queue.Add("c");
        time.Advance(TimeSpan.FromSeconds(5));

        var a = await TakeAsync(queue);
        var b = await TakeAsync(queue);
        var drained = queue.WaitForDrainAsync(CancellationToken.None);
        Assert.That(drained.IsCompleted, Is.False, "keys are still being processed");
        queue.Done(a);
        queue.Done(b);
        await drained.WaitAsync(TimeSpan.FromSeconds(20));
        var (taken, _) = await queue.TakeAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.That((a, b), Is.EqualTo(("a", "b")));
        Assert.That(taken, Is.False);
    }

    [Test]
    public async Task ShutDown_WakesWaitingWorkers()
    {
        using var queue = new WorkQueue<string>(new FakeTimeProvider());
        var waiting = queue.TakeAsync(CancellationToken.None);

        queue.ShutDown();

        Assert.That((await waiting.WaitAsync(TimeSpan.FromSeconds(20))).Taken, Is.False);
    }

    [Test]
    public void TakeAsync_Cancelled_Throws()
    {
        using var queue = new WorkQueue<string>(new FakeTimeProvider());
        using var cancel = new CancellationTokenSource();
        var waiting = queue.TakeAsync(cancel.Token);

        cancel.Cancel();

        Assert.That(async () => await waiting, Throws.InstanceOf<OperationCanceledException>());
    }
}
