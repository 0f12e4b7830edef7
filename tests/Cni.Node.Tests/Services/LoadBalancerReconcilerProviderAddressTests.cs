using System.Net;
using Cni.Hcn.Errors;
using Cni.Hcn.Memory;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;
using Cni.Node.Services;
using H = Cni.Node.Tests.Services.ServiceProxyHarness;

namespace Cni.Node.Tests.Services;

/// <summary>Remote endpoints whose provider address is no longer the one their backend resolves to: replaced, and the load balancers list them again.</summary>
public sealed class LoadBalancerReconcilerProviderAddressTests
{
    private const string ApiClusterIp = "10.96.0.20";
    private const string DbClusterIp = "10.96.0.30";
    private const string NewPeerAddress = "192.0.2.99";
    private const string OtherNode = "n3";
    private const string OtherNodeAddress = "192.0.2.12";

    private static ServiceTranslation Service(string name, string clusterIp, params (string Ip, string? Node)[] endpoints)
    {
        var slice = SliceBuilder.V4(name + "-v4").Port("http", 8080);
        foreach (var (ip, node) in endpoints)
        {
            slice.Endpoint(ip, node);
        }

        return H.Translate(ServiceBuilder.ClusterIp().Named(name, clusterIp).Port("http", 80, 8080), slice);
    }

    private static ServiceTranslation Web(params (string Ip, string? Node)[] endpoints) => Service(ServiceBuilder.Name, ServiceBuilder.ClusterIpV4, endpoints);

    private static ServiceTranslation Api(params (string Ip, string? Node)[] endpoints) => Service("api", ApiClusterIp, endpoints);

    private static ServiceTranslation Db(params (string Ip, string? Node)[] endpoints) => Service("db", DbClusterIp, endpoints);

    private static async Task<H> NodeAsync()
    {
        var node = await H.CreateAsync();
        node.ProviderAddresses[OtherNode] = IPAddress.Parse(OtherNodeAddress);
        await node.AddPodAsync(H.LocalPodA);
        return node;
    }

    private static Guid IdOf(string ip) => RemoteEndpointIds.IdOf(IPAddress.Parse(ip));

    private static async Task<string?> ProviderAddressAsync(H node, string ip)
    {
        var endpoint = await node.Hcn.GetEndpointAsync(IdOf(ip), CancellationToken.None);
        return endpoint.Policies?.Select(p => p.GetSettings<ProviderAddressPolicySetting>()?.ProviderAddress).OfType<string>().SingleOrDefault();
    }

    private static async Task<IReadOnlyList<Guid>> BackendsAsync(H node, ServiceTranslation service) =>
        (await node.Hcn.GetLoadBalancerAsync(service.LoadBalancers.Single().Key.Id, CancellationToken.None)).HostComputeEndpoints ?? [];

    [Test]
    public async Task ReconcileAsync_NodeAddressChanged_RemoteEndpointsRecreatedWithNewAddressAndListedAgain()
    {
        var node = await NodeAsync();
        ServiceTranslation[] services =
        [
            Web((H.LocalPodA, NodeFactsBuilder.Self), (H.RemotePodA, H.PeerNode)),
            Api((H.RemotePodA, H.PeerNode), (H.RemotePodB, H.PeerNode)),
        ];
        await node.PassAsync(services);
        node.ProviderAddresses[H.PeerNode] = IPAddress.Parse(NewPeerAddress);

        var report = await node.IncrementalPassAsync(services);

        Assert.That(report.Failures, Is.Empty);
        Assert.That(report.RemoteEndpointsReplaced, Is.EqualTo(2));
        Assert.That(await ProviderAddressAsync(node, H.RemotePodA), Is.EqualTo(NewPeerAddress));
        Assert.That(await ProviderAddressAsync(node, H.RemotePodB), Is.EqualTo(NewPeerAddress));
        Assert.That(await BackendsAsync(node, services[0]), Does.Contain(IdOf(H.RemotePodA)).And.Count.EqualTo(2));
        Assert.That(await BackendsAsync(node, services[1]), Is.EquivalentTo(new[] { IdOf(H.RemotePodA), IdOf(H.RemotePodB) }));
    }

