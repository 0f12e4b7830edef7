using Cni.Hcn.Errors;
using Cni.Hcn.Memory;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;
using Cni.Hcn.Versioning;
using Cni.Node.Services;
using H = Cni.Node.Tests.Services.ServiceProxyHarness;

namespace Cni.Node.Tests.Services;

public sealed class LoadBalancerReconcilerTests
{
    private const string ApiClusterIp = "10.96.0.20";
    private const string DbClusterIp = "10.96.0.30";

    private static (string Ip, string Node) Local(string ip) => (ip, NodeFactsBuilder.Self);

    private static (string Ip, string Node) Remote(string ip) => (ip, H.PeerNode);

    private static ServiceTranslation ClusterIpService(string name, string clusterIp, params (string Ip, string Node)[] endpoints)
    {
        var slice = SliceBuilder.V4(name + "-v4").Port("http", 8080);
        foreach (var (ip, node) in endpoints)
        {
            slice.Endpoint(ip, node);
        }

        return H.Translate(ServiceBuilder.ClusterIp().Named(name, clusterIp).Port("http", 80, 8080), slice);
    }

    private static ServiceTranslation Web(params (string Ip, string Node)[] endpoints) => ClusterIpService(ServiceBuilder.Name, ServiceBuilder.ClusterIpV4, endpoints);

    private static ServiceTranslation Api(params (string Ip, string Node)[] endpoints) => ClusterIpService("api", ApiClusterIp, endpoints);

    private static ServiceTranslation Db(params (string Ip, string Node)[] endpoints) => ClusterIpService("db", DbClusterIp, endpoints);

    private static async Task<H> WithPodsAsync(HcnVersion? version = null, bool acceptsEmpty = false)
    {
        var harness = await H.CreateAsync(version, acceptsEmpty);
        await harness.AddPodAsync(H.LocalPodA);
        await harness.AddPodAsync(H.LocalPodB);
        return harness;
    }

    /// <summary>A node where the first pass failed to create the one load balancer of <c>web</c>.</summary>
    private static async Task<(H Node, ServiceTranslation Web)> AfterFailedCreateAsync()
    {
        var node = await WithPodsAsync();
        var web = Web(Local(H.LocalPodA));
        node.Hcn.FailNext(MemoryHcnOperation.CreateLoadBalancer, 1, HcnErrorCodes.PortAlreadyExists);
        await node.PassAsync(web);
        return (node, web);
    }

    [Test]
    public async Task ReconcileAsync_FirstPass_CreatesLoadBalancersAndRemoteEndpoint()
    {
        var node = await WithPodsAsync();
        var web = H.Translate(
            ServiceBuilder.NodePort().Port("http", 80, 8080, nodePort: 30080),
            SliceBuilder.V4().Port("http", 8080).Endpoint(H.LocalPodA, NodeFactsBuilder.Self).Endpoint(H.RemotePodA, H.PeerNode));

        var report = await node.PassAsync(web);

        Assert.That(report.Created, Is.EqualTo(2));
        Assert.That(report.RemoteEndpointsCreated, Is.EqualTo(1));
        Assert.That(report.Failures, Is.Empty);
        var remote = (await node.RemoteEndpointsAsync()).Single();
        Assert.That(remote.Id, Is.EqualTo(RemoteEndpointIds.IdOf(System.Net.IPAddress.Parse(H.RemotePodA))));
        Assert.That(remote.Policies!.Single().GetSettings<ProviderAddressPolicySetting>()!.ProviderAddress, Is.EqualTo(H.PeerProviderAddress));
        var lbs = await node.LoadBalancersAsync();
        Assert.That(lbs.Select(lb => lb.Id), Is.EquivalentTo(web.LoadBalancers.Select(lb => lb.Key.Id)));
        Assert.That(lbs.Select(lb => lb.HostComputeEndpoints!.Count), Is.All.EqualTo(2));
        Assert.That(lbs.SelectMany(lb => lb.HostComputeEndpoints!), Does.Contain(remote.Id));
    }

