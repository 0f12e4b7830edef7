using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Cni.E2E.Harness;
using Cni.LocalCluster;
using Cni.LocalCluster.Support;

namespace Cni.E2E;

/// <summary>
/// wincnid killed with SIGKILL while pods talk: the dataplane is the kernel's, so traffic keeps flowing; the restarted
/// daemon adopts what exists; and pods created meanwhile get their network once it is back, without failing.
/// </summary>
[TestFixture]
[Category("Kernel")]
[NonParallelizable]
public sealed partial class RestartTests
{
    private const int EchoPort = 7001;

    [SetUp]
    public void RequireKernel() => E2EGuard.Require();

    [Test]
    [CancelAfter(180_000)]
    public async Task KillDaemon_PodsPingingEachOther_TrafficFlowsDuringOutageAndNothingIsRecreated(CancellationToken cancellationToken)
    {
        await using var cluster = await StandaloneCluster.StartAsync(cancellationToken);
        var node = await cluster.AddNodeAsync(cancellationToken);
        var a = await cluster.AddPodAsync(node, cancellationToken);
        var b = await cluster.AddPodAsync(node, cancellationToken);
        await b.StartEchoServerAsync(EchoPort, cancellationToken);
        Assert.That(await a.ReachAsync(b.Address!, cancellationToken), Is.Not.Null, "connectivity before the crash");

        var nodeLinksBefore = await node.LinksAsync(cancellationToken);
        var podLinksBefore = (await Netns.LinksAsync(a.Netns, cancellationToken), await Netns.LinksAsync(b.Netns, cancellationToken));
        var stateBefore = await NodeState.ReadAsync(node, cancellationToken);

        // 40 echoes 0.2 s apart (8 s) from a to b, spanning the kill, the outage and the restart.
        var pinging = Netns.ExecAsync(a.Netns, ["busybox", "ping", "-i", "0.2", "-c", "40", "-W", "1", b.Address!], cancellationToken, timeout: TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        var pid = node.DaemonPid;
        await node.KillDaemonAsync(cancellationToken);
        Assert.That(pid is { } p && !Directory.Exists(string.Create(CultureInfo.InvariantCulture, $"/proc/{p}")), Is.True, "wincnid is gone");

        // During the outage: TCP between the running pods works; an ADD whose plugin will not wait long enough is told
        // to try again later (CNI 11), naming the socket and how long it waited; one with the default timeout waits.
        Assert.That(await a.EchoAsync(b.Address!, EchoPort, "during outage", cancellationToken), Is.EqualTo("during outage"));
        var late = await cluster.CreatePodAsync(node, cancellationToken);
        var impatient = await late.InvokeAsync("ADD", "eth0", node.NetConf.Replace("\"type\":\"wincni\"", "\"type\":\"wincni\",\"timeoutSeconds\":1", StringComparison.Ordinal), cancellationToken);
        Assert.That(impatient.ExitCode, Is.Not.Zero, impatient.ToString());
        Assert.That(impatient.Stdout, Does.Contain("\"code\":11").And.Contain(node.Socket).And.Contain("waited 1."), impatient.ToString());
        var waiting = late.AddAsync(cancellationToken);

        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        Assert.That(waiting.IsCompleted, Is.False, "the ADD waits for wincnid");
        await node.StartDaemonAsync(cancellationToken);
        await waiting;
        Assert.That(await Netns.LinksAsync(late.Netns, cancellationToken), Does.ContainKey("eth0"), "the ADD that waited made the pod's interface");

        var ping = await pinging;
        var match = PingSummary().Match(ping.Stdout);
        Assert.That(match.Success, Is.True, ping.ToString());
        var sent = int.Parse(match.Groups["sent"].Value, CultureInfo.InvariantCulture);
        var received = int.Parse(match.Groups["received"].Value, CultureInfo.InvariantCulture);
        Assert.That((sent, received), Is.EqualTo((40, 40)), $"every echo across kill and restart is answered: {ping.Stdout}");

        // Nothing recreated: the same devices (same ifindex) in the node and the pods, the same endpoints and leases;
        // the only new ones are the late pod's (its veth's node side, its endpoint, its lease).
        var nodeLinksAfter = await node.LinksAsync(cancellationToken);
        Assert.That(nodeLinksAfter, Is.SupersetOf(nodeLinksBefore), node.Log());
        Assert.That(nodeLinksAfter, Has.Count.EqualTo(nodeLinksBefore.Count + 1), node.Log());
        Assert.That(await Netns.LinksAsync(a.Netns, cancellationToken), Is.EquivalentTo(podLinksBefore.Item1));
        Assert.That(await Netns.LinksAsync(b.Netns, cancellationToken), Is.EquivalentTo(podLinksBefore.Item2));
        var stateAfter = await NodeState.ReadAsync(node, cancellationToken);
        Assert.That(stateAfter.Endpoints.Where(e => e.Id != stateAfter.EndpointOf(late.ContainerId)), Is.EquivalentTo(stateBefore.Endpoints));
        Assert.That(stateAfter.LeasedContainers.Where(c => c != late.ContainerId), Is.EquivalentTo(stateBefore.LeasedContainers));

        // And everything still talks, including a repeated ADD (idempotent: same address) and a new pod.
        Assert.That(await b.ReachAsync(a.Address!, cancellationToken), Is.Not.Null);
        Assert.That(await a.ReachAsync(a.Gateway!, cancellationToken), Is.Not.Null);
        Assert.That(await a.EchoAsync(b.Address!, EchoPort, "after restart", cancellationToken), Is.EqualTo("after restart"));
        var addressBefore = a.Address;
        await a.AddAsync(cancellationToken);
        Assert.That(a.Address, Is.EqualTo(addressBefore));
        var c = await cluster.AddPodAsync(node, cancellationToken);
        Assert.That(await c.ReachAsync(a.Address!, cancellationToken), Is.Not.Null);
    }

    /// <summary>
    /// A DaemonSet rollout as the runtime sees it, on the kernel dataplane: an ADD every 50 ms (each its own pod, none
    /// waiting for the one before) while wincnid is killed with SIGKILL and started again 300 ms later. Every ADD
    /// succeeds, and every acknowledged pod has its interface and address in its namespace.
    /// </summary>
    [Test]
    [CancelAfter(300_000)]
    public async Task AddEvery50Ms_AcrossKillAndRestart_AllSucceedAndEveryPodHasItsAddress(CancellationToken cancellationToken)
    {
        await using var cluster = await StandaloneCluster.StartAsync(cancellationToken);
        var node = await cluster.AddNodeAsync(cancellationToken);

        // Namespaces first, so the loop only execs wincni.
        var pods = new List<ClusterPod>();
        for (var i = 0; i < 200; i++)
        {
            pods.Add(await cluster.CreatePodAsync(node, cancellationToken));
        }

        var sent = new List<TimeSpan>();
        var adds = new List<Task<(ShellResult Result, TimeSpan Elapsed)>>();
        var clock = Stopwatch.StartNew();
        TimeSpan? killedAt = null, restartedAt = null, readyAt = null;
        Task? restarted = null;
        using (var ticks = new PeriodicTimer(TimeSpan.FromMilliseconds(50)))
        {
            foreach (var pod in pods)
            {
                sent.Add(clock.Elapsed);
                adds.Add(TimedAsync(pod, cancellationToken));
                var now = clock.Elapsed;
                if (killedAt is null && now >= TimeSpan.FromSeconds(1))
                {
                    await node.KillDaemonAsync(cancellationToken);
                    killedAt = clock.Elapsed;
                }
                else if (killedAt is { } k && restarted is null && now >= k + TimeSpan.FromMilliseconds(300))
                {
                    restartedAt = clock.Elapsed;
                    restarted = node.StartDaemonAsync(cancellationToken);
                }
                else if (restarted is { IsCompleted: true } && readyAt is null)
                {
                    await restarted;
                    readyAt = clock.Elapsed;
                }
                else if (readyAt is { } r && now >= r + TimeSpan.FromSeconds(1))
                {
                    break;
                }

                await ticks.WaitForNextTickAsync(cancellationToken);
            }
        }

        Assert.That(readyAt, Is.Not.Null, $"wincnid was not ready again while {pods.Count} ADDs were sent: {node.Log()}");
        var outcomes = await Task.WhenAll(adds);
        var inWindow = outcomes.Where((_, i) => sent[i] >= killedAt!.Value - TimeSpan.FromMilliseconds(100) && sent[i] <= readyAt!.Value).ToList();
        var figures = string.Create(
            CultureInfo.InvariantCulture,
            $"{outcomes.Length} ADDs on the kernel dataplane, one every 50 ms: {outcomes.Count(o => o.Result.Succeeded)} succeeded; killed at {killedAt!.Value.TotalMilliseconds:0} ms, "
            + $"restarted at {restartedAt!.Value.TotalMilliseconds:0} ms, ready at {readyAt!.Value.TotalMilliseconds:0} ms; {inWindow.Count} ADDs sent in that window, "
            + $"their latency max {inWindow.Select(o => o.Elapsed.TotalMilliseconds).DefaultIfEmpty().Max():0} ms; all ADDs max {outcomes.Max(o => o.Elapsed.TotalMilliseconds):0} ms");
        TestContext.Out.WriteLine(figures);

        var failures = outcomes.Select((o, i) => (o, i)).Where(x => !x.o.Result.Succeeded).Select(x => $"{pods[x.i].Name}: {x.o.Result}").ToList();
        Assert.That(failures, Is.Empty, $"{figures}\n{node.Log()}");
        Assert.That(inWindow, Is.Not.Empty, "ADDs were sent while wincnid was down or starting");
        for (var i = 0; i < outcomes.Length; i++)
        {
            using var result = JsonDocument.Parse(outcomes[i].Result.Stdout);
            var address = result.RootElement.GetProperty("ips")[0].GetProperty("address").GetString()!;
            var inPod = await Netns.ExecCheckAsync(pods[i].Netns, ["ip", "-o", "-4", "addr", "show", "dev", "eth0"], cancellationToken);
            Assert.That(inPod, Does.Contain(" " + address + " "), $"{pods[i].Name} acknowledged with {address}");
        }
    }

    private static async Task<(ShellResult Result, TimeSpan Elapsed)> TimedAsync(ClusterPod pod, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var result = await pod.InvokeAsync("ADD", cancellationToken);
        return (result, clock.Elapsed);
    }

    [GeneratedRegex(@"(?<sent>\d+) packets transmitted, (?<received>\d+) packets received")]
    private static partial Regex PingSummary();
}