    [Test]
    public async Task ReconcileAsync_NodeAddressChanged_EndpointReplacedRightBeforeItsLoadBalancersAreWritten()
    {
        var node = await NodeAsync();
        var web = Web((H.RemotePodA, H.PeerNode));
        await node.PassAsync(web);
        node.ProviderAddresses[H.PeerNode] = IPAddress.Parse(NewPeerAddress);
        node.Recorder.Clear();

        await node.IncrementalPassAsync(web);

        var writes = node.Recorder.Completed.Where(o => !o.StartsWith("Enumerate", StringComparison.Ordinal) && !o.StartsWith("Get", StringComparison.Ordinal)).ToList();
        Assert.That(writes, Is.EqualTo(new[] { "DeleteEndpoint", "CreateEndpoint", "ModifyLoadBalancer" }));
    }

    [Test]
    public async Task ReconcileAsync_IpMovedToAnotherNode_ReplacesOnlyItsEndpointAndEveryLoadBalancerListsItAgain()
    {
        var node = await NodeAsync();
        var db = Db((H.RemotePodB, H.PeerNode));
        await node.PassAsync(Web((H.RemotePodA, H.PeerNode)), Api((H.RemotePodA, H.PeerNode)), db);
        node.Hcn.ResetCallCounts();
        var web = Web((H.RemotePodA, OtherNode));
        var api = Api((H.RemotePodA, OtherNode));

        var report = await node.IncrementalPassAsync(web, api, db);

        Assert.That(report.RemoteEndpointsReplaced, Is.EqualTo(1));
        Assert.That(node.Hcn.GetCallCount(MemoryHcnOperation.DeleteEndpoint), Is.EqualTo(1));
        Assert.That(await ProviderAddressAsync(node, H.RemotePodA), Is.EqualTo(OtherNodeAddress));
        Assert.That(await ProviderAddressAsync(node, H.RemotePodB), Is.EqualTo(H.PeerProviderAddress));
        Assert.That(await BackendsAsync(node, web), Is.EqualTo(new[] { IdOf(H.RemotePodA) }));
        Assert.That(await BackendsAsync(node, api), Is.EqualTo(new[] { IdOf(H.RemotePodA) }));
        Assert.That(await BackendsAsync(node, db), Is.EqualTo(new[] { IdOf(H.RemotePodB) }));
    }

    [Test]
    public async Task ReconcileAsync_IpMovedButAnotherServiceNotPlanned_ThatServicesLoadBalancerListsItAgain()
    {
        var node = await NodeAsync();
        var api = Api((H.RemotePodA, H.PeerNode));
        await node.PassAsync(Web((H.RemotePodA, H.PeerNode)), api);

        // Only web's slice says so yet; api's translation is the same instance, so the event pass does not plan it.
        await node.IncrementalPassAsync(Web((H.RemotePodA, OtherNode)), api);

        Assert.That(await ProviderAddressAsync(node, H.RemotePodA), Is.EqualTo(OtherNodeAddress));
        Assert.That(await BackendsAsync(node, api), Is.EqualTo(new[] { IdOf(H.RemotePodA) }));
    }

    [Test]
    public async Task ReconcileAsync_BackendWithoutNodeGetsOne_ReplacedWithThatNodesAddress()
    {
        var node = await NodeAsync();
        await node.PassAsync(Web((H.RemotePodA, null)));
        Assert.That(await ProviderAddressAsync(node, H.RemotePodA), Is.EqualTo(NodeFactsBuilder.NodeIpV4));

        var report = await node.IncrementalPassAsync(Web((H.RemotePodA, H.PeerNode)));

        Assert.That(report.RemoteEndpointsReplaced, Is.EqualTo(1));
        Assert.That(await ProviderAddressAsync(node, H.RemotePodA), Is.EqualTo(H.PeerProviderAddress));
    }

    [Test]
    public async Task ReconcileAsync_NodeAddressChangedWhileStopped_RestartReadsProviderAddressesAndReplaces()
    {
        var node = await NodeAsync();
        var web = Web((H.RemotePodA, H.PeerNode));
        await node.PassAsync(web);
        node.Restart();
        node.ProviderAddresses[H.PeerNode] = IPAddress.Parse(NewPeerAddress);

        var report = await node.PassAsync(web);

        Assert.That((report.RemoteEndpointsReplaced, report.Failures.Count), Is.EqualTo((1, 0)));
        Assert.That(await ProviderAddressAsync(node, H.RemotePodA), Is.EqualTo(NewPeerAddress));
        Assert.That(await BackendsAsync(node, web), Is.EqualTo(new[] { IdOf(H.RemotePodA) }));
    }