    [Test]
    public async Task ReconcileAsync_ThousandsOfLoadBalancers_EachPlannedWithItsBackendsAndRemoteIds()
    {
        // Past the size at which plans are made on several threads: 600 Services x 2 ports.
        var node = await WithPodsAsync();
        var services = new List<ServiceTranslation>();
        for (var i = 0; i < 600; i++)
        {
            services.Add(H.Translate(
                ServiceBuilder.ClusterIp().Named($"s{i}", $"10.96.{i / 200}.{i % 200 + 1}").Port("http", 80, 8080).Port("metrics", 9090, 9090),
                SliceBuilder.V4($"s{i}-v4").Port("http", 8080).Port("metrics", 9090).Endpoint(H.LocalPodA, NodeFactsBuilder.Self).Endpoint($"10.244.2.{i % 50 + 10}", H.PeerNode)));
        }

        var report = await node.PassAsync([.. services]);

        Assert.That(report.Failures, Is.Empty);
        Assert.That(report.Created, Is.EqualTo(1200));
        Assert.That(report.RemoteEndpointsCreated, Is.EqualTo(50), "one remote endpoint per address, however many load balancers use it");
        var local = (await node.Hcn.EnumerateEndpointsAsync(null, CancellationToken.None)).Single(e => e.IpConfigurations!.Any(c => c.IpAddress == H.LocalPodA)).Id;
        var lbs = (await node.LoadBalancersAsync()).ToDictionary(lb => lb.Id);
        Assert.That(lbs.Keys, Is.EquivalentTo(services.SelectMany(s => s.LoadBalancers).Select(lb => lb.Key.Id)));
        for (var i = 0; i < 600; i++)
        {
            var remote = RemoteEndpointIds.IdOf(System.Net.IPAddress.Parse($"10.244.2.{i % 50 + 10}"));
            foreach (var desired in services[i].LoadBalancers)
            {
                Assert.That(lbs[desired.Key.Id].HostComputeEndpoints, Is.EquivalentTo(new[] { local, remote }), desired.Key.Value);
            }
        }
    }

    [Test]
    public async Task ReconcileAsync_PassWithWrites_AllInOneWriteBatchCommittedAfterTheLastWrite()
    {
        var node = await WithPodsAsync();
        var web = Web(Local(H.LocalPodA), Remote(H.RemotePodA));

        await node.PassAsync(web, Api(Remote(H.RemotePodB)));

        var writes = node.Recorder.Completed.Count(o => o.StartsWith("Create", StringComparison.Ordinal));
        Assert.That(writes, Is.EqualTo(6), "2 load balancers, 2 remote endpoints, 2 ClusterIP endpoints (overlay)");
        Assert.That(node.Recorder.Batches.Select(b => b.Event), Is.EqualTo(new[] { "begin", "commit" }));
        Assert.That(node.Recorder.Batches[1].Completed, Is.EqualTo(node.Recorder.Completed.Count), "committed after every write of the pass");
    }

    [Test]
    public async Task ReconcileAsync_BatchCommitFails_FailureReportedAndTheNextPassLists()
    {
        var node = await WithPodsAsync();
        var web = Web(Local(H.LocalPodA));
        node.Recorder.FailNextCommit = new HcnException("nft", HcnErrorCodes.Unexpected, detail: "kernel refused the transaction");

        var failed = await node.IncrementalPassAsync(web);
        node.Hcn.ResetCallCounts();
        var next = await node.IncrementalPassAsync(web);

        Assert.That(failed.Failures.Select(f => f.Key), Is.EqualTo(new[] { "dataplane-commit" }));
        Assert.That(failed.Failures[0].Message, Does.Contain("kernel refused the transaction"));
        Assert.That(next.Listed, Is.True, "HCN may not hold what the failed commit was to realize: the next pass compares everything");
        Assert.That(next.Failures, Is.Empty);
    }

    [Test]
    public async Task ReconcileAsync_SecondPassSameInput_MakesZeroWrites()
    {
        var node = await WithPodsAsync();
        var web = Web(Local(H.LocalPodA), Remote(H.RemotePodA));
        await node.PassAsync(web);
        node.Hcn.ResetCallCounts();

        var report = await node.PassAsync(web);

        Assert.That(node.Writes, Is.Zero);
        Assert.That(report.Changed, Is.False);
        Assert.That(report.Unchanged, Is.EqualTo(1));
    }

    [Test]
    public async Task ReconcileAsync_AfterRestartNothingChanged_MakesZeroWrites()
    {
        var node = await WithPodsAsync();
        ServiceTranslation[] services = [Web(Local(H.LocalPodA), Remote(H.RemotePodA)), Api(Remote(H.RemotePodA), Remote(H.RemotePodB))];
        await node.PassAsync(services);
        node.Restart();
        node.Hcn.ResetCallCounts();

        var report = await node.PassAsync(services);

        Assert.That(node.Writes, Is.Zero);
        Assert.That(report.Unchanged, Is.EqualTo(2));
    }

