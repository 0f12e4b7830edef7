using System.Collections.Concurrent;
using Cni.Node.Kubernetes;
using Cni.Node.Kubernetes.Cache;
using Cni.Node.Kubernetes.Controllers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static Cni.Node.Tests.Kubernetes.KubernetesTestObjects;

namespace Cni.Node.Tests.Kubernetes.Controllers;

public sealed class ControllerRunnerTests
{
    private sealed class ManualSync(string resource) : ICacheSyncStatus
    {
        private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Resource => resource;

        public bool HasSynced => _synced.Task.IsCompleted;

        public void Sync() => _synced.TrySetResult();

        public Task WaitForSyncAsync(CancellationToken cancellationToken) => _synced.Task.WaitAsync(cancellationToken);
    }

    private sealed class RecordingReconciler : IReconciler<string>
    {
        public ConcurrentQueue<string> Calls { get; } = new();

        public Func<string, int, Task>? Behaviour { get; set; }

        public async Task ReconcileAsync(string key, CancellationToken cancellationToken)
        {
            Calls.Enqueue(key);
            if (Behaviour is not null)
            {
                await Behaviour(key, Calls.Count(k => k == key));
            }
        }
    }

    [Test]
    public async Task RunAsync_CachesNotSynced_NoWorkUntilAllSynced()
    {
        var nodes = new ManualSync("nodes");
        var services = new ManualSync("services");
        var reconciler = new RecordingReconciler();
        using var queue = new WorkQueue<string>(new FakeTimeProvider());
        var runner = new ControllerRunner<string>(reconciler, queue, [nodes, services], () => ["a", "b"], new ControllerRunnerOptions { Workers = 2 }, new FakeTimeProvider(), NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        var run = runner.RunAsync(stop.Token);

        queue.Add("early");
        nodes.Sync();
        await Task.Delay(200);
        Assert.That(reconciler.Calls, Is.Empty, "one cache is still listing");
        Assert.That(runner.IsStarted, Is.False);

        services.Sync();
        await WaitUntilAsync(() => reconciler.Calls.Count == 3, "early key and the initial pass");
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.That(reconciler.Calls, Is.EquivalentTo(new[] { "early", "a", "b" }));
    }

    [Test]
    public async Task RunAsync_ReconcileFails_RetriedWithGrowingDelayThenForgotten()
    {
        var time = new FakeTimeProvider();
        var sync = new ManualSync("nodes");
        sync.Sync();
        var reconciler = new RecordingReconciler { Behaviour = (key, n) => n <= 2 ? throw new InvalidOperationException("boom") : Task.CompletedTask };
        using var queue = new WorkQueue<string>(time, new ExponentialBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60)));
        var runner = new ControllerRunner<string>(reconciler, queue, [sync], () => ["a"], new ControllerRunnerOptions { ResyncPeriod = TimeSpan.Zero }, time, NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        var run = runner.RunAsync(stop.Token);

        await WaitUntilAsync(() => reconciler.Calls.Count == 1 && queue.Retries("a") == 1, "first failure");
        time.Advance(TimeSpan.FromMilliseconds(999));
        await Task.Delay(100);
        Assert.That(reconciler.Calls, Has.Count.EqualTo(1));
        time.Advance(TimeSpan.FromMilliseconds(1));
        await WaitUntilAsync(() => reconciler.Calls.Count == 2 && queue.Retries("a") == 2, "second failure");
        time.Advance(TimeSpan.FromMilliseconds(1999));
        await Task.Delay(100);
        Assert.That(reconciler.Calls, Has.Count.EqualTo(2), "the second retry waits twice as long");
        time.Advance(TimeSpan.FromMilliseconds(1));
        await WaitUntilAsync(() => reconciler.Calls.Count == 3, "success");
        await WaitUntilAsync(() => queue.Retries("a") == 0, "forgotten after success");

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Test]
    public async Task RunAsync_ResyncPeriod_EnqueuesAllKeysAgain()
    {
        var time = new FakeTimeProvider();
        var sync = new ManualSync("nodes");
        sync.Sync();
        var reconciler = new RecordingReconciler();
        using var queue = new WorkQueue<string>(time);
        var runner = new ControllerRunner<string>(reconciler, queue, [sync], () => ["a", "b"], new ControllerRunnerOptions { ResyncPeriod = TimeSpan.FromMinutes(1) }, time, NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        var run = runner.RunAsync(stop.Token);
        await WaitUntilAsync(() => reconciler.Calls.Count == 2, "initial pass");

        time.Advance(TimeSpan.FromMinutes(1));
        await WaitUntilAsync(() => reconciler.Calls.Count == 4, "resync");

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.That(reconciler.Calls.Count(k => k == "a"), Is.EqualTo(2));
    }

    [Test]
    public async Task RunAsync_CancelledBeforeSync_ReturnsAndShutsQueue()
    {
        using var queue = new WorkQueue<string>(new FakeTimeProvider());
        var runner = new ControllerRunner<string>(new RecordingReconciler(), queue, [new ManualSync("nodes")], () => [], new ControllerRunnerOptions(), new FakeTimeProvider(), NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        var run = runner.RunAsync(stop.Token);

        await stop.CancelAsync();

        await run.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.That(queue.IsShuttingDown, Is.True);
    }
}