    [Test]
    public async Task ReconcileAsync_ProviderAddressesMatch_NothingReplacedAndZeroWrites()
    {
        var node = await NodeAsync();
        ServiceTranslation[] services = [Web((H.RemotePodA, H.PeerNode)), Api((H.RemotePodA, H.PeerNode), (H.RemotePodB, OtherNode))];
        await node.PassAsync(services);
        node.Restart();
        node.Hcn.ResetCallCounts();

        var resync = await node.PassAsync(services);
        var incremental = await node.IncrementalPassAsync(services);

        Assert.That(node.Writes, Is.Zero);
        Assert.That((resync.RemoteEndpointsReplaced, incremental.RemoteEndpointsReplaced), Is.EqualTo((0, 0)));
    }

    [Test]
    public async Task ReconcileAsync_NetworkNowL2Bridge_RemoteEndpointWithProviderAddressReplacedWithoutOne()
    {
        var node = await NodeAsync();
        var web = Web((H.RemotePodA, H.PeerNode));
        await node.PassAsync(web);
        node.Overlay = false;

        var report = await node.PassAsync(web);

        Assert.That(report.RemoteEndpointsReplaced, Is.EqualTo(1));
        var endpoint = await node.Hcn.GetEndpointAsync(IdOf(H.RemotePodA), CancellationToken.None);
        Assert.That(endpoint.Policies ?? [], Is.Empty);
        Assert.That(await BackendsAsync(node, web), Is.EqualTo(new[] { IdOf(H.RemotePodA) }));
    }

    [Test]
    public async Task ReconcileAsync_ReplacementCreateFails_ReportedAndRetriedAfterBackoff()
    {
        var node = await NodeAsync();
        var web = Web((H.LocalPodA, NodeFactsBuilder.Self), (H.RemotePodA, H.PeerNode));
        await node.PassAsync(web);
        node.ProviderAddresses[H.PeerNode] = IPAddress.Parse(NewPeerAddress);
        node.Hcn.FailNext(MemoryHcnOperation.CreateEndpoint, 1, HcnErrorCodes.InvalidIp);

        var failed = await node.IncrementalPassAsync(web);
        var waiting = await node.IncrementalPassAsync(web);
        node.Time.Advance(H.InitialBackoff);
        var retried = await node.IncrementalPassAsync(web);

        Assert.That(failed.Failures.Single().Key, Is.EqualTo("remote-endpoint/" + H.RemotePodA));
        Assert.That(failed.Failures.Single().Message, Does.Contain(H.PeerProviderAddress).And.Contain(NewPeerAddress));
        Assert.That(failed.Services.Single().LoadBalancers.Single().Outcome, Is.EqualTo(LoadBalancerOutcome.Failed));
        Assert.That(waiting.Failures.Single().RetryAt, Is.EqualTo(failed.Failures.Single().RetryAt));
        Assert.That(retried.Failures, Is.Empty);
        Assert.That(await ProviderAddressAsync(node, H.RemotePodA), Is.EqualTo(NewPeerAddress));
        Assert.That(await BackendsAsync(node, web), Does.Contain(IdOf(H.RemotePodA)).And.Count.EqualTo(2));
    }

    [Test]
    public async Task ReconcileAsync_ReplacementDeleteFails_EndpointAndLoadBalancerKeptAndRetriedAfterBackoff()
    {
        var node = await NodeAsync();
        var web = Web((H.RemotePodA, H.PeerNode));
        await node.PassAsync(web);
        node.ProviderAddresses[H.PeerNode] = IPAddress.Parse(NewPeerAddress);
        node.Hcn.FailNext(MemoryHcnOperation.DeleteEndpoint, 1, HcnErrorCodes.InvalidParameter);

        var failed = await node.IncrementalPassAsync(web);
        var keptAddress = await ProviderAddressAsync(node, H.RemotePodA);
        var keptBackends = await BackendsAsync(node, web);
        node.Time.Advance(H.InitialBackoff);
        var retried = await node.IncrementalPassAsync(web);

        Assert.That(failed.Failures.Single().Key, Is.EqualTo("remote-endpoint/" + H.RemotePodA));
        Assert.That(failed.Services.Single().LoadBalancers.Single().Outcome, Is.EqualTo(LoadBalancerOutcome.Failed));
        Assert.That(keptAddress, Is.EqualTo(H.PeerProviderAddress));
        Assert.That(keptBackends, Is.EqualTo(new[] { IdOf(H.RemotePodA) }));
        Assert.That((retried.RemoteEndpointsReplaced, retried.Failures.Count), Is.EqualTo((1, 0)));
        Assert.That(await ProviderAddressAsync(node, H.RemotePodA), Is.EqualTo(NewPeerAddress));
        Assert.That(await BackendsAsync(node, web), Is.EqualTo(new[] { IdOf(H.RemotePodA) }));
    }
}
