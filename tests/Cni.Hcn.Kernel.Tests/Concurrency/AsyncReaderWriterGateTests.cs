using Cni.Hcn.Kernel.Concurrency;
using NUnit.Framework;

namespace Cni.Hcn.Kernel.Tests.Concurrency;

[TestFixture]
public sealed class AsyncReaderWriterGateTests
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(100);

    [Test]
    public async Task EnterSharedAsync_ManyReaders_AllHoldAtOnce()
    {
        var gate = new AsyncReaderWriterGate();
        var held = new List<IDisposable>();
        for (var i = 0; i < 50; i++)
        {
            held.Add(await gate.EnterSharedAsync(CancellationToken.None));
        }

        Assert.That(gate.SharedHolders, Is.EqualTo(50));
        held.ForEach(h => h.Dispose());
        Assert.That(gate.SharedHolders, Is.Zero);
    }

    [Test]
    public async Task EnterExclusiveAsync_WhileReadersHold_WaitsForTheLast()
    {
        var gate = new AsyncReaderWriterGate();
        var first = await gate.EnterSharedAsync(CancellationToken.None);
        var second = await gate.EnterSharedAsync(CancellationToken.None);
        var writer = gate.EnterExclusiveAsync(CancellationToken.None);

        first.Dispose();
        Assert.That(await Completes(writer), Is.False);
        second.Dispose();
        Assert.That(await Completes(writer), Is.True);
        (await writer).Dispose();
    }

    [Test]
    public async Task EnterSharedAsync_WriterWaiting_QueuesBehindItThenEntersTogether()
    {
        var gate = new AsyncReaderWriterGate();
        var reader = await gate.EnterSharedAsync(CancellationToken.None);
        var writer = gate.EnterExclusiveAsync(CancellationToken.None);
        var late = new[] { gate.EnterSharedAsync(CancellationToken.None), gate.EnterSharedAsync(CancellationToken.None) };

        Assert.That(await Completes(late[0]), Is.False, "a waiting writer holds back new readers");
        reader.Dispose();
        var exclusive = await writer.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.That(late.Any(t => t.IsCompleted), Is.False);
        exclusive.Dispose();

        var readers = await Task.WhenAll(late).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.That(gate.SharedHolders, Is.EqualTo(2));
        foreach (var r in readers)
        {
            r.Dispose();
        }
    }

    [Test]
    public async Task EnterExclusiveAsync_Cancelled_ReadersHeldBackByItEnter()
    {
        var gate = new AsyncReaderWriterGate();
        var reader = await gate.EnterSharedAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var writer = gate.EnterExclusiveAsync(cancel.Token);
        var late = gate.EnterSharedAsync(CancellationToken.None);

        await cancel.CancelAsync();
        Assert.That(async () => await writer, Throws.InstanceOf<OperationCanceledException>());
        (await late.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
        reader.Dispose();

        // The cancelled writer left nothing behind: the gate is free for a new writer.
        (await gate.EnterExclusiveAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
    }

    [Test]
    public async Task EnterSharedAsync_CancelledWhileWaiting_ThrowsAndNeverHolds()
    {
        var gate = new AsyncReaderWriterGate();
        var writer = await gate.EnterExclusiveAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var reader = gate.EnterSharedAsync(cancel.Token);

        await cancel.CancelAsync();
        Assert.That(async () => await reader, Throws.InstanceOf<OperationCanceledException>());
        writer.Dispose();
        Assert.That(gate.SharedHolders, Is.Zero);
    }

    [Test]
    public async Task Dispose_OfAHoldingTwice_ReleasesOnce()
    {
        var gate = new AsyncReaderWriterGate();
        var a = await gate.EnterSharedAsync(CancellationToken.None);
        var b = await gate.EnterSharedAsync(CancellationToken.None);
        a.Dispose();
        a.Dispose();
        Assert.That(gate.SharedHolders, Is.EqualTo(1));
        b.Dispose();
    }

    [Test]
    public async Task Gate_ManyConcurrentReadersAndWriters_WritersAlwaysAlone()
    {
        var gate = new AsyncReaderWriterGate();
        var readersInside = 0;
        var writersInside = 0;
        var violations = 0;
        async Task Reader()
        {
            using var held = await gate.EnterSharedAsync(CancellationToken.None);
            Interlocked.Increment(ref readersInside);
            if (Volatile.Read(ref writersInside) != 0)
            {
                Interlocked.Increment(ref violations);
            }

            await Task.Yield();
            Interlocked.Decrement(ref readersInside);
        }

        async Task Writer()
        {
            using var held = await gate.EnterExclusiveAsync(CancellationToken.None);
            if (Interlocked.Increment(ref writersInside) != 1 || Volatile.Read(ref readersInside) != 0)
            {
                Interlocked.Increment(ref violations);
            }

            await Task.Yield();
            Interlocked.Decrement(ref writersInside);
        }

        var work = Enumerable.Range(0, 2000).Select(i => Task.Run(i % 25 == 0 ? Writer : Reader));
        await Task.WhenAll(work).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(violations, Is.Zero);
        Assert.That(gate.SharedHolders, Is.Zero);
    }

    private static async Task<bool> Completes(Task task) =>
        await Task.WhenAny(task, Task.Delay(Short)) == task;
}
