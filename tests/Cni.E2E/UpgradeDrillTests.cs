using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Cni.E2E.Harness;
using Cni.LocalCluster;
using Cni.LocalCluster.Support;

namespace Cni.E2E;

/// <summary>
/// The DaemonSet rollout on one node of the local cluster, as kubelet runs it with maxSurge 0: the old wincnid gets
/// SIGTERM, the new image's init container (<c>wincnid install-cni</c>) replaces wincni and the conflist, the new
/// wincnid starts. Meanwhile the node's pods keep pinging pods on the other node and a new pod is created every
/// 100 ms: no ADD fails, no echo is lost, no lease or endpoint disappears.
/// </summary>
[TestFixture]
[Category("Kernel")]
[NonParallelizable]
public sealed partial class UpgradeDrillTests
{
    private static readonly TimeSpan CreationInterval = TimeSpan.FromMilliseconds(100);

    [SetUp]
    public void RequireKernel() => E2EGuard.Require();

    [Test]
    [CancelAfter(300_000)]
    public async Task Upgrade_PodsRunningAndNewPodEvery100Ms_NoAddFailsNoTrafficLostNoLeaseOrEndpointLost(CancellationToken cancellationToken)
    {
        await using var cluster = await Cni.LocalCluster.LocalCluster.StartAsync(new LocalClusterOptions { Mode = "overlay", Progress = TestContext.Out }, cancellationToken);
        var node = await cluster.AddNodeAsync(cancellationToken);
        var peer = await cluster.AddNodeAsync(cancellationToken);
        var running = new List<ClusterPod>();
        for (var i = 0; i < 3; i++) running.Add(await cluster.AddPodAsync(node, cancellationToken));
        var remote = await cluster.AddPodAsync(peer, cancellationToken);
        foreach (var pod in running) Assert.That(await pod.ReachAsync(remote.Address!, cancellationToken), Is.Not.Null, $"{pod.Name} reaches {remote.Name} before the upgrade");
        var before = await NodeState.ReadAsync(node, cancellationToken);

        // The new version: a copy of the published binaries; wincni gets a trailing byte (ELF ignores it) so it differs
        // and the installer must really replace it.
        var v2 = Directory.CreateDirectory(Path.Combine(cluster.Directory, "v2")).FullName;
        foreach (var file in Directory.GetFiles(Binaries.Directory)) File.Copy(file, Path.Combine(v2, Path.GetFileName(file)));
        await File.AppendAllTextAsync(Path.Combine(v2, "wincni"), "\n", cancellationToken);
        var v1Plugin = await File.ReadAllBytesAsync(node.PluginPath, cancellationToken);

        // Running pods ping the other node's pod every 100 ms for the whole drill (ICMP both ways through VXLAN).
        const int pings = 120;
        var pinging = running.Select(pod => Netns.ExecAsync(pod.Netns, ["busybox", "ping", "-i", "0.1", "-c", pings.ToString(CultureInfo.InvariantCulture), "-W", "1", remote.Address!], cancellationToken, timeout: TimeSpan.FromSeconds(90))).ToList();

        // A new pod every 100 ms on the upgraded node, each ADD through whatever wincni the node has at that moment.
        var creations = new List<Task<(ClusterPod? Pod, TimeSpan Took, Exception? Error)>>();
        using var stopCreating = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var creator = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(CreationInterval);
            while (await timer.WaitForNextTickAsync(stopCreating.Token).ConfigureAwait(false))
            {
                creations.Add(CreateAsync(cluster, node, cancellationToken));
            }
        }, CancellationToken.None);

        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        var drill = Stopwatch.StartNew();
        await node.StopDaemonAsync(TimeSpan.FromSeconds(10), cancellationToken);
        var stopped = drill.Elapsed;
        var installed = await node.InstallCniAsync(cluster.ConfigMapConflist, cancellationToken, sourceDir: v2, wincnid: Path.Combine(v2, "wincnid"));
        node.DaemonExecutable = Path.Combine(v2, "wincnid");
        await node.StartDaemonAsync(cancellationToken);
        var down = drill.Elapsed;
        await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
        await stopCreating.CancelAsync();
        try
        {
            await creator;
        }
        catch (OperationCanceledException)
        {
        }

        var outcomes = await Task.WhenAll(creations);
        var pingResults = await Task.WhenAll(pinging);
        Assert.That(installed, Does.Contain("installed " + node.PluginPath), installed);
        Assert.That(await File.ReadAllBytesAsync(node.PluginPath, cancellationToken), Is.Not.EqualTo(v1Plugin), "the node's wincni is the new one");
        Assert.That(Directory.GetFiles(node.CniBinDir).Select(Path.GetFileName), Is.EquivalentTo(new[] { "wincni", "wincni.installed" }), "no staged file left");

        var failed = outcomes.Where(o => o.Error is not null).ToList();
        var latencies = outcomes.Where(o => o.Error is null).Select(o => o.Took.TotalMilliseconds).Order().ToList();
        var losses = pingResults.Select(r => Loss(r)).ToList();
        var report = string.Create(CultureInfo.InvariantCulture,
            $"upgrade drill: wincnid stopped after {stopped.TotalMilliseconds:F0} ms, new wincnid ready {down.TotalMilliseconds:F0} ms after the SIGTERM; " +
            $"{outcomes.Length} pods created at 100 ms intervals, {failed.Count} ADD failed, ADD latency p50 {Percentile(latencies, 0.5):F0} ms, max {latencies.LastOrDefault():F0} ms; " +
            $"echoes from running pods: {string.Join(", ", losses.Select(l => $"{l.Received}/{l.Sent}"))}");
        TestContext.Out.WriteLine(report);
        Assert.That(outcomes, Has.Length.GreaterThanOrEqualTo(30), report);
        Assert.That(failed.Select(f => f.Error!.Message), Is.Empty, report);
        Assert.That(losses.Select(l => l.Sent == pings && l.Received == pings), Has.All.True, report + "\n" + string.Join("\n", pingResults.Select(r => r.Stdout)));

        var after = await NodeState.ReadAsync(node, cancellationToken);
        Assert.That(after.Endpoints, Is.SupersetOf(before.Endpoints), "no endpoint lost");
        Assert.That(after.LeasedContainers, Is.SupersetOf(before.LeasedContainers), "no lease lost");
        var created = outcomes.Select(o => o.Pod!.ContainerId).ToList();
        Assert.That(after.LeasedContainers, Is.SupersetOf(created), "every pod created during the drill holds its lease");
        Assert.That(created.Select(after.EndpointOf), Has.All.Not.Null, "and its endpoint");
        foreach (var pod in running) Assert.That(await pod.ReachAsync(remote.Address!, cancellationToken), Is.Not.Null, $"{pod.Name} still reaches {remote.Name}");
        var newest = outcomes[^1].Pod!;
        Assert.That(await newest.ReachAsync(remote.Address!, cancellationToken), Is.Not.Null, "a pod made after the upgrade reaches the other node");
    }

    private static async Task<(ClusterPod? Pod, TimeSpan Took, Exception? Error)> CreateAsync(Cni.LocalCluster.LocalCluster cluster, ClusterNode node, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            var pod = await cluster.AddPodAsync(node, cancellationToken).ConfigureAwait(false);
            return (pod, clock.Elapsed, null);
        }
        catch (InvalidOperationException e)
        {
            return (null, clock.Elapsed, e);
        }
    }

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(p * sorted.Count))];

    private static (int Sent, int Received) Loss(ShellResult ping)
    {
        var match = PingSummary().Match(ping.Stdout);
        return match.Success
            ? (int.Parse(match.Groups["sent"].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups["received"].Value, CultureInfo.InvariantCulture))
            : (0, 0);
    }

    [GeneratedRegex(@"(?<sent>\d+) packets transmitted, (?<received>\d+) packets received")]
    private static partial Regex PingSummary();
}
