using Cni.Daemon.Dataplane;
using Cni.Daemon.Hosting;
using Cni.Hcn.Json;
using Cni.Hcn.Memory;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;

namespace Cni.Daemon.Tests.Dataplane;

[TestFixture]
public sealed class PersistentMemoryHcnTests
{
    private string _stateDir = null!;

    [SetUp]
    public void CreateStateDir() => _stateDir = Directory.CreateTempSubdirectory("wcni-pm-").FullName;

    [TearDown]
    public void DeleteStateDir() => Directory.Delete(_stateDir, recursive: true);

    private string SnapshotPath => Path.Combine(_stateDir, PersistentMemoryHcn.FileName);

    private Task<PersistentMemoryHcn> OpenAsync() => PersistentMemoryHcn.OpenAsync(_stateDir, new MemoryHcn(), CancellationToken.None);

    private static HostComputeNetwork Network() => new()
    {
        Name = "wincni",
        Type = NetworkType.L2Bridge,
        Ipams = [new Ipam { Subnets = [new Subnet { IpAddressPrefix = "10.244.1.0/24", Routes = [new Route { NextHop = "10.244.1.1", DestinationPrefix = "0.0.0.0/0" }] }] }],
    };

    [Test]
    public async Task OpenAsync_AfterRestart_RecreatesEveryObjectWithItsIdAndAttachments()
    {
        HostComputeNetwork network;
        HostComputeEndpoint attached, detached;
        HostComputeNamespace ns;
        HostComputeLoadBalancer loadBalancer;
        HostComputeRoute route;
        using (var first = await OpenAsync())
        {
            network = await first.CreateNetworkAsync(Network(), CancellationToken.None);
            attached = await first.CreateEndpointAsync(network.Id, new HostComputeEndpoint
            {
                Name = "wincni_wincni_a_eth0",
                IpConfigurations = [new IpConfig { IpAddress = "10.244.1.5", PrefixLength = 24 }],
                Policies = [EndpointPolicy.Create(new PortMappingPolicySetting { Protocol = ProtocolType.Tcp, InternalPort = 80, ExternalPort = 8080 })],
            }, CancellationToken.None);
            detached = await first.CreateEndpointAsync(network.Id, new HostComputeEndpoint
            {
                Name = "wincni_wincni_b_eth0",
                IpConfigurations = [new IpConfig { IpAddress = "10.244.1.6", PrefixLength = 24 }],
            }, CancellationToken.None);
            ns = await first.CreateNamespaceAsync(new HostComputeNamespace { Type = NamespaceType.Host }, CancellationToken.None);
            await ((Cni.Hcn.IHcn)first).AddNamespaceEndpointAsync(ns.Id, attached.Id, CancellationToken.None);
            loadBalancer = await first.CreateLoadBalancerAsync(new HostComputeLoadBalancer
            {
                HostComputeEndpoints = [attached.Id, detached.Id],
                FrontendVips = ["10.96.0.10"],
                PortMappings = [new LoadBalancerPortMapping { Protocol = ProtocolType.Tcp, InternalPort = 80, ExternalPort = 80 }],
            }, CancellationToken.None);
            route = await first.CreateSdnRouteAsync(new HostComputeRoute
            {
                HostComputeEndpoints = [detached.Id],
                Routes = [new SdnRoutePolicySetting { DestinationPrefix = "10.96.0.0/12", NextHop = "10.244.1.1" }],
            }, CancellationToken.None);
        }

        using var second = await OpenAsync();
        var endpoints = await second.EnumerateEndpointsAsync(null, CancellationToken.None);
        var restoredAttached = await second.GetEndpointAsync(attached.Id, CancellationToken.None);
        var restoredNamespace = await second.GetNamespaceAsync(ns.Id, CancellationToken.None);
        var restoredNetwork = await second.GetNetworkAsync(network.Id, CancellationToken.None);
        var restoredDetached = await second.GetEndpointAsync(detached.Id, CancellationToken.None);
        var restoredLoadBalancer = await second.GetLoadBalancerAsync(loadBalancer.Id, CancellationToken.None);
        var restoredRoute = await second.GetSdnRouteAsync(route.Id, CancellationToken.None);
        var restoreCalls = second.Inner.TotalCallCount - 7; // the seven reads above

        Assert.Multiple(() =>
        {
            Assert.That(HcnJson.JsonEquals(restoredNetwork, network), Is.True);
            Assert.That(endpoints.Select(e => e.Id), Is.EquivalentTo(new[] { attached.Id, detached.Id }));
            Assert.That(restoredAttached.HostComputeNamespace, Is.EqualTo(ns.Id));
            Assert.That(restoredAttached.MacAddress, Is.EqualTo(attached.MacAddress));
            Assert.That(restoredAttached.IpConfigurations![0].IpAddress, Is.EqualTo("10.244.1.5"));
            Assert.That(restoredAttached.Policies, Has.Count.EqualTo(1));
            Assert.That(restoredNamespace.NamespaceId, Is.EqualTo(ns.NamespaceId));
            Assert.That(restoredNamespace.Resources!.Select(r => r.GetEndpointId()), Is.EqualTo(new Guid?[] { attached.Id }));
            Assert.That(restoredDetached.HostComputeNamespace, Is.EqualTo(Guid.Empty));
            Assert.That(HcnJson.JsonEquals(restoredLoadBalancer, loadBalancer), Is.True);
            Assert.That(HcnJson.JsonEquals(restoredRoute, route), Is.True);
            Assert.That(restoreCalls, Is.Zero, "the restore's own calls are not counted");
        });
    }

