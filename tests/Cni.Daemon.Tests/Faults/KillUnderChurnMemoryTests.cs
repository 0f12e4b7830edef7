using System.Diagnostics;
using System.Globalization;
using Cni.Daemon.Tests.EndToEnd;

namespace Cni.Daemon.Tests.Faults;

/// <summary>
/// The fault campaign of issue 13 on the memory dataplane, through the published binaries: again and again, 50 pods
/// are ADDed while the previous cycle's 50 are DELeted, all in parallel; wincnid is SIGKILLed while they run and
/// restarted at once (as a supervisor would), and the runtime retries every command. After each cycle the daemon's
/// own view must be the truth of what was acknowledged: each live pod has one lease and one endpoint with the address
/// its ADD answered (a retried ADD answers the same), no address is held twice, no endpoint lacks a lease, and a DEL'd
/// pod has neither. The kernel dataplane's counterpart is Cni.E2E's KillUnderParallelAddCampaignTests.
/// </summary>
/// <remarks>
/// <see cref="DefaultCycles"/> cycles by default; <c>WINCNI_CAMPAIGN_CYCLES</c> runs more, <c>WINCNI_CAMPAIGN_SEED</c>
/// repeats a run (the seed is printed).
/// </remarks>
[TestFixture]
[Category("Faults")]
[NonParallelizable]
public sealed class KillUnderChurnMemoryTests
{
    private const int DefaultCycles = 15;
    private const int PodsPerCycle = 50;
    private const int ProcessesAtOnce = 32;

