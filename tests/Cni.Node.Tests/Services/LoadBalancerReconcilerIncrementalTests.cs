using Cni.Hcn.Errors;
using Cni.Hcn.Memory;
using Cni.Node.Services;
using H = Cni.Node.Tests.Services.ServiceProxyHarness;

namespace Cni.Node.Tests.Services;

/// <summary>Event-driven passes (Resync false): no listing, only changed load balancers planned, and nothing hidden from the next resync.</summary>
public sealed class LoadBalancerReconcilerIncrementalTests
{
    private const string ApiClusterIp = "10.96.0.20";

    private static ServiceTranslation Service(string name, string clusterIp, params (string Ip, string Node)[] endpoints)
    {
        var slice = SliceBuilder.V4(name + "-v4").Port("http", 8080);
        foreach (var (ip, node) in endpoints)
        {
            slice.Endpoint(ip, node);
        }

        return H.Translate(ServiceBuilder.ClusterIp().Named(name, clusterIp).Port("http", 80, 8080), slice);
    }

    private static ServiceTranslation Web(params (string Ip, string Node)[] endpoints) => Service(ServiceBuilder.Name, ServiceBuilder.ClusterIpV4, endpoints);

    private static ServiceTranslation Api(params (string Ip, string Node)[] endpoints) => Service("api", ApiClusterIp, endpoints);

    private static (string, string) Local(string ip) => (ip, NodeFactsBuilder.Self);

    private static (string, string) Remote(string ip) => (ip, H.PeerNode);

    private static async Task<H> WithPodAsync()
    {
        var harness = await H.CreateAsync();
        await harness.AddPodAsync(H.LocalPodA);
        return harness;
    }

    [Test]
    public async Task ReconcileAsync_IncrementalSameInstances_NoReadsNoWritesAllUnchanged()
    {
        var node = await WithPodAsync();
        ServiceTranslation[] services = [Web(Local(H.LocalPodA)), Api(Remote(H.RemotePodA))];
        await node.PassAsync(services);
        node.Hcn.ResetCallCounts();

        var report = await node.IncrementalPassAsync(services);

        Assert.That(node.Hcn.GetCallCounts().Values.Sum(), Is.Zero);
        Assert.That((report.Unchanged, report.Listed, report.HcnReads, report.HcnWrites), Is.EqualTo((2, false, 0, 0)));
    }

    [Test]
    public async Task ReconcileAsync_IncrementalOneServiceChanged_WritesOnlyItsObjectsWithoutListing()
    {
        var node = await WithPodAsync();
        var api = Api(Local(H.LocalPodA));
        await node.PassAsync(Web(Remote(H.RemotePodA)), api);
        node.Hcn.ResetCallCounts();

        var report = await node.IncrementalPassAsync(Web(Remote(H.RemotePodB)), api);

        Assert.That(node.Listings, Is.Zero);
        Assert.That(node.Hcn.GetCallCount(MemoryHcnOperation.CreateEndpoint), Is.EqualTo(1));
        Assert.That(node.Hcn.GetCallCount(MemoryHcnOperation.ModifyLoadBalancer), Is.EqualTo(1));
        Assert.That(node.Hcn.GetCallCount(MemoryHcnOperation.DeleteEndpoint), Is.EqualTo(1));
        Assert.That(node.Writes, Is.EqualTo(3));
        Assert.That((report.Modified, report.Unchanged, report.RemoteEndpointsCreated, report.RemoteEndpointsDeleted, report.HcnWrites), Is.EqualTo((1, 1, 1, 1, 3)));
        var remote = (await node.RemoteEndpointsAsync()).Single();
        Assert.That(remote.IpConfigurations![0].IpAddress, Is.EqualTo(H.RemotePodB));
    }

    [Test]
    public async Task ReconcileAsync_IncrementalServiceRemoved_DeletesItsLoadBalancerAndRemote()
    {
        var node = await WithPodAsync();
        var web = Web(Local(H.LocalPodA));
        await node.PassAsync(web, Api(Remote(H.RemotePodA)));

        var report = await node.IncrementalPassAsync(web);

        Assert.That((report.Deleted, report.RemoteEndpointsDeleted), Is.EqualTo((1, 1)));
        Assert.That(await node.LoadBalancersAsync(), Has.Count.EqualTo(1));
        Assert.That(await node.RemoteEndpointsAsync(), Is.Empty);
    }

