using Cni.Hcn.Errors;
using Cni.Hcn.Memory;
using Cni.Hcn.Model;
using Cni.Node.Networks;
using Cni.Node.Tests.Pods;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Cni.Node.Tests.Networks;

public sealed class NetworkReconcilerTests
{
    [Test]
    [CancelAfter(30_000)]
    public async Task ExecuteAsync_CreateFailsTwice_RetriedUntilReady(CancellationToken cancellationToken)
    {
        var hcn = new MemoryHcn();
        hcn.FailNext(MemoryHcnOperation.CreateNetwork, 2, HcnErrorCodes.RpcServerUnavailable);
        await using var node = await NodeHarness.CreateAsync(hcn: hcn, ensure: false);
        using var reconciler = new NetworkReconciler(node.Network, TimeProvider.System, NullLogger<NetworkReconciler>.Instance);

        await reconciler.StartAsync(cancellationToken);
        while (!node.Network.IsReady)
        {
            await Task.Delay(20, cancellationToken);
        }

        await reconciler.StopAsync(cancellationToken);
        Assert.That(hcn.GetCallCount(MemoryHcnOperation.CreateNetwork), Is.EqualTo(3));
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task ExecuteAsync_DifferingNetworkWithEndpoints_ConflictReportedAtOnceThenRecoveryOnce(CancellationToken cancellationToken)
    {
        var hcn = new MemoryHcn();
        var stale = await hcn.CreateNetworkAsync(
            new HostComputeNetwork { Name = NodeHarness.NetworkName, Type = NetworkType.L2Bridge, Ipams = [new Cni.Hcn.Model.Ipam { Subnets = [new Subnet { IpAddressPrefix = "10.244.1.0/24" }] }] },
            cancellationToken);
        var pod = await hcn.CreateEndpointAsync(stale.Id, new HostComputeEndpoint { Name = "someone-elses-pod", IpConfigurations = [new IpConfig { IpAddress = "10.244.1.9", PrefixLength = 24 }] }, cancellationToken);
        await using var node = await NodeHarness.CreateAsync(hcn: hcn, ensure: false);
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-06T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var reporter = new RecordingProblemReporter(time);
        using var reconciler = new NetworkReconciler(node.Network, time, NullLogger<NetworkReconciler>.Instance, new NodeNetworkProblemTracker(reporter, TimeSpan.FromSeconds(30), time));

        await reconciler.StartAsync(cancellationToken);
        while (reporter.Problems.Count == 0)
        {
            await Task.Delay(10, cancellationToken);
        }

        // Fixed as the note says (the node drained): the next pass (after its backoff) recreates the network.
        await hcn.DeleteEndpointAsync(pod.Id, cancellationToken);
        while (!node.Network.IsReady || reporter.Recoveries.Count == 0)
        {
            time.Advance(TimeSpan.FromMilliseconds(500));
            await Task.Delay(10, cancellationToken);
        }

        time.Advance(TimeSpan.FromMinutes(2));
        await Task.Delay(100, cancellationToken);
        await reconciler.StopAsync(cancellationToken);
        var first = reporter.Problems[0];
        Assert.That(first.Problem, Is.EqualTo(NodeNetworkProblem.NetworkConflict));
        Assert.That(first.At, Is.EqualTo(DateTimeOffset.Parse("2026-12-06T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture)), "posted at once, no grace");
        Assert.That(first.Note, Does.Contain("differs from the config").And.Contain("Fix:").And.Contain("drain the node's pods and delete the network"));
        Assert.That(reporter.Recoveries, Has.Count.EqualTo(1));
        Assert.That(reporter.Recoveries[0].LastProblem, Is.EqualTo(NodeNetworkProblem.NetworkConflict));
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task ExecuteAsync_NodeWithoutPodCidr_ReportedOnlyAfterTheGracePeriod(CancellationToken cancellationToken)
    {
        await using var node = await NodeHarness.CreateAsync(ensure: false);
        var network = new PodNetwork(node.Hcn, node.Ipam, new StaticNodeAddressingSource(node.Options with { PodCidrs = [] }), node.Options, node.Locks, TimeProvider.System, NullLogger<PodNetwork>.Instance);
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-06T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var start = time.GetUtcNow();
        var reporter = new RecordingProblemReporter(time);
        using var reconciler = new NetworkReconciler(network, time, NullLogger<NetworkReconciler>.Instance, new NodeNetworkProblemTracker(reporter, TimeSpan.FromSeconds(30), time));

        await reconciler.StartAsync(cancellationToken);
        while (reporter.Problems.Count == 0)
        {
            time.Advance(TimeSpan.FromMilliseconds(500));
            await Task.Delay(5, cancellationToken);
        }

        await reconciler.StopAsync(cancellationToken);
        var first = reporter.Problems[0];
        Assert.That(first.Problem, Is.EqualTo(NodeNetworkProblem.PodCidrMissing));
        Assert.That(first.At - start, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(30)), "a missing podCIDR is normal for the first seconds of a node");
        Assert.That(first.At - start, Is.LessThan(TimeSpan.FromSeconds(60)), "seen at the first pass after the grace (passes are at most 30 s apart)");
        Assert.That(first.Note, Does.Contain("pod CIDRs are not known yet"));
    }
}
