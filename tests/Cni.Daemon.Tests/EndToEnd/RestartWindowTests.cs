using System.Diagnostics;
using System.Globalization;

namespace Cni.Daemon.Tests.EndToEnd;

/// <summary>
/// A DaemonSet rollout as the runtime sees it: ADDs keep arriving every 50 ms while the published wincnid is killed
/// with SIGKILL and started again on the same state (memory dataplane). Every ADD succeeds: the plugin waits for a
/// missing or refusing socket and retries a dropped connection, and the restarted daemon holds what arrives before it
/// is ready. The kernel dataplane's twin is Cni.E2E's RestartTests.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class RestartWindowTests
{
    [Test]
    [CancelAfter(180_000)]
    public async Task AddEvery50Ms_AcrossKillAndRestart_AllSucceedWithDistinctIps(CancellationToken cancellationToken)
    {
        using var sandbox = new Sandbox();
        var wincni = new Wincni(sandbox);
        var first = await WincnidProcess.StartReadyAsync(sandbox);
        WincnidProcess? second = null;
        try
        {
            var run = await RestartWindow.RunAsync(
                id => wincni.AddAsync(id),
                kill: () => first.Kill(),
                restart: () =>
                {
                    second = WincnidProcess.Start("run", "--config", sandbox.ConfigFile, "--dataplane", "memory");
                    return second.WaitReadyAsync(sandbox);
                },
                cancellationToken);
            TestContext.Out.WriteLine(run.Describe());

            Assert.That(run.Failures, Is.Empty, $"{run.Describe()}\nfirst daemon:\n{first.Output}\nsecond daemon:\n{second?.Output}");
            Assert.That(run.Outcomes.Select(o => o.Ip), Is.Unique, "an address was handed out twice across the restart");
            Assert.That(run.InWindow, Is.Not.Empty, "ADDs were sent while wincnid was down or starting");

            var status = await DaemonStatus.FetchAsync(sandbox.Socket);
            foreach (var (id, outcome) in run.Ids.Zip(run.Outcomes))
            {
                Assert.That(status.LeaseIpByContainer.GetValueOrDefault(id), Is.EqualTo(outcome.Ip), $"lease of acknowledged {id}");
            }

            var deletes = await Wincni.BoundedAsync(run.Ids, 16, id => wincni.DelAsync(id));
            Assert.That(deletes.Where(o => !o.Succeeded).Select(o => o.Message), Is.Empty);
            await second!.StopAsync();
        }
        finally
        {
            first.Dispose();
            second?.Dispose();
        }
    }
}

/// <summary>
/// One ADD every 50 ms (each its own container, none waiting for the one before), a SIGKILL after a second, a restart
/// 300 ms later (a supervisor's delay), and ADDs on until a second after the restarted daemon is ready; then every
/// outcome and the figures of the window.
/// </summary>
internal sealed record RestartWindow(
    IReadOnlyList<string> Ids,
    IReadOnlyList<PluginOutcome> Outcomes,
    IReadOnlyList<TimeSpan> SentAt,
    TimeSpan KilledAt,
    TimeSpan RestartedAt,
    TimeSpan ReadyAt)
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan KillAfter = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RestartDelay = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan KeepSendingAfterReady = TimeSpan.FromSeconds(1);

    /// <summary>The outcomes of ADDs sent between the kill and the restarted daemon's readiness.</summary>
    public IReadOnlyList<PluginOutcome> InWindow =>
        [.. Outcomes.Where((_, i) => SentAt[i] >= KilledAt - TimeSpan.FromMilliseconds(100) && SentAt[i] <= ReadyAt)];

    public IReadOnlyList<string> Failures =>
        [.. Outcomes.Select((o, i) => (o, i)).Where(x => !x.o.Succeeded).Select(x => $"{Ids[x.i]} sent at {Ms(SentAt[x.i])}: {x.o.Message.Trim()}")];

    public static async Task<RestartWindow> RunAsync(
        Func<string, Task<PluginOutcome>> add,
        Action kill,
        Func<Task> restart,
        CancellationToken cancellationToken)
    {
        var ids = new List<string>();
        var sent = new List<TimeSpan>();
        var pending = new List<Task<PluginOutcome>>();
        var clock = Stopwatch.StartNew();
        TimeSpan? killedAt = null, restartedAt = null, readyAt = null;
        Task? ready = null;
        using var ticks = new PeriodicTimer(Interval);
        for (var i = 0; ; i++)
        {
            var id = "rw" + i.ToString("D4", CultureInfo.InvariantCulture);
            ids.Add(id);
            sent.Add(clock.Elapsed);
            pending.Add(add(id));

            var now = clock.Elapsed;
            if (killedAt is null && now >= KillAfter)
            {
                kill();
                killedAt = clock.Elapsed;
            }
            else if (killedAt is { } k && restartedAt is null && now >= k + RestartDelay)
            {
                restartedAt = clock.Elapsed;
                ready = restart();
            }
            else if (ready is { IsCompleted: true } && readyAt is null)
            {
                await ready.ConfigureAwait(false);
                readyAt = clock.Elapsed;
            }
            else if (readyAt is { } r && now >= r + KeepSendingAfterReady)
            {
                break;
            }

            await ticks.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
        }

        var outcomes = await Task.WhenAll(pending).ConfigureAwait(false);
        return new RestartWindow(ids, outcomes, sent, killedAt!.Value, restartedAt!.Value, readyAt!.Value);
    }

    public string Describe()
    {
        var window = InWindow;
        var latencies = Outcomes.Select(o => o.Elapsed.TotalMilliseconds).Order().ToList();
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{Outcomes.Count} ADDs, one every {Interval.TotalMilliseconds:0} ms: {Outcomes.Count(o => o.Succeeded)} succeeded, {Outcomes.Count(o => !o.Succeeded)} failed "
            + $"(codes {string.Join(",", Outcomes.Where(o => !o.Succeeded).Select(o => o.ErrorCode).Distinct())}); "
            + $"killed at {Ms(KilledAt)}, restarted at {Ms(RestartedAt)}, ready at {Ms(ReadyAt)} ({Ms(ReadyAt - KilledAt)} from kill to ready); "
            + $"{window.Count} ADDs sent in that window, their latency max {window.Select(o => o.Elapsed.TotalMilliseconds).DefaultIfEmpty().Max():0} ms; "
            + $"all ADDs p50 {latencies[latencies.Count / 2]:0} ms, max {latencies[^1]:0} ms");
    }

    private static string Ms(TimeSpan t) => string.Create(CultureInfo.InvariantCulture, $"{t.TotalMilliseconds:0} ms");
}
