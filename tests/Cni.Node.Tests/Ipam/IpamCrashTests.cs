using System.Diagnostics;
using Cni.Node.Ipam;

namespace Cni.Node.Tests.Ipam;

/// <summary>
/// Real crash safety: a child process (this assembly's <see cref="Program"/>) runs waves of 200 concurrent ADDs
/// and is SIGKILLed at a random point (mid-batch, mid-compaction, whatever it is doing), three times over the same
/// state directory. After each kill the state must hold every acknowledged lease with its addresses, no released
/// or never-requested lease, and no address twice; finally 200 more ADDs and a GC must leave nothing behind.
/// </summary>
[NonParallelizable]
public sealed class IpamCrashTests
{
    [Test]
    [CancelAfter(120_000)]
    public async Task ReserveAsync_ProcessKilledDuringConcurrentAdds_RestartKeepsEveryAckedLeaseAndGcLeavesNothing(CancellationToken cancellationToken)
    {
        using var dir = new TempDirectory();
        var model = new CrashModel();
        var random = new Random(20261128);
        for (var round = 0; round < 3; round++)
        {
            var killAfterAcks = random.Next(1, 3 * IpamCrashChild.Concurrency);
            await RunChildUntilKilledAsync(dir.Path, round, killAfterAcks, model, cancellationToken);

            await using var store = await IpamStore.OpenAsync(IpamCrashChild.Options(dir.Path), TimeProvider.System, null, cancellationToken);
            var leases = await store.ListAsync(cancellationToken);
            var byId = leases.ToDictionary(l => l.Key.ContainerId);
            foreach (var (id, addresses) in model.Acked)
            {
                if (model.Released.Contains(id))
                {
                    Assert.That(byId.ContainsKey(id), Is.False, $"round {round}: released lease {id} came back");
                    continue;
                }

                if (model.ReleaseStarted.Contains(id) && !byId.ContainsKey(id))
                {
                    // The kill landed during its DEL: the release was durable but not yet acknowledged. Either is fine.
                    continue;
                }

                Assert.That(byId.TryGetValue(id, out var lease), Is.True, $"round {round}: acknowledged lease {id} lost");
                Assert.That((lease!.IPv4!.Address.ToString(), lease.IPv6!.Address.ToString()), Is.EqualTo(addresses), $"round {round}: {id}");
            }

            Assert.That(byId.Keys.Where(id => !model.Requested.Contains(id)), Is.Empty, $"round {round}: phantom leases");
            IpamTestData.AssertDistinct(leases.Select(l => l.IPv4!.Address));
            IpamTestData.AssertDistinct(leases.Select(l => l.IPv6!.Address));
            Assert.That(store.StaleLeases, Is.Empty);
            await TestContext.Out.WriteLineAsync(
                $"round {round}: killed after {killAfterAcks} ACKs; model {model.Requested.Count} requested, {model.Acked.Count} acked, {model.Released.Count} released; store {leases.Count} leases, journal {new FileInfo(store.Journal.Path).Length} bytes");
            Assert.That(store.GetUsage()[0].Quarantined, Is.GreaterThanOrEqualTo(model.Released.Count), "released addresses stay quarantined across the crash");
        }

        IpamTestData.AssertDistinct(model.AckedV4, "no IPv4 address was ever handed out twice");
        IpamTestData.AssertDistinct(model.AckedV6, "no IPv6 address was ever handed out twice");
        Assert.That(model.Acked, Has.Count.GreaterThan(0));

        await using (var store = await IpamStore.OpenAsync(IpamCrashChild.Options(dir.Path), TimeProvider.System, null, cancellationToken))
        {
            var survivors = await store.ListAsync(cancellationToken);
            var fresh = await Task.WhenAll(Enumerable.Range(0, IpamCrashChild.Concurrency)
                .Select(i => store.ReserveDurableAsync(new LeaseKey($"final{i}", "eth0"), new LeaseOwner(IpamTestData.Network), cancellationToken)));
            IpamTestData.AssertDistinct(survivors.Concat(fresh).Select(l => l.IPv4!.Address));
            Assert.That(fresh.Select(l => l.IPv4!.Address.ToString()).Intersect(model.AckedV4), Is.Empty, "quarantined or leased addresses were reused");

            var collected = await store.ReleaseAllExceptAsync([], IpamTestData.Network, cancellationToken);
            Assert.That(collected, Has.Count.EqualTo(survivors.Count + fresh.Length));
            Assert.That(await store.ListAsync(cancellationToken), Is.Empty);
        }

        await using var final = await IpamStore.OpenAsync(IpamCrashChild.Options(dir.Path), TimeProvider.System, null, cancellationToken);
        Assert.That(await final.ListAsync(cancellationToken), Is.Empty, "no leaked lease after GC and restart");
        Assert.That(final.GetUsage().Select(u => u.Leased), Is.EqualTo(new[] { 0, 0 }));
    }

    private static async Task RunChildUntilKilledAsync(string stateDir, int round, int killAfterAcks, CrashModel model, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "exec", typeof(Program).Assembly.Location, IpamCrashChild.Verb, stateDir, round.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        using var child = Process.Start(start) ?? throw new InvalidOperationException("could not start the crash child");
        var stderr = child.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            var acks = 0;
            var killed = false;

            // Lines already in the pipe when the kill lands were printed after their ADD returned: they count.
            while (await child.StandardOutput.ReadLineAsync(cancellationToken) is { } line)
            {
                var parts = line.Split(' ');
                switch (parts[0])
                {
                    case "REQ":
                        model.Requested.Add(parts[1]);
                        break;
                    case "ACK":
                        model.Acked[parts[1]] = (parts[2], parts[3]);
                        model.AckedV4.Add(parts[2]);
                        model.AckedV6.Add(parts[3]);
                        acks++;
                        break;
                    case "DEL":
                        model.ReleaseStarted.Add(parts[1]);
                        break;
                    case "REL":
                        model.Released.Add(parts[1]);
                        break;
                }

                if (!killed && acks >= killAfterAcks)
                {
                    child.Kill(); // SIGKILL on Unix, TerminateProcess on Windows: no cleanup runs in the child.
                    killed = true;
                }
            }

            await child.WaitForExitAsync(cancellationToken);
            Assert.That(killed, Is.True, $"round {round}: the child exited on its own with {child.ExitCode}: {await stderr}");
        }
        finally
        {
            if (!child.HasExited)
            {
                child.Kill();
            }
        }
    }

    private static string DotnetHost()
    {
        // Set by the dotnet CLI for the processes it starts (the test host among them).
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }

        var self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase) ? self : "dotnet";
    }

    private sealed class CrashModel
    {
        public HashSet<string> Requested { get; } = [];

        public Dictionary<string, (string V4, string V6)> Acked { get; } = [];

        public HashSet<string> ReleaseStarted { get; } = [];

        public HashSet<string> Released { get; } = [];

        public List<string> AckedV4 { get; } = [];

        public List<string> AckedV6 { get; } = [];
    }
}
