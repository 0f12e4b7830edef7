using System.Diagnostics;
using System.Globalization;
using System.Text;
using Cni.E2E.Harness;
using Cni.LocalCluster;

namespace Cni.E2E;

/// <summary>
/// The soak of issue 13: pod churn on the kernel dataplane for <c>WINCNI_SOAK_MINUTES</c> (Makefile.ps1 faults -Soak;
/// not in CI), a steady population of pods beside it. At every sample the churn pauses until the commands in flight
/// are answered, and wincnid's RSS and open file descriptors, its leases and endpoints, the node's links and its
/// nftables rules are taken. With the population steady, the counts must not move at all; RSS and descriptors are
/// judged by their slope. Every sample and the slopes are printed.
/// </summary>
[TestFixture]
[Category("Kernel")]
[Category("Soak")]
[NonParallelizable]
public sealed class SoakTests
{
    private const int Residents = 10;
    private const int Churners = 4;

    [SetUp]
    public void RequireKernelAndDuration()
    {
        E2EGuard.Require("nft");
        if (Minutes() is null)
        {
            Assert.Ignore("the soak runs when WINCNI_SOAK_MINUTES is set (dotnet pwsh ./Makefile.ps1 faults -Soak [-SoakMinutes N])");
        }
    }

    [Test]
    [CancelAfter(int.MaxValue)]
    public async Task PodChurn_ForTheSoakDuration_NothingGrows(CancellationToken cancellationToken)
    {
        var duration = TimeSpan.FromMinutes(Minutes()!.Value);
        var interval = TimeSpan.FromSeconds(
            double.TryParse(Environment.GetEnvironmentVariable("WINCNI_SOAK_SAMPLE_SECONDS"), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
                ? seconds
                : duration >= TimeSpan.FromMinutes(10) ? 60 : 15);
        TestContext.Out.WriteLine($"soak: {duration.TotalMinutes:0.#} min of churn by {Churners} workers beside {Residents} resident pods, a sample every {interval.TotalSeconds:0} s");

        await using var cluster = await Cni.LocalCluster.LocalCluster.StartAsync(
            new LocalClusterOptions { Mode = "l2bridge", Kubernetes = false, ExtraNodeConfig = "ipQuarantineSeconds: 0" }, cancellationToken);
        var node = await cluster.AddNodeAsync(cancellationToken);
        for (var i = 0; i < Residents; i++)
        {
            await cluster.AddPodAsync(node, cancellationToken);
        }

        var gate = new ChurnGate();
        var failures = new List<string>();
        var operations = 0L;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var workers = Enumerable.Range(0, Churners).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await gate.EnterAsync(stop.Token).ConfigureAwait(false);
                try
                {
                    if (await ChurnOnceAsync(cluster, node, stop.Token).ConfigureAwait(false) is { } problem)
                    {
                        lock (failures)
                        {
                            failures.Add(problem);
                        }

                        await stop.CancelAsync().ConfigureAwait(false);
                    }

                    Interlocked.Increment(ref operations);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                finally
                {
                    gate.Exit();
                }
            }
        }, CancellationToken.None)).ToList();

        var samples = new List<Sample>();
        var clock = Stopwatch.StartNew();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await gate.PauseAsync(cancellationToken);
                try
                {
                    var sample = await Sample.TakeAsync(node, clock.Elapsed, Interlocked.Read(ref operations), cancellationToken);
                    samples.Add(sample);
                    TestContext.Out.WriteLine(sample.ToString());
                }
                finally
                {
                    gate.Resume();
                }

                if (clock.Elapsed >= duration)
                {
                    break;
                }

                await Task.Delay(interval, stop.Token).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(workers);
        }

        var verdicts = Judge(samples).ToList();
        TestContext.Out.WriteLine(Report(samples, verdicts.Select(v => v.Line)));
        Assert.That(failures, Is.Empty, string.Join("\n", failures) + "\n" + node.Log()[^Math.Min(node.Log().Length, 20_000)..]);
        Assert.That(samples, Has.Count.GreaterThanOrEqualTo(3), "too short to judge: at least three samples");
        Assert.That(verdicts.Where(v => v.Grows).Select(v => v.Line), Is.Empty, "something grows");
    }

    private static int? Minutes() =>
        int.TryParse(Environment.GetEnvironmentVariable("WINCNI_SOAK_MINUTES"), NumberStyles.None, CultureInfo.InvariantCulture, out var m) && m > 0 ? m : null;

    /// <summary>One pod's life: namespace, ADD, its interface checked in its namespace, DEL, namespace gone.</summary>
    private static async Task<string?> ChurnOnceAsync(Cni.LocalCluster.LocalCluster cluster, ClusterNode node, CancellationToken cancellationToken)
    {
        var pod = await cluster.CreatePodAsync(node, cancellationToken).ConfigureAwait(false);
        try
        {
            var add = await pod.InvokeAsync("ADD", cancellationToken).ConfigureAwait(false);
            if (!add.Succeeded)
            {
                return $"ADD of {pod.Name} failed: {add}";
            }

            var actual = await PodInterfaces.ReadAsync(pod.Netns, cancellationToken).ConfigureAwait(false);
            if (actual.ProblemWith(CniResultText.InterfaceName(add.Stdout), CniResultText.Address(add.Stdout), CniResultText.Gateway(add.Stdout)) is { } problem)
            {
                return $"{pod.Name} was answered {CniResultText.Address(add.Stdout)} but {problem}";
            }

            var del = await pod.InvokeAsync("DEL", cancellationToken).ConfigureAwait(false);
            return del.Succeeded ? null : $"DEL of {pod.Name} failed: {del}";
        }
        finally
        {
            await cluster.RemovePodAsync(pod, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The verdicts: counts (leases, endpoints, links, nftables rules) must equal the first sample's at every sample;
    /// RSS and descriptors are taken after the first third (start-up and JIT), and grow when their least-squares slope
    /// over that part would add more than 10% (descriptors: 5) per 30 minutes and the last sample is above the first
    /// (RSS only over at least ten settled minutes).
    /// </summary>
    private static IEnumerable<(bool Grows, string Line)> Judge(IReadOnlyList<Sample> samples)
    {
        if (samples.Count < 2)
        {
            yield break;
        }

        var first = samples[0];
        foreach (var (name, of) in Sample.Counts)
        {
            var values = samples.Select(of).ToList();
            var moved = values.Any(v => v != of(first));
            yield return (moved, $"{name}: {string.Join(" ", values.Distinct())} (first {of(first)}, last {of(samples[^1])}, slope {Slope(samples, s => of(s)):+0.00;-0.00;0}/min){(moved ? " MOVED" : "")}");
        }

        var settled = samples.Skip(samples.Count / 3).ToList();

        // A workstation GC heap takes minutes to settle under churn: below ten settled minutes a slope says nothing.
        var judged = settled[^1].At - settled[0].At >= TimeSpan.FromMinutes(10);
        var note = judged ? "" : " (not judged: under 10 settled minutes)";
        var rssSlope = Slope(settled, s => s.RssKiB / 1024.0);
        var rssFirst = settled[0].RssKiB / 1024.0;
        var rssGrows = judged && rssSlope * 30 > rssFirst * 0.10 && settled[^1].RssKiB > settled[0].RssKiB;
        yield return (rssGrows, string.Create(CultureInfo.InvariantCulture,
            $"rss: {rssFirst:0.0} -> {settled[^1].RssKiB / 1024.0:0.0} MiB after warm-up (peak {samples.Max(s => s.RssKiB) / 1024.0:0.0}), slope {rssSlope:+0.000;-0.000;0} MiB/min{(rssGrows ? " GROWS" : note)}"));
        var fdSlope = Slope(settled, s => s.OpenFiles);
        var fdGrows = fdSlope * 30 > 5 && settled[^1].OpenFiles > settled[0].OpenFiles;
        yield return (fdGrows, string.Create(CultureInfo.InvariantCulture,
            $"open files: {settled[0].OpenFiles} -> {settled[^1].OpenFiles} after warm-up, slope {fdSlope:+0.000;-0.000;0}/min{(fdGrows ? " GROWS" : "")}"));
    }

    /// <summary>Least-squares slope per minute.</summary>
    private static double Slope(IReadOnlyList<Sample> samples, Func<Sample, double> of)
    {
        if (samples.Count < 2)
        {
            return 0;
        }

        var xs = samples.Select(s => s.At.TotalMinutes).ToList();
        var ys = samples.Select(of).ToList();
        var (mx, my) = (xs.Average(), ys.Average());
        var den = xs.Sum(x => (x - mx) * (x - mx));
        return den == 0 ? 0 : xs.Zip(ys).Sum(p => (p.First - mx) * (p.Second - my)) / den;
    }

    private static string Report(IReadOnlyList<Sample> samples, IEnumerable<string> verdicts)
    {
        var text = new StringBuilder();
        var minutes = samples.Count > 0 ? samples[^1].At.TotalMinutes : 0;
        var ops = samples.Count > 0 ? samples[^1].Operations : 0;
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"soak: {samples.Count} samples over {minutes:0.0} min, {ops} pods churned ({(minutes > 0 ? ops / minutes : 0):0} per minute)"));
        foreach (var verdict in verdicts)
        {
            text.AppendLine("  " + verdict);
        }

        return text.ToString();
    }

    /// <summary>Lets churn workers run, or holds new iterations and waits for those in flight (for a sample).</summary>
    private sealed class ChurnGate
    {
        private readonly SemaphoreSlim _open = new(Churners, Churners);

        public Task EnterAsync(CancellationToken cancellationToken) => _open.WaitAsync(cancellationToken);

        public void Exit() => _open.Release();

        /// <summary>Takes every slot: returns once no iteration runs.</summary>
        public async Task PauseAsync(CancellationToken cancellationToken)
        {
            for (var i = 0; i < Churners; i++)
            {
                await _open.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        public void Resume() => _open.Release(Churners);
    }

    /// <summary>One sample of wincnid and its node.</summary>
    private sealed record Sample(TimeSpan At, long Operations, long RssKiB, int OpenFiles, int Leases, int Endpoints, int Links, int NftRules)
    {
        public static IReadOnlyList<(string Name, Func<Sample, int> Of)> Counts { get; } =
        [
            ("leases", s => s.Leases),
            ("endpoints", s => s.Endpoints),
            ("links", s => s.Links),
            ("nftables rules", s => s.NftRules),
        ];

        public static async Task<Sample> TakeAsync(ClusterNode node, TimeSpan at, long operations, CancellationToken cancellationToken)
        {
            // `ip netns exec` execs wincnid: the process it started is the daemon.
            var daemon = node.DaemonPid ?? throw new InvalidOperationException("wincnid is not running");
            var rss = long.Parse(
                File.ReadAllLines($"/proc/{daemon}/status").Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1],
                CultureInfo.InvariantCulture);
            var files = Directory.GetFileSystemEntries($"/proc/{daemon}/fd").Length;
            var state = await NodeState.ReadAsync(node, cancellationToken).ConfigureAwait(false);
            var links = (await node.LinksAsync(cancellationToken).ConfigureAwait(false)).Count;
            var ruleset = await Cni.LocalCluster.Support.Netns.ExecCheckAsync(node.Netns, ["nft", "-a", "list", "ruleset"], cancellationToken).ConfigureAwait(false);
            var rules = ruleset.Split('\n').Count(l => l.Contains("# handle", StringComparison.Ordinal) && !IsContainerLine(l));
            return new Sample(at, operations, rss, files, state.LeasedContainers.Count, state.Endpoints.Count, links, rules);
        }

        /// <summary>Tables, chains, sets and maps carry handles too; rules are the other lines with one.</summary>
        private static bool IsContainerLine(string line)
        {
            var trimmed = line.TrimStart();
            return trimmed.StartsWith("table ", StringComparison.Ordinal) || trimmed.StartsWith("chain ", StringComparison.Ordinal)
                || trimmed.StartsWith("set ", StringComparison.Ordinal) || trimmed.StartsWith("map ", StringComparison.Ordinal);
        }

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"t={At.TotalMinutes,5:0.00} min  pods churned {Operations,6}  rss {RssKiB / 1024.0,6:0.0} MiB  fds {OpenFiles,4}  leases {Leases,3}  endpoints {Endpoints,3}  links {Links,3}  nft rules {NftRules,4}");
    }
}
