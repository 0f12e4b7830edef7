using Cni.Node.Networks;
using Microsoft.Extensions.Time.Testing;

namespace Cni.Node.Tests.Networks;

/// <summary>Which node network problems are reported, and when: at once, after the grace period, and the recovery.</summary>
public sealed class NodeNetworkProblemTrackerTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);

    [Test]
    public void Observe_NetworkConflict_ReportedAtOnceAndAtEveryPass()
    {
        var (time, reporter, tracker) = Create();

        tracker.Observe(NodeNetworkProblem.NetworkConflict, "2 HCN networks are named 'cbr0'; Fix: delete the stale ones");
        time.Advance(TimeSpan.FromSeconds(1));
        tracker.Observe(NodeNetworkProblem.NetworkConflict, "2 HCN networks are named 'cbr0'; Fix: delete the stale ones");

        Assert.That(reporter.Problems.Select(p => p.Problem), Is.EqualTo(new[] { NodeNetworkProblem.NetworkConflict, NodeNetworkProblem.NetworkConflict }),
            "how often it reaches anyone is the recorder's rate limit, not the tracker's");
        Assert.That(reporter.Problems[0].Note, Does.Contain("Fix: delete the stale ones"));
    }

    [TestCase(NodeNetworkProblem.PodCidrMissing)]
    [TestCase(NodeNetworkProblem.HostInterfaceMissing)]
    [TestCase(NodeNetworkProblem.HnsUnavailable)]
    [TestCase(NodeNetworkProblem.NodeFactsUnavailable)]
    public void Observe_WaitShorterThanGrace_NothingReported(NodeNetworkProblem problem)
    {
        var (time, reporter, tracker) = Create();

        for (var i = 0; i < 29; i++)
        {
            tracker.Observe(problem, "waiting");
            time.Advance(TimeSpan.FromSeconds(1));
        }

        tracker.Observe(NodeNetworkProblem.None, null);

        Assert.That(reporter.Problems, Is.Empty);
        Assert.That(reporter.Recoveries, Is.Empty, "no Warning, so no recovery to report");
    }

    [Test]
    public void Observe_PodCidrMissingBeyondGrace_ReportedOnlyThen()
    {
        var (time, reporter, tracker) = Create();
        var start = time.GetUtcNow();

        while (reporter.Problems.Count == 0 && time.GetUtcNow() - start < TimeSpan.FromMinutes(2))
        {
            tracker.Observe(NodeNetworkProblem.PodCidrMissing, "waiting for Node 'n1' to get spec.podCIDRs");
            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.That(reporter.Problems, Has.Count.EqualTo(1));
        Assert.That(reporter.Problems[0].At - start, Is.EqualTo(Grace));
        Assert.That(reporter.Problems[0].Problem, Is.EqualTo(NodeNetworkProblem.PodCidrMissing));
    }

    [Test]
    public void Observe_WaitChangesKind_GraceStartsAgain()
    {
        var (time, reporter, tracker) = Create();

        tracker.Observe(NodeNetworkProblem.PodCidrMissing, "podCIDR");
        time.Advance(TimeSpan.FromSeconds(20));
        tracker.Observe(NodeNetworkProblem.HostInterfaceMissing, "vNIC");
        time.Advance(TimeSpan.FromSeconds(20));
        tracker.Observe(NodeNetworkProblem.HostInterfaceMissing, "vNIC");

        Assert.That(reporter.Problems, Is.Empty, "each wait lasted 20 s");
        time.Advance(TimeSpan.FromSeconds(10));
        tracker.Observe(NodeNetworkProblem.HostInterfaceMissing, "vNIC");
        Assert.That(reporter.Problems.Select(p => p.Problem), Is.EqualTo(new[] { NodeNetworkProblem.HostInterfaceMissing }));
    }

    [Test]
    public void Observe_ReadyAfterReportedProblem_RecoveryReportedOnce()
    {
        var (time, reporter, tracker) = Create();
        tracker.Observe(NodeNetworkProblem.Starting, "starting");
        time.Advance(TimeSpan.FromSeconds(5));
        tracker.Observe(NodeNetworkProblem.NetworkConflict, "conflict");
        time.Advance(TimeSpan.FromSeconds(40));
        tracker.Observe(NodeNetworkProblem.Starting, "reconciling");

        tracker.Observe(NodeNetworkProblem.None, null);
        tracker.Observe(NodeNetworkProblem.None, null);

        Assert.That(reporter.Recoveries, Is.EqualTo(new[] { (NodeNetworkProblem.NetworkConflict, TimeSpan.FromSeconds(45)) }));
    }

    [Test]
    public void Observe_StartingOnly_NeverReported()
    {
        var (time, reporter, tracker) = Create();

        tracker.Observe(NodeNetworkProblem.Starting, "starting");
        time.Advance(TimeSpan.FromMinutes(5));
        tracker.Observe(NodeNetworkProblem.Starting, "starting");
        tracker.Observe(NodeNetworkProblem.None, null);

        Assert.That(reporter.Problems, Is.Empty);
        Assert.That(reporter.Recoveries, Is.Empty);
    }

    private static (FakeTimeProvider Time, RecordingProblemReporter Reporter, NodeNetworkProblemTracker Tracker) Create()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-06T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var reporter = new RecordingProblemReporter(time);
        return (time, reporter, new NodeNetworkProblemTracker(reporter, Grace, time));
    }
}
