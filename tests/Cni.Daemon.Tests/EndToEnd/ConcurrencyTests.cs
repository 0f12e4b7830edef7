using System.Globalization;

namespace Cni.Daemon.Tests.EndToEnd;

/// <summary>Many runtimes' worth of parallel ADDs through the published <c>wincni</c> into one in-process wincnid.</summary>
[TestFixture]
[NonParallelizable]
public sealed class ConcurrencyTests
{
    private const int Pods = 200;
    private const int ProcessesAtOnce = 32;

    [Test]
    public async Task Add_200DistinctContainersConcurrently_AllSucceedWithDistinctIps()
    {
        using var sandbox = new Sandbox();
        await using var daemon = await InProcessDaemon.StartAsync(sandbox);
        var wincni = new Wincni(sandbox);
        var ids = Enumerable.Range(0, Pods).Select(i => "conc" + i.ToString("D4", CultureInfo.InvariantCulture)).ToList();

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var outcomes = await Wincni.BoundedAsync(ids, ProcessesAtOnce, id => wincni.AddAsync(id));
        TestContext.Out.WriteLine($"{Pods} ADDs, {ProcessesAtOnce} execs at a time: {clock.Elapsed.TotalMilliseconds:0} ms wall");

        var failures = outcomes.Where(o => !o.Succeeded).Select(o => o.Message).ToList();
        Assert.That(failures, Is.Empty);
        var ips = outcomes.Select(o => o.Ip).ToList();
        Assert.That(ips, Is.Unique);
        var status = await DaemonStatus.FetchAsync(sandbox.Socket);
        Assert.Multiple(() =>
        {
            Assert.That(status.LeaseIpByContainer, Has.Count.EqualTo(Pods));
            Assert.That(status.OwnedEndpointCount, Is.EqualTo(Pods));
            for (var i = 0; i < Pods; i++)
            {
                Assert.That(status.LeaseIpByContainer[ids[i]], Is.EqualTo(ips[i]));
                Assert.That(status.EndpointIpByName[DaemonStatus.EndpointName(ids[i])], Is.EqualTo(ips[i]));
            }
        });

        // The runtime's view after the pods are gone: GC with nothing valid collects all of it.
        var gc = await wincni.GcAsync([]);
        Assert.That(gc.ExitCode, Is.Zero, gc.Message);
        var after = await DaemonStatus.FetchAsync(sandbox.Socket);
        Assert.That(after.LeaseIpByContainer, Is.Empty);
        Assert.That(after.OwnedEndpointCount, Is.Zero);
    }
}
