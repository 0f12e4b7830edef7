using System.Collections.Concurrent;
using System.Globalization;

namespace Cni.Daemon.Tests.EndToEnd;

/// <summary>
/// SIGKILL of the published wincnid in the middle of 200 concurrent ADDs (memory dataplane persisted in the state dir,
/// as HNS outlives the daemon on Windows), then a restart on the same state: nothing acknowledged is lost, no address
/// is ever handed out twice, and DEL + GC leave nothing behind.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class CrashRecoveryTests
{
    private const int Pods = 200;
    private const int ProcessesAtOnce = 32;
    private const int KillAfterAcknowledged = 60;

    [Test]
    public async Task Kill_DuringConcurrentAdds_RestartKeepsAcknowledgedAndDelGcLeaveNothing()
    {
        using var sandbox = new Sandbox();
        var wincni = new Wincni(sandbox);
        var ids = Enumerable.Range(0, Pods).Select(i => "crash" + i.ToString("D4", CultureInfo.InvariantCulture)).ToList();
        var acknowledged = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        var killed = 0;

        PluginOutcome[] outcomes;
        using (var daemon = await WincnidProcess.StartReadyAsync(sandbox))
        {
            // A short timeout: the plugin waits that long for a daemon that may come back, and this one does not
            // until every ADD of the first round has its answer.
            var impatient = wincni.Config(extra: "\"timeoutSeconds\":2");
            outcomes = await Wincni.BoundedAsync(ids, ProcessesAtOnce, async id =>
            {
                var outcome = await wincni.AddAsync(id, impatient);
                if (outcome.Succeeded)
                {
                    acknowledged[id] = outcome.Ip;
                    if (acknowledged.Count >= KillAfterAcknowledged && Interlocked.Exchange(ref killed, 1) == 0)
                    {
                        daemon.Kill();
                    }
                }

                return outcome;
            });
            Assert.That(daemon.HasExited, Is.True, "the daemon was killed mid-run");
        }

        var failed = ids.Where((_, i) => !outcomes[i].Succeeded).ToList();
        TestContext.Out.WriteLine($"killed after {acknowledged.Count} acknowledged ADDs; {failed.Count} failed with {string.Join(",", outcomes.Where(o => !o.Succeeded).Select(o => o.ErrorCode).Distinct())}; slowest failure {outcomes.Where(o => !o.Succeeded).Select(o => o.Elapsed.TotalMilliseconds).DefaultIfEmpty().Max():0} ms");
        Assert.Multiple(() =>
        {
            Assert.That(failed, Is.Not.Empty, "the kill hit ADDs in flight or queued");
            Assert.That(outcomes.Where(o => !o.Succeeded).Select(o => o.ErrorCode), Is.All.EqualTo(11), "a dead daemon means try again later");
            Assert.That(outcomes.Where(o => !o.Succeeded).Select(o => o.Message), Is.All.Contain("waited"), "after waiting the plugin's timeout for it");
            Assert.That(acknowledged.Values, Is.Unique, "duplicate IPs before the crash");
        });

        using var restarted = await WincnidProcess.StartReadyAsync(sandbox);
        var status = await DaemonStatus.FetchAsync(sandbox.Socket);
        TestContext.Out.WriteLine($"after the restart: {status.LeaseIpByContainer.Count} leases, {status.OwnedEndpointCount} pod endpoints");
        Assert.Multiple(() =>
        {
            foreach (var (id, ip) in acknowledged)
            {
                Assert.That(status.LeaseIpByContainer.GetValueOrDefault(id), Is.EqualTo(ip), $"lease of acknowledged {id}");
                Assert.That(status.EndpointIpByName.GetValueOrDefault(DaemonStatus.EndpointName(id)), Is.EqualTo(ip), $"endpoint of acknowledged {id}");
            }

            Assert.That(status.LeaseIpByContainer.Values, Is.Unique, "two leases share an address after the restart");
            Assert.That(status.EndpointIpByName.Values, Is.Unique, "two endpoints share an address after the restart");
        });

        // The runtime retries what failed; every answer is new and unique.
        var retried = await Wincni.BoundedAsync(failed, ProcessesAtOnce, id => wincni.AddAsync(id));
        Assert.That(retried.Where(o => !o.Succeeded).Select(o => o.Message), Is.Empty);
        var everyIp = acknowledged.Values.Concat(retried.Select(o => o.Ip)).ToList();
        Assert.That(everyIp, Has.Count.EqualTo(Pods));
        Assert.That(everyIp, Is.Unique, "an address was handed out twice across the crash");

        // Tear-down as the runtime does it: DEL every pod, then GC with nothing valid.
        var deletes = await Wincni.BoundedAsync(ids, ProcessesAtOnce, id => wincni.DelAsync(id));
        Assert.That(deletes.Where(o => !o.Succeeded).Select(o => o.Message), Is.Empty);
        Assert.That((await wincni.GcAsync([])).ExitCode, Is.Zero);

        var final = await DaemonStatus.FetchAsync(sandbox.Socket);
        Assert.That(final.LeaseIpByContainer, Is.Empty, "leaked leases");
        Assert.That(final.OwnedEndpointCount, Is.Zero, "leaked endpoints");
        await restarted.StopAsync();
    }
}
