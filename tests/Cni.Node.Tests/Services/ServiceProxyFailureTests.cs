using System.Collections.Concurrent;
using Cni.Hcn.Errors;
using Cni.Hcn.Memory;
using Cni.Node.Services;
using k8s.Models;
using F = Cni.Node.Tests.Services.ServiceProxyControllerFixture;
using H = Cni.Node.Tests.Services.ServiceProxyHarness;

namespace Cni.Node.Tests.Services;

/// <summary>
/// Which service proxy failures a person must act on (an HCN refusal that came back after its backoff) and which
/// Services they are for: what the Events on the Service and the Node are made from.
/// </summary>
public sealed class ServiceProxyFailureTests
{
    private static ServiceTranslation ClusterIp(string name, string clusterIp, string ip, string node) =>
        H.Translate(ServiceBuilder.ClusterIp().Named(name, clusterIp).Port("http", 80, 8080), SliceBuilder.V4(name + "-v4").Port("http", 8080).Endpoint(ip, node));

    [Test]
    public async Task ReconcileAsync_LoadBalancerRefusedTwice_NeedsActionOnlyAfterTheRetryAndNamesItsService()
    {
        var node = await H.CreateAsync();
        await node.AddPodAsync(H.LocalPodA);
        var web = ClusterIp("web", ServiceBuilder.ClusterIpV4, H.LocalPodA, NodeFactsBuilder.Self);
        node.Hcn.FailNext(MemoryHcnOperation.CreateLoadBalancer, 2, HcnErrorCodes.PortAlreadyExists);

        var first = (await node.PassAsync(web)).Failures.Single();
        node.Time.Advance(H.InitialBackoff);
        var second = (await node.PassAsync(web)).Failures.Single();

        Assert.That((first.Attempts, first.IsHcnRefusal, first.NeedsAction), Is.EqualTo((1, true, false)), "one refusal may be a race the retry cures");
        Assert.That((second.Attempts, second.IsHcnRefusal, second.NeedsAction), Is.EqualTo((2, true, true)));
        Assert.That(second.Services, Is.EqualTo(new[] { "default/web" }));
        Assert.That(second.Message, Does.Contain(HcnErrorCatalog.Lookup(HcnErrorCodes.PortAlreadyExists).Fix));
    }

    [Test]
    public async Task ReconcileAsync_HnsBusyAgainAndAgain_NeverNeedsAction()
    {
        var node = await H.CreateAsync();
        await node.AddPodAsync(H.LocalPodA);
        var web = ClusterIp("web", ServiceBuilder.ClusterIpV4, H.LocalPodA, NodeFactsBuilder.Self);
        node.Hcn.FailNext(MemoryHcnOperation.CreateLoadBalancer, 3, HcnErrorCodes.ManagerStopped);

        var failures = new List<ObjectFailure>();
        for (var i = 0; i < 3; i++)
        {
            failures.AddRange((await node.PassAsync(web)).Failures);
            node.Time.Advance(TimeSpan.FromMinutes(10));
        }

        Assert.That(failures.Select(f => f.Attempts), Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(failures.Select(f => f.NeedsAction), Has.All.False, "HNS stopping is cured by waiting, not by a person");
    }

    [Test]
    public async Task ReconcileAsync_SharedRemoteEndpointRefused_FailureNamesEveryServiceWithThatBackend()
    {
        var node = await H.CreateAsync();
        node.Hcn.FailNext(MemoryHcnOperation.CreateEndpoint, 1, HcnErrorCodes.InvalidIp);

        var report = await node.PassAsync(
            ClusterIp("web", ServiceBuilder.ClusterIpV4, H.RemotePodA, H.PeerNode),
            ClusterIp("api", "10.96.0.20", H.RemotePodA, H.PeerNode));

        var failure = report.Failures.Single();
        Assert.That(failure.Key, Is.EqualTo(LoadBalancerReconciler.RemoteKeyPrefix + H.RemotePodA));
        Assert.That(failure.Services, Is.EqualTo(new[] { "default/api", "default/web" }));
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task ExecuteAsync_LoadBalancerRefusedAfterItsRetry_ReportedOnceWithItsService(CancellationToken cancellationToken)
    {
        var reporter = new RecordingFailureReporter();
        await using var f = await F.StartAsync(
            [ServiceBuilder.ClusterIp().Port("http", 80, 8080).Build()],
            [SliceBuilder.V4().Port("http", 8080).Endpoint(H.LocalPodA, NodeFactsBuilder.Self).Build()],
            resyncPeriod: TimeSpan.FromSeconds(5),
            failureReporter: reporter);
        f.Harness.Hcn.FailNext(MemoryHcnOperation.CreateLoadBalancer, 2, HcnErrorCodes.PortAlreadyExists);
        await f.WaitForPassesAsync(1);
        Assert.That(reporter.Failures, Is.Empty, "the first refusal is retried before anyone is told");

        f.Advance(TimeSpan.FromSeconds(5));
        await f.WaitForPassesAsync(2);
        f.Advance(TimeSpan.FromSeconds(5));
        await f.WaitForPassesAsync(3);

        var reported = reporter.Failures.Single();
        Assert.That(reported.Key, Does.StartWith("default/web:http/TCP/IPv4/ClusterIP"));
        Assert.That(reported.Attempts, Is.EqualTo(2));
        Assert.That(reported.Services, Is.EqualTo(new[] { "default/web" }));
        Assert.That(await f.Harness.LoadBalancersAsync(), Is.Not.Empty, "the third attempt succeeded and nothing more is reported");
    }

    private sealed class RecordingFailureReporter : IServiceProxyFailureReporter
    {
        private readonly ConcurrentQueue<ObjectFailure> _failures = new();

        public IReadOnlyList<ObjectFailure> Failures => [.. _failures];

        public void Report(ObjectFailure failure) => _failures.Enqueue(failure);
    }
}
