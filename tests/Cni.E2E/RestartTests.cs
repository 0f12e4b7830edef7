using System.Globalization;
using System.Text.RegularExpressions;
using Cni.E2E.Harness;

namespace Cni.E2E;

/// <summary>wincnid killed with SIGKILL while pods talk: the dataplane is the kernel's, so traffic keeps flowing; the restarted daemon adopts what exists.</summary>
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

        // During the outage: TCP between the running pods works, and a new ADD is told to try again later (CNI 11).
        Assert.That(await a.EchoAsync(b.Address!, EchoPort, "during outage", cancellationToken), Is.EqualTo("during outage"));
        var late = await cluster.CreatePodAsync(node, cancellationToken);
        var refused = await late.InvokeAsync("ADD", cancellationToken);
        Assert.That(refused.ExitCode, Is.Not.Zero, refused.ToString());
        Assert.That(refused.Stdout, Does.Contain("\"code\":11"), refused.ToString());

        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        await node.StartDaemonAsync(cancellationToken);

        var ping = await pinging;
        var match = PingSummary().Match(ping.Stdout);
        Assert.That(match.Success, Is.True, ping.ToString());
        var sent = int.Parse(match.Groups["sent"].Value, CultureInfo.InvariantCulture);
        var received = int.Parse(match.Groups["received"].Value, CultureInfo.InvariantCulture);
        Assert.That((sent, received), Is.EqualTo((40, 40)), $"every echo across kill and restart is answered: {ping.Stdout}");

        // Nothing recreated: the same devices (same ifindex) in the node and the pods, the same endpoints and leases.
        Assert.That(await node.LinksAsync(cancellationToken), Is.EquivalentTo(nodeLinksBefore), node.Log());
        Assert.That(await Netns.LinksAsync(a.Netns, cancellationToken), Is.EquivalentTo(podLinksBefore.Item1));
        Assert.That(await Netns.LinksAsync(b.Netns, cancellationToken), Is.EquivalentTo(podLinksBefore.Item2));
        var stateAfter = await NodeState.ReadAsync(node, cancellationToken);
        Assert.That(stateAfter.Endpoints, Is.EquivalentTo(stateBefore.Endpoints));
        Assert.That(stateAfter.LeasedContainers, Is.EquivalentTo(stateBefore.LeasedContainers));

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

    [GeneratedRegex(@"(?<sent>\d+) packets transmitted, (?<received>\d+) packets received")]
    private static partial Regex PingSummary();
}