    [Test]
    public async Task ReconcileAsync_IncrementalAfterOutOfBandDelete_NotSeenUntilTheResyncRepairsIt()
    {
        var node = await WithPodAsync();
        ServiceTranslation[] services = [Web(Local(H.LocalPodA)), Api(Local(H.LocalPodA))];
        await node.PassAsync(services);
        await node.Hcn.DeleteLoadBalancerAsync(services[0].LoadBalancers[0].Key.Id, CancellationToken.None);

        // The event-driven pass trusts its view: the deletion shows at the resync, which lists.
        var incremental = await node.IncrementalPassAsync(services);
        var resync = await node.PassAsync(services);

        Assert.That((incremental.Created, incremental.Unchanged), Is.EqualTo((0, 2)));
        Assert.That((resync.Created, resync.Unchanged, resync.Listed), Is.EqualTo((1, 1, true)));
        Assert.That(await node.LoadBalancersAsync(), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task ReconcileAsync_IncrementalNewLocalPodEndpoint_ListsEndpointsOnceAndUsesIt()
    {
        var node = await WithPodAsync();
        await node.PassAsync(Web(Local(H.LocalPodA)));
        var podB = await node.AddPodAsync(H.LocalPodB);
        node.Hcn.ResetCallCounts();

        var report = await node.IncrementalPassAsync(Web(Local(H.LocalPodA), Local(H.LocalPodB)));

        Assert.That(node.Hcn.GetCallCount(MemoryHcnOperation.EnumerateEndpoints), Is.EqualTo(1));
        Assert.That(node.Hcn.GetCallCount(MemoryHcnOperation.EnumerateLoadBalancers), Is.Zero);
        Assert.That(report.Modified, Is.EqualTo(1));
        Assert.That((await node.LoadBalancersAsync()).Single().HostComputeEndpoints, Does.Contain(podB));
    }

    [Test]
    public async Task ReconcileAsync_WriteFailed_NextIncrementalPassLists()
    {
        var node = await WithPodAsync();
        var web = Web(Local(H.LocalPodA));
        node.Hcn.FailNext(MemoryHcnOperation.CreateLoadBalancer, 1, HcnErrorCodes.PortAlreadyExists);
        await node.PassAsync(web);
        node.Hcn.ResetCallCounts();
        node.Time.Advance(H.InitialBackoff);

        var report = await node.IncrementalPassAsync(web);

        Assert.That(report.Listed, Is.True);
        Assert.That(node.Listings, Is.EqualTo(2));
        Assert.That(report.Created, Is.EqualTo(1));
    }

    [Test]
    public async Task ReconcileAsync_IncrementalAfterRestart_ListsOnceThenWritesNothing()
    {
        var node = await WithPodAsync();
        ServiceTranslation[] services = [Web(Local(H.LocalPodA)), Api(Remote(H.RemotePodA))];
        await node.PassAsync(services);
        node.Restart();
        node.Hcn.ResetCallCounts();

        // A new engine has no view: its first pass lists even when asked for an incremental one.
        var first = await node.IncrementalPassAsync(services);
        var second = await node.IncrementalPassAsync(services);

        Assert.That(node.Writes, Is.Zero);
        Assert.That(node.Listings, Is.EqualTo(2));
        Assert.That((first.Listed, first.Unchanged, second.Listed, second.Unchanged), Is.EqualTo((true, 2, false, 2)));
    }

    [Test]
    public async Task ReconcileAsync_IncrementalProviderAddressesChanged_PlansEverythingAgain()
    {
        var node = await WithPodAsync();
        var web = Web(Remote(H.RemotePodA));
        await node.PassAsync(web);
        node.Hcn.ResetCallCounts();

        // The same desired instance: with the peer's address unknown now, its backend cannot resolve.
        var report = await node.Reconciler.ReconcileAsync(
            new LoadBalancerPassInput([web], node.NetworkId, true, new Dictionary<string, System.Net.IPAddress>(), System.Net.IPAddress.Parse(NodeFactsBuilder.NodeIpV4)) { Resync = false },
            CancellationToken.None);

        Assert.That(report.Services[0].LoadBalancers[0].Outcome, Is.EqualTo(LoadBalancerOutcome.NotProgrammed));
        Assert.That(report.Deleted, Is.EqualTo(1));
    }

    [Test]
    public async Task ReconcileAsync_IncrementalSameServicesInAnotherOrder_NothingWritten()
    {
        var node = await WithPodAsync();
        var web = Web(Local(H.LocalPodA));
        var api = Api(Remote(H.RemotePodA));
        await node.PassAsync(web, api);
        node.Hcn.ResetCallCounts();

        var report = await node.IncrementalPassAsync(api, web);

        Assert.That(node.Hcn.GetCallCounts().Values.Sum(), Is.Zero);
        Assert.That(report.Services.Select(s => s.Service), Is.EqualTo(new[] { "default/api", "default/web" }));
        Assert.That(report.Unchanged, Is.EqualTo(2));
    }

    [Test]
    public async Task ReconcileAsync_IncrementalBackingOffLoadBalancer_RetriedAfterItsBackoffWithoutAnyChange()
    {
        var node = await WithPodAsync();
        var web = Web(Local(H.LocalPodA));
        node.Hcn.FailNext(MemoryHcnOperation.CreateLoadBalancer, 1, HcnErrorCodes.PortAlreadyExists);
        await node.PassAsync(web);
        var waiting = await node.IncrementalPassAsync(web);
        node.Time.Advance(H.InitialBackoff);

        var retried = await node.IncrementalPassAsync(web);

        Assert.That(waiting.Services[0].LoadBalancers[0].Outcome, Is.EqualTo(LoadBalancerOutcome.BackingOff));
        Assert.That((retried.Created, retried.Listed), Is.EqualTo((1, false)));
        Assert.That(await node.LoadBalancersAsync(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task ReconcileAsync_ResyncFindsAllCurrentThenIncrementalChange_WritesOnlyTheChange()
    {
        var node = await WithPodAsync();
        var api = Api(Remote(H.RemotePodA));
        await node.PassAsync(Web(Local(H.LocalPodA)), api);
        await node.PassAsync(Web(Local(H.LocalPodA)), api);
        node.Hcn.ResetCallCounts();

        var report = await node.IncrementalPassAsync(Web(Local(H.LocalPodA), Remote(H.RemotePodB)), api);

        Assert.That(node.Writes, Is.EqualTo(2), "one remote endpoint, one modify");
        Assert.That((report.Modified, report.Unchanged, report.RemoteEndpointsCreated, report.RemoteEndpointsDeleted), Is.EqualTo((1, 1, 1, 0)));
    }
}
