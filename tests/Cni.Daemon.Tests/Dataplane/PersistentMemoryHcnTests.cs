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
    public async Task MutatingCall_WhenItReturns_LogOnDiskIncludesIt()
    {
        using var hcn = await OpenAsync();
        var network = await hcn.CreateNetworkAsync(Network(), CancellationToken.None);

        var log = await File.ReadAllTextAsync(hcn.LogPath);

        Assert.That(log, Does.Contain(network.Id.ToString("D")).And.EndWith("\n"));
        Assert.That(File.Exists(SnapshotPath), Is.False, "a create appends a record; it does not rewrite the snapshot");
        Assert.That(File.Exists(SnapshotPath + ".tmp"), Is.False);
    }

    [Test]
    public async Task FailedCall_InjectedFault_StateAndFilesUnchanged()
    {
        using var hcn = await OpenAsync();
        var network = await hcn.CreateNetworkAsync(Network(), CancellationToken.None);
        var before = await File.ReadAllTextAsync(hcn.LogPath);
        hcn.Inner.FailNext(MemoryHcnOperation.CreateEndpoint, 1, Cni.Hcn.Errors.HcnErrorCodes.RpcServerUnavailable);

        Assert.ThrowsAsync<Cni.Hcn.Errors.HcnException>(() => hcn.CreateEndpointAsync(network.Id, new HostComputeEndpoint { Name = "a" }, CancellationToken.None));

        Assert.That(await File.ReadAllTextAsync(hcn.LogPath), Is.EqualTo(before));
        Assert.That(File.Exists(SnapshotPath), Is.False);
    }

    [Test]
    public async Task OpenAsync_LogOnly_ReplaysEveryRecordInOrder()
    {
        Guid networkId, endpointId, nsId;
        string logPath;
        using (var first = await OpenAsync())
        {
            networkId = (await first.CreateNetworkAsync(Network(), CancellationToken.None)).Id;
            endpointId = (await first.CreateEndpointAsync(networkId, new HostComputeEndpoint { Name = "a", IpConfigurations = [new IpConfig { IpAddress = "10.244.1.5" }] }, CancellationToken.None)).Id;
            nsId = (await first.CreateNamespaceAsync(new HostComputeNamespace { Type = NamespaceType.Host }, CancellationToken.None)).Id;
            await ((Cni.Hcn.IHcn)first).AddNamespaceEndpointAsync(nsId, endpointId, CancellationToken.None);
            await ((Cni.Hcn.IHcn)first).RemoveNamespaceEndpointAsync(nsId, endpointId, CancellationToken.None);
            await ((Cni.Hcn.IHcn)first).AddNamespaceEndpointAsync(nsId, endpointId, CancellationToken.None);
            logPath = first.LogPath;
        }

        Assert.That(File.Exists(SnapshotPath), Is.False);
        Assert.That(await File.ReadAllLinesAsync(logPath), Has.Length.EqualTo(6), "one record per mutating call");

        using var second = await OpenAsync();
        var endpoint = await second.GetEndpointAsync(endpointId, CancellationToken.None);
        var ns = await second.GetNamespaceAsync(nsId, CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(endpoint.HostComputeNamespace, Is.EqualTo(nsId));
            Assert.That(ns.Resources!.Select(r => r.GetEndpointId()), Is.EqualTo(new Guid?[] { endpointId }));
        });
    }

    [Test]
    public async Task OpenAsync_TornLastLogLine_IgnoredAndTrimmedSoLaterRecordsReplay()
    {
        Guid networkId;
        string logPath;
        using (var first = await OpenAsync())
        {
            networkId = (await first.CreateNetworkAsync(Network(), CancellationToken.None)).Id;
            logPath = first.LogPath;
        }

        await File.AppendAllTextAsync(logPath, "{\"op\":\"put\",\"kind\":\"endpoint\",\"id\":\"6f1e5c34-00");

        Guid endpointId;
        using (var second = await OpenAsync())
        {
            Assert.That(await second.EnumerateEndpointsAsync(null, CancellationToken.None), Is.Empty);
            endpointId = (await second.CreateEndpointAsync(networkId, new HostComputeEndpoint { Name = "a" }, CancellationToken.None)).Id;
        }

        using var third = await OpenAsync();
        Assert.That((await third.EnumerateEndpointsAsync(null, CancellationToken.None)).Select(e => e.Id), Is.EqualTo(new[] { endpointId }));
    }

    [Test]
    public async Task OpenAsync_CorruptMiddleLogLine_StartupErrorNamingTheLog()
    {
        string logPath;
        using (var first = await OpenAsync())
        {
            var network = await first.CreateNetworkAsync(Network(), CancellationToken.None);
            await first.CreateEndpointAsync(network.Id, new HostComputeEndpoint { Name = "a" }, CancellationToken.None);
            logPath = first.LogPath;
        }

        var lines = await File.ReadAllLinesAsync(logPath);
        await File.WriteAllLinesAsync(logPath, [lines[0], "{\"op\":\"put\",\"kind\":\"endp", lines[1]]);

        var error = Assert.ThrowsAsync<DaemonStartupException>(OpenAsync);

        Assert.That(error!.Message, Does.Contain(logPath).And.Contain("line 2").And.Contain("delet"));
    }

    [Test]
    public async Task Compaction_LogPastThreshold_SnapshotOfNextGenerationAndOneFreshLog()
    {
        List<Guid> created = [];
        Guid networkId;
        using (var first = await PersistentMemoryHcn.OpenAsync(_stateDir, new MemoryHcn(), 4096, CancellationToken.None))
        {
            networkId = (await first.CreateNetworkAsync(Network(), CancellationToken.None)).Id;
            for (var i = 10; i < 40; i++)
            {
                created.Add((await first.CreateEndpointAsync(networkId, new HostComputeEndpoint { Name = $"e{i}", IpConfigurations = [new IpConfig { IpAddress = $"10.244.1.{i}" }] }, CancellationToken.None)).Id);
            }

            Assert.That(new FileInfo(first.LogPath).Length, Is.LessThanOrEqualTo(4096));
            Assert.That(Directory.GetFiles(_stateDir, "memory-hcn.*.log"), Is.EqualTo(new[] { first.LogPath }), "older generations' logs are gone");
        }

        var snapshot = await File.ReadAllTextAsync(SnapshotPath);
        Assert.That(snapshot, Does.Contain("\"generation\":").And.Not.Contain("\"generation\":0"));

        using var second = await OpenAsync();
        Assert.That((await second.EnumerateEndpointsAsync(null, CancellationToken.None)).Select(e => e.Id), Is.EquivalentTo(created));
        Assert.That((await second.EnumerateNetworksAsync(null, CancellationToken.None)).Select(n => n.Id), Is.EqualTo(new[] { networkId }));
    }

    [Test]
    public async Task Restart_AfterCompaction_ReplaysOnlyTheNewGenerationsLog()
    {
        Guid networkId, kept, deleted, later;
        string staleLog;
        using (var first = await OpenAsync())
        {
            staleLog = first.LogPath;
            networkId = (await first.CreateNetworkAsync(Network(), CancellationToken.None)).Id;
            kept = (await first.CreateEndpointAsync(networkId, new HostComputeEndpoint { Name = "kept" }, CancellationToken.None)).Id;
            var staleLines = await File.ReadAllTextAsync(staleLog);
            await first.FlushAsync(CancellationToken.None);
            Assert.That(first.LogPath, Is.Not.EqualTo(staleLog));
            Assert.That(File.Exists(staleLog), Is.False);
            deleted = (await first.CreateEndpointAsync(networkId, new HostComputeEndpoint { Name = "deleted" }, CancellationToken.None)).Id;
            await first.DeleteEndpointAsync(deleted, CancellationToken.None);
            later = (await first.CreateEndpointAsync(networkId, new HostComputeEndpoint { Name = "later" }, CancellationToken.None)).Id;

            // A crash between the snapshot's rename and the old log's removal leaves the old generation behind.
            await File.WriteAllTextAsync(staleLog, staleLines + "{\"op\":\"delete\",\"kind\":\"network\",\"id\":\"" + networkId.ToString("D") + "\"}\n");
        }

        using var second = await OpenAsync();
        Assert.That((await second.EnumerateEndpointsAsync(null, CancellationToken.None)).Select(e => e.Id), Is.EquivalentTo(new[] { kept, later }));
        Assert.That(File.Exists(staleLog), Is.False, "a stale generation's log is deleted on open");
    }

    [Test]
    public async Task DeleteAttachedEndpoint_ThenRestart_NamespaceAndLoadBalancerNoLongerReferToIt()
    {
        Guid nsId, endpointId, loadBalancerId;
        using (var first = await OpenAsync())
        {
            var network = await first.CreateNetworkAsync(Network(), CancellationToken.None);
            endpointId = (await first.CreateEndpointAsync(network.Id, new HostComputeEndpoint { Name = "a" }, CancellationToken.None)).Id;
            nsId = (await first.CreateNamespaceAsync(new HostComputeNamespace { Type = NamespaceType.Host }, CancellationToken.None)).Id;
            await ((Cni.Hcn.IHcn)first).AddNamespaceEndpointAsync(nsId, endpointId, CancellationToken.None);
            loadBalancerId = (await first.CreateLoadBalancerAsync(new HostComputeLoadBalancer
            {
                HostComputeEndpoints = [endpointId],
                FrontendVips = ["10.96.0.10"],
                PortMappings = [new LoadBalancerPortMapping { Protocol = ProtocolType.Tcp, InternalPort = 80, ExternalPort = 80 }],
            }, CancellationToken.None)).Id;
            await first.DeleteEndpointAsync(endpointId, CancellationToken.None);
        }

        using var second = await OpenAsync();
        var ns = await second.GetNamespaceAsync(nsId, CancellationToken.None);
        var loadBalancer = await second.GetLoadBalancerAsync(loadBalancerId, CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(ns.Resources ?? [], Is.Empty);
            Assert.That(loadBalancer.HostComputeEndpoints ?? [], Does.Not.Contain(endpointId));
        });
    }

    [Test]
    public async Task DeleteEndpointAndNamespace_AppendDeleteRecords_NoSnapshotPerDel()
    {
        using var hcn = await OpenAsync();
        var network = await hcn.CreateNetworkAsync(Network(), CancellationToken.None);
        await hcn.FlushAsync(CancellationToken.None);
        var snapshotBefore = File.GetLastWriteTimeUtc(SnapshotPath);
        var generationLog = hcn.LogPath;
        var endpointId = (await hcn.CreateEndpointAsync(network.Id, new HostComputeEndpoint { Name = "a" }, CancellationToken.None)).Id;
        var nsId = (await hcn.CreateNamespaceAsync(new HostComputeNamespace { Type = NamespaceType.Host }, CancellationToken.None)).Id;
        await ((Cni.Hcn.IHcn)hcn).AddNamespaceEndpointAsync(nsId, endpointId, CancellationToken.None);

        await hcn.DeleteEndpointAsync(endpointId, CancellationToken.None);
        await hcn.DeleteNamespaceAsync(nsId, CancellationToken.None);

        var log = File.ReadAllLines(hcn.LogPath);
        Assert.Multiple(() =>
        {
            Assert.That(hcn.LogPath, Is.EqualTo(generationLog), "no compaction");
            Assert.That(File.GetLastWriteTimeUtc(SnapshotPath), Is.EqualTo(snapshotBefore));
            Assert.That(log.Count(l => l.Contains("\"op\":\"delete\"", StringComparison.Ordinal)), Is.EqualTo(2));
        });
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