    [Test]
    public async Task ReconcileAsync_LoadBalancerDeletedOutOfBand_ComesBack()
    {
        var node = await WithPodsAsync();
        var web = Web(Local(H.LocalPodA));
        await node.PassAsync(web);
        await node.Hcn.DeleteLoadBalancerAsync(web.LoadBalancers[0].Key.Id, CancellationToken.None);

        var report = await node.PassAsync(web);

        Assert.That(report.Created, Is.EqualTo(1));
        Assert.That((await node.LoadBalancersAsync()).Select(lb => lb.Id), Is.EqualTo(new[] { web.LoadBalancers[0].Key.Id }));
    }

    [Test]
    public async Task ReconcileAsync_OneEndpointChange_ModifiesOnlyTheAffectedLoadBalancer()
    {
        var node = await WithPodsAsync();
        var api = Api(Local(H.LocalPodB));
        await node.PassAsync(Web(Local(H.LocalPodA)), api);
        node.Hcn.ResetCallCounts();

        var report = await node.PassAsync(Web(Local(H.LocalPodA), Local(H.LocalPodB)), api);

        Assert.That(node.Hcn.GetCallCount(MemoryHcnOperation.ModifyLoadBalancer), Is.EqualTo(1));
        Assert.That(node.Writes, Is.EqualTo(1));
        Assert.That((report.Modified, report.Unchanged), Is.EqualTo((1, 1)));
        var web = (await node.LoadBalancersAsync()).Single(lb => lb.FrontendVips![0] == ServiceBuilder.ClusterIpV4);
        Assert.That(web.HostComputeEndpoints, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task ReconcileAsync_EndpointChangeOnHnsWithoutModify_DeletesAndCreates()
    {
        var node = await WithPodsAsync(version: new HcnVersion(13, 0));
        var api = Api(Local(H.LocalPodB));
        await node.PassAsync(Web(Local(H.LocalPodA)), api);
        node.Hcn.ResetCallCounts();

        var report = await node.PassAsync(Web(Local(H.LocalPodA), Local(H.LocalPodB)), api);

        Assert.That(node.Hcn.GetCallCount(MemoryHcnOperation.ModifyLoadBalancer), Is.Zero);
        Assert.That(node.Hcn.GetCallCount(MemoryHcnOperation.DeleteLoadBalancer), Is.EqualTo(1));
        Assert.That(node.Hcn.GetCallCount(MemoryHcnOperation.CreateLoadBalancer), Is.EqualTo(1));
        Assert.That(report.Recreated, Is.EqualTo(1));
    }

    [Test]
    public async Task ReconcileAsync_ServiceRemoved_DeletesItsLoadBalancersAndUnusedRemoteEndpoints()
    {
        var node = await WithPodsAsync();
        var api = Api(Local(H.LocalPodA));
        await node.PassAsync(Web(Remote(H.RemotePodA)), api);

        var report = await node.PassAsync(api);

        Assert.That((report.Deleted, report.RemoteEndpointsDeleted), Is.EqualTo((1, 1)));
        Assert.That((await node.LoadBalancersAsync()).Select(lb => lb.Id), Is.EqualTo(new[] { api.LoadBalancers[0].Key.Id }));
        Assert.That(await node.RemoteEndpointsAsync(), Is.Empty);
    }

    [Test]
    public async Task ReconcileAsync_SharedRemoteEndpoint_CreatedOnceAndKeptWhileAnotherLoadBalancerUsesIt()
    {
        var node = await WithPodsAsync();
        var api = Api(Remote(H.RemotePodA));
        var first = await node.PassAsync(Web(Remote(H.RemotePodA)), api);

        var second = await node.PassAsync(api);

        Assert.That(first.RemoteEndpointsCreated, Is.EqualTo(1));
        Assert.That((second.Deleted, second.RemoteEndpointsDeleted), Is.EqualTo((1, 0)));
        var remote = (await node.RemoteEndpointsAsync()).Single();
        Assert.That((await node.LoadBalancersAsync()).Single().HostComputeEndpoints, Is.EqualTo(new[] { remote.Id }));
    }

    [Test]
    public async Task ReconcileAsync_BackendMovedFromRemoteToLocal_RemoteEndpointDeletedAfterTheLoadBalancerLeftIt()
    {
        var node = await WithPodsAsync();
        await node.PassAsync(Web(Remote(H.RemotePodA)));

        var report = await node.PassAsync(Web(Local(H.LocalPodA)));

        Assert.That((report.Modified, report.RemoteEndpointsDeleted), Is.EqualTo((1, 1)));
        Assert.That((await node.LoadBalancersAsync()).Single().HostComputeEndpoints, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task ReconcileAsync_RemoteBackendWithALocalEndpointsIp_UsesTheLocalEndpoint()
    {
        var node = await WithPodsAsync();
        var pod = await node.AddPodAsync("10.244.1.7");

        await node.PassAsync(Web(("10.244.1.7", H.PeerNode)));

        Assert.That(node.Hcn.GetCallCount(MemoryHcnOperation.CreateEndpoint), Is.EqualTo(4), "only the three pods and the ClusterIP's endpoint");
        Assert.That(await node.RemoteEndpointsAsync(), Is.Empty);
        Assert.That((await node.LoadBalancersAsync()).Single().HostComputeEndpoints, Is.EqualTo(new[] { pod }));
    }

    [Test]
    public async Task ReconcileAsync_LocalBackendMissingInHcn_LeftOutWithoutARemoteEndpoint()
    {
        var node = await WithPodsAsync();

        var report = await node.PassAsync(Web(Local(H.LocalPodA), Local("10.244.1.9")));

        Assert.That(await node.RemoteEndpointsAsync(), Is.Empty);
        var status = report.Services.Single().LoadBalancers.Single();
        Assert.That((status.DesiredBackends, status.ProgrammedBackends), Is.EqualTo((2, (int?)1)));
        Assert.That(status.Reason, Does.Contain("10.244.1.9"));
    }

    [Test]
    public async Task ReconcileAsync_OneLoadBalancerFails_OthersProgrammed()
    {
        var node = await WithPodsAsync();
        node.Hcn.FailNext(MemoryHcnOperation.CreateLoadBalancer, 1, HcnErrorCodes.PortAlreadyExists);

        var report = await node.PassAsync(Web(Local(H.LocalPodA)), Api(Local(H.LocalPodA)), Db(Local(H.LocalPodB)));

        Assert.That(report.Created, Is.EqualTo(2));
        var failure = report.Failures.Single();
        Assert.That(failure.Message, Does.Contain("HcnCreateLoadBalancer").And.Contain(failure.Key).And.Contain("Fix:"));
        Assert.That(failure.RetryAt, Is.EqualTo(node.Time.GetUtcNow() + H.InitialBackoff));
        Assert.That(await node.LoadBalancersAsync(), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task ReconcileAsync_FailedLoadBalancer_NotRetriedBeforeItsBackoff()
    {
        var (node, web) = await AfterFailedCreateAsync();
        node.Hcn.ResetCallCounts();

        var report = await node.PassAsync(web);

        Assert.That(node.Writes, Is.Zero);
        Assert.That(report.Services.Single().LoadBalancers.Single().Outcome, Is.EqualTo(LoadBalancerOutcome.BackingOff));
    }

    [Test]
    public async Task ReconcileAsync_FailedLoadBalancer_RetriedAfterItsBackoff()
    {
        var (node, web) = await AfterFailedCreateAsync();
        node.Time.Advance(H.InitialBackoff);

        var report = await node.PassAsync(web);

        Assert.That((report.Created, report.Failures.Count), Is.EqualTo((1, 0)));
        Assert.That(await node.LoadBalancersAsync(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task ReconcileAsync_RemoteEndpointCreateFails_ItsLoadBalancerWaitsAndOthersAreProgrammed()
    {
        var node = await WithPodsAsync();
        node.Hcn.FailNext(MemoryHcnOperation.CreateEndpoint, 1, HcnErrorCodes.InvalidIp);

        var report = await node.PassAsync(Web(Remote(H.RemotePodA)), Api(Local(H.LocalPodA)));

        Assert.That(report.Created, Is.EqualTo(1));
        Assert.That(report.Failures.Single().Key, Does.Contain(H.RemotePodA));
        Assert.That(report.Services[0].LoadBalancers.Single().Outcome, Is.EqualTo(LoadBalancerOutcome.Failed));
    }

    [Test]
    public async Task ReconcileAsync_NonOwnedObjects_Untouched()
    {
        var node = await WithPodsAsync();
        var pod = await node.AddPodAsync("10.244.1.8");
        var foreign = await node.Hcn.CreateLoadBalancerAsync(
            new HostComputeLoadBalancer
            {
                HostComputeEndpoints = [pod],
                FrontendVips = ["10.96.9.9"],
                PortMappings = [new LoadBalancerPortMapping { Protocol = ProtocolType.Tcp, ExternalPort = 80, InternalPort = 8080 }],
            },
            CancellationToken.None);
        var foreignRemote = await node.Hcn.CreateEndpointAsync(
            node.NetworkId,
            new HostComputeEndpoint { Flags = EndpointFlags.RemoteEndpoint, IpConfigurations = [new IpConfig { IpAddress = "10.244.3.3" }] },
            CancellationToken.None);
        node.Hcn.ResetCallCounts();

        await node.PassAsync();

        Assert.That(node.Writes, Is.Zero);
        Assert.That((await node.LoadBalancersAsync()).Single().Id, Is.EqualTo(foreign.Id));
        Assert.That((await node.RemoteEndpointsAsync()).Single().Id, Is.EqualTo(foreignRemote.Id));
    }

    [Test]
    public async Task ReconcileAsync_RejectVerdictWithCapability_ProgramsLoadBalancerWithoutBackends()
    {
        var node = await WithPodsAsync(acceptsEmpty: true);
        var web = Web();

        var report = await node.PassAsync(web);

        Assert.That(web.LoadBalancers.Single().Verdict, Is.EqualTo(LoadBalancerVerdict.Reject));
        Assert.That(report.Created, Is.EqualTo(1));
        Assert.That((await node.LoadBalancersAsync()).Single().HostComputeEndpoints ?? [], Is.Empty);
    }

    [Test]
    public async Task ReconcileAsync_RejectVerdictWithoutCapability_CreatesNothingAndSaysWhy()
    {
        var node = await WithPodsAsync();

        var report = await node.PassAsync(Web());

        Assert.That(node.Hcn.GetCallCount(MemoryHcnOperation.CreateLoadBalancer), Is.Zero);
        var status = report.Services.Single().LoadBalancers.Single();
        Assert.That(status.Outcome, Is.EqualTo(LoadBalancerOutcome.NotProgrammed));
        Assert.That(status.Reason, Does.Contain("Reject").And.Contain("without backends"));
    }

    [Test]
    public async Task ReconcileAsync_LastBackendGoneWithoutCapability_DeletesTheLoadBalancer()
    {
        var node = await WithPodsAsync();
        await node.PassAsync(Web(Local(H.LocalPodA)));

        var report = await node.PassAsync(Web());

        Assert.That(report.Deleted, Is.EqualTo(1));
        Assert.That(await node.LoadBalancersAsync(), Is.Empty);
    }

    [Test]
    public async Task ReconcileAsync_BackendMovedFromRemoteToLocal_EndpointDeletedOnlyAfterTheLoadBalancerChanged()
    {
        var node = await WithPodsAsync();
        await node.PassAsync(Web(Remote(H.RemotePodA)));
        node.Recorder.Clear();

        await node.PassAsync(Web(Local(H.LocalPodA)));

        var writes = node.Recorder.Completed.Where(o => !o.StartsWith("Enumerate", StringComparison.Ordinal)).ToList();
        Assert.That(writes, Is.EqualTo(new[] { "ModifyLoadBalancer", "DeleteEndpoint" }));
    }

    [Test]
    public async Task ReconcileAsync_NewRemoteBackend_EndpointCreatedBeforeTheLoadBalancer()
    {
        var node = await WithPodsAsync();

        await node.PassAsync(Web(Remote(H.RemotePodA)));

        var writes = node.Recorder.Completed.Where(o => o.StartsWith("Create", StringComparison.Ordinal)).ToList();
        Assert.That(writes, Is.EqualTo(new[] { "CreateEndpoint", "CreateEndpoint", "CreateLoadBalancer" }), "the backend's and the ClusterIP's endpoints, then the load balancer");
    }

    [Test]
    public async Task ReconcileAsync_HnsRefusesModify_RecreatesAndStopsTryingModify()
    {
        var node = await WithPodsAsync();
        await node.PassAsync(Web(Local(H.LocalPodA)));
        node.Hcn.FailNext(MemoryHcnOperation.ModifyLoadBalancer, 1, HcnErrorCodes.NotImplemented);

        var first = await node.PassAsync(Web(Local(H.LocalPodA), Local(H.LocalPodB)));
        node.Hcn.ResetCallCounts();
        var second = await node.PassAsync(Web(Local(H.LocalPodB)));

        Assert.That((first.Recreated, second.Recreated), Is.EqualTo((1, 1)));
        Assert.That(node.Hcn.GetCallCount(MemoryHcnOperation.ModifyLoadBalancer), Is.Zero);
    }
}