    [Test]
    public async Task OpenAsync_AfterRestart_KeepsEmulatorRules()
    {
        Guid networkId;
        using (var first = await OpenAsync())
        {
            networkId = (await first.CreateNetworkAsync(Network(), CancellationToken.None)).Id;
            await first.CreateEndpointAsync(networkId, new HostComputeEndpoint { Name = "a", IpConfigurations = [new IpConfig { IpAddress = "10.244.1.5" }] }, CancellationToken.None);
        }

        using var second = await OpenAsync();

        // The restored address book still knows 10.244.1.5 is taken.
        var duplicate = Assert.ThrowsAsync<Cni.Hcn.Errors.HcnException>(() =>
            second.CreateEndpointAsync(networkId, new HostComputeEndpoint { Name = "b", IpConfigurations = [new IpConfig { IpAddress = "10.244.1.5" }] }, CancellationToken.None));
        Assert.That(duplicate!.HResult, Is.EqualTo(Cni.Hcn.Errors.HcnErrorCodes.AddrInvalidOrReserved));
    }

    [Test]
    public async Task DeleteAsync_ThenRestart_ObjectStaysDeleted()
    {
        Guid networkId;
        using (var first = await OpenAsync())
        {
            networkId = (await first.CreateNetworkAsync(Network(), CancellationToken.None)).Id;
            var endpoint = await first.CreateEndpointAsync(networkId, new HostComputeEndpoint { Name = "a" }, CancellationToken.None);
            await first.DeleteEndpointAsync(endpoint.Id, CancellationToken.None);
        }

        using var second = await OpenAsync();

        Assert.That(await second.EnumerateEndpointsAsync(null, CancellationToken.None), Is.Empty);
        Assert.That(await second.EnumerateNetworksAsync(null, CancellationToken.None), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task MutatingCall_WhenItReturns_SnapshotOnDiskIncludesIt()
    {
        using var hcn = await OpenAsync();
        var network = await hcn.CreateNetworkAsync(Network(), CancellationToken.None);

        var snapshot = await File.ReadAllTextAsync(SnapshotPath);

        Assert.That(snapshot, Does.Contain(network.Id.ToString("D")));
        Assert.That(File.Exists(SnapshotPath + ".tmp"), Is.False);
    }

    [Test]
    public async Task FailedCall_InjectedFault_StateAndSnapshotUnchanged()
    {
        using var hcn = await OpenAsync();
        var network = await hcn.CreateNetworkAsync(Network(), CancellationToken.None);
        var before = await File.ReadAllTextAsync(SnapshotPath);
        hcn.Inner.FailNext(MemoryHcnOperation.CreateEndpoint, 1, Cni.Hcn.Errors.HcnErrorCodes.RpcServerUnavailable);

        Assert.ThrowsAsync<Cni.Hcn.Errors.HcnException>(() => hcn.CreateEndpointAsync(network.Id, new HostComputeEndpoint { Name = "a" }, CancellationToken.None));

        Assert.That(await File.ReadAllTextAsync(SnapshotPath), Is.EqualTo(before));
    }

    [Test]
    public async Task OpenAsync_TornTempFileLeftByACrash_IgnoredAndRemoved()
    {
        Guid networkId;
        using (var first = await OpenAsync())
        {
            networkId = (await first.CreateNetworkAsync(Network(), CancellationToken.None)).Id;
        }

        await File.WriteAllTextAsync(SnapshotPath + ".tmp", "{\"version\":1,\"networks\":[{\"ID\":\"garb");

        using var second = await OpenAsync();

        Assert.That((await second.EnumerateNetworksAsync(null, CancellationToken.None)).Select(n => n.Id), Is.EqualTo(new[] { networkId }));
        Assert.That(File.Exists(SnapshotPath + ".tmp"), Is.False);
    }

    [TestCase("{\"version\":1,\"networks\":[{\"ID\":\"garb", TestName = "OpenAsync_TruncatedSnapshot_StartupErrorNamingTheFile")]
    [TestCase("not json at all", TestName = "OpenAsync_GarbageSnapshot_StartupErrorNamingTheFile")]
    [TestCase("{\"version\":7,\"networks\":[],\"endpoints\":[],\"namespaces\":[],\"loadBalancers\":[],\"sdnRoutes\":[]}", TestName = "OpenAsync_UnknownSnapshotVersion_StartupErrorNamingTheFile")]
    [TestCase("{\"version\":1,\"networks\":[],\"endpoints\":[{\"ID\":\"6f1e5c34-0000-4000-8000-000000000001\",\"HostComputeNetwork\":\"6f1e5c34-0000-4000-8000-000000000002\"}],\"namespaces\":[],\"loadBalancers\":[],\"sdnRoutes\":[]}", TestName = "OpenAsync_EndpointOfMissingNetwork_StartupErrorNamingTheFile")]
    public async Task OpenAsync_CorruptSnapshot_StartupErrorNamingTheFile(string content)
    {
        await File.WriteAllTextAsync(SnapshotPath, content);

        var error = Assert.ThrowsAsync<DaemonStartupException>(OpenAsync);

        Assert.That(error!.Message, Does.Contain(SnapshotPath).And.Contain("delete"));
    }

    [Test]
    public async Task ConcurrentMutations_AllReturned_SnapshotHoldsEveryOne()
    {
        using var hcn = await OpenAsync();
        var network = await hcn.CreateNetworkAsync(Network(), CancellationToken.None);

        var created = await Task.WhenAll(Enumerable.Range(10, 100).Select(i => hcn.CreateEndpointAsync(
            network.Id,
            new HostComputeEndpoint { Name = $"e{i}", IpConfigurations = [new IpConfig { IpAddress = $"10.244.1.{i}" }] },
            CancellationToken.None)));

        using var restored = await PersistentMemoryHcn.OpenAsync(_stateDir, new MemoryHcn(), CancellationToken.None);
        var endpoints = await restored.EnumerateEndpointsAsync(null, CancellationToken.None);
        Assert.That(endpoints.Select(e => e.Id), Is.EquivalentTo(created.Select(e => e.Id)));
    }
}