    [Test]
    [CancelAfter(1_800_000)]
    public async Task KillDuringAddAndDelChurn_RetriesSucceed_StatusMatchesEveryAcknowledgedCommand(CancellationToken cancellationToken)
    {
        var cycles = int.TryParse(Environment.GetEnvironmentVariable("WINCNI_CAMPAIGN_CYCLES"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : DefaultCycles;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("WINCNI_CAMPAIGN_SEED"), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var s) ? s : Environment.TickCount;
        var random = new Random(seed);
        TestContext.Out.WriteLine($"campaign: {cycles} cycles of {PodsPerCycle} ADDs beside {PodsPerCycle} DELs, SIGKILL and restart, seed {seed}");

        using var sandbox = new Sandbox();
        sandbox.WriteConfig("ipQuarantineSeconds: 0"); // released addresses come back at once: a duplicate shows within a cycle
        var wincni = new Wincni(sandbox);
        var daemon = await WincnidProcess.StartReadyAsync(sandbox);
        try
        {
            var live = new Dictionary<string, string>(StringComparer.Ordinal); // pod -> acknowledged address
            var failures = new List<string>();
            var total = Stopwatch.StartNew();
            var killedInFlight = 0;
            for (var cycle = 1; cycle <= cycles && failures.Count == 0; cycle++)
            {
                var watch = Stopwatch.StartNew();
                var adding = Enumerable.Range(0, PodsPerCycle).Select(i => string.Create(CultureInfo.InvariantCulture, $"c{cycle:D3}p{i:D2}")).ToList();
                var deleting = live.Keys.ToList();
                var commands = adding.Select(id => (Id: id, Add: true)).Concat(deleting.Select(id => (Id: id, Add: false)))
                    .OrderBy(_ => random.Next()).ToList();

                // Kill once a random number of commands has been answered; restart at once, as a supervisor does.
                var killAfter = random.Next(1, commands.Count);
                var answered = 0;
                var killed = 0;
                var restarted = new TaskCompletionSource<WincnidProcess>(TaskCreationOptions.RunContinuationsAsynchronously);
                var first = await Wincni.BoundedAsync(commands, ProcessesAtOnce, async command =>
                {
                    var outcome = command.Add ? await wincni.AddAsync(command.Id) : await wincni.DelAsync(command.Id);
                    if (Interlocked.Increment(ref answered) == killAfter && Interlocked.Exchange(ref killed, 1) == 0)
                    {
                        daemon.Kill();
                        daemon.Dispose();
                        _ = Task.Run(async () =>
                        {
                            try
                            {
                                restarted.SetResult(await WincnidProcess.StartReadyAsync(sandbox));
                            }
                            catch (Exception e) when (e is InvalidOperationException or TimeoutException)
                            {
                                restarted.SetException(e);
                            }
                        }, CancellationToken.None);
                    }

                    return outcome;
                });
                daemon = await restarted.Task;
                killedInFlight += first.Count(o => !o.Succeeded);

                var acknowledged = new Dictionary<string, string>(StringComparer.Ordinal);
                for (var i = 0; i < commands.Count; i++)
                {
                    if (commands[i].Add && first[i].Succeeded)
                    {
                        acknowledged[commands[i].Id] = first[i].Ip;
                    }
                }

                // The runtime retries everything it sent (a repeated ADD or DEL must change nothing).
                var retried = await Wincni.BoundedAsync(commands, ProcessesAtOnce, command => command.Add ? wincni.AddAsync(command.Id) : wincni.DelAsync(command.Id));
                foreach (var (command, outcome) in commands.Zip(retried))
                {
                    if (!outcome.Succeeded)
                    {
                        failures.Add($"cycle {cycle} (killed after {killAfter} answers): retried {(command.Add ? "ADD" : "DEL")} of {command.Id} failed: {outcome.Message}");
                    }
                    else if (command.Add)
                    {
                        if (acknowledged.TryGetValue(command.Id, out var before) && before != outcome.Ip)
                        {
                            failures.Add($"cycle {cycle}: {command.Id} was acknowledged with {before}, the retried ADD answers {outcome.Ip}");
                        }

                        live[command.Id] = outcome.Ip;
                    }
                    else
                    {
                        live.Remove(command.Id);
                    }
                }

                var status = await DaemonStatus.FetchAsync(sandbox.Socket, cancellationToken);
                failures.AddRange(Compare(cycle, live, status));
                if (failures.Count > 0)
                {
                    failures.Add("daemon output:\n" + daemon.Output);
                    break;
                }

                TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"cycle {cycle}: killed after {killAfter} of {commands.Count} answers (the other {commands.Count - killAfter} were in flight or queued), {first.Count(o => !o.Succeeded)} failed across the restart, {live.Count} pods verified, {watch.Elapsed.TotalSeconds:0.00} s"));
            }

            TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"campaign: {cycles} cycles in {total.Elapsed.TotalSeconds:0.0} s, {killedInFlight} commands failed across a restart and were retried; seed {seed}"));
            Assert.That(failures, Is.Empty, string.Join("\n", failures));

            // Tear-down as the runtime does it: nothing may remain.
            var deletes = await Wincni.BoundedAsync(live.Keys.ToList(), ProcessesAtOnce, id => wincni.DelAsync(id));
            Assert.That(deletes.Where(o => !o.Succeeded).Select(o => o.Message), Is.Empty);
            var final = await DaemonStatus.FetchAsync(sandbox.Socket, cancellationToken);
            Assert.That(final.LeaseIpByContainer, Is.Empty, "leaked leases");
            Assert.That(final.OwnedEndpointCount, Is.Zero, "leaked endpoints");
            await daemon.StopAsync();
        }
        finally
        {
            daemon.Dispose();
        }
    }

    /// <summary>What the daemon reports against what the runtime was told.</summary>
    private static IEnumerable<string> Compare(int cycle, Dictionary<string, string> live, DaemonStatus status)
    {
        foreach (var (id, ip) in live)
        {
            if (status.LeaseIpByContainer.GetValueOrDefault(id) != ip)
            {
                yield return $"cycle {cycle}: {id} was answered {ip}, its lease is {status.LeaseIpByContainer.GetValueOrDefault(id) ?? "gone"}";
            }

            if (status.EndpointIpByName.GetValueOrDefault(DaemonStatus.EndpointName(id)) != ip)
            {
                yield return $"cycle {cycle}: {id} was answered {ip}, its endpoint has {status.EndpointIpByName.GetValueOrDefault(DaemonStatus.EndpointName(id)) ?? "no endpoint"}";
            }
        }

        foreach (var id in status.LeaseIpByContainer.Keys.Where(id => !live.ContainsKey(id)))
        {
            yield return $"cycle {cycle}: a lease for {id}, which is not live (DEL'd or never acknowledged)";
        }

        if (status.OwnedEndpointCount != live.Count)
        {
            yield return $"cycle {cycle}: {status.OwnedEndpointCount} pod endpoints for {live.Count} live pods";
        }

        foreach (var duplicate in status.LeaseIpByContainer.GroupBy(l => l.Value).Where(g => g.Count() > 1))
        {
            yield return $"cycle {cycle}: {duplicate.Key} leased to {string.Join(", ", duplicate.Select(d => d.Key))}";
        }
    }
}
