using Cni.Hcn.Errors;
using System.Text.Json;
using Cni.Hcn.Json;
using Cni.Hcn.Memory;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Tests.Memory;

[TestFixture]
public sealed class MemoryHcnStoreTests
{
    private string _stateDir = null!;

    [SetUp]
    public void CreateStateDir() => _stateDir = Directory.CreateTempSubdirectory("wcni-pm-").FullName;

    [TearDown]
    public void DeleteStateDir() => Directory.Delete(_stateDir, recursive: true);

    private string SnapshotPath => Path.Combine(_stateDir, MemoryHcnStore.FileName);

    private Task<MemoryHcn> OpenAsync() => OpenAsync(new MemoryHcnStoreOptions());

    private async Task<MemoryHcn> OpenAsync(MemoryHcnStoreOptions options, Action<string, Guid, Exception>? onRestoreFailure = null)
    {
        Store = new MemoryHcnStore(_stateDir, options);
        var hcn = new MemoryHcn(null, null, Store);
        try
        {
            await hcn.LoadAsync(onRestoreFailure, CancellationToken.None);
            return hcn;
        }
        catch
        {
            hcn.Dispose();
            throw;
        }
    }

    /// <summary>The store of the emulator opened last.</summary>
    private MemoryHcnStore Store { get; set; } = null!;

    private static HostComputeNetwork Network() => new()
    {
        Name = "wincni",
        Type = NetworkType.L2Bridge,
        Ipams = [new Ipam { Subnets = [new Subnet { IpAddressPrefix = "10.244.1.0/24", Routes = [new Route { NextHop = "10.244.1.1", DestinationPrefix = "0.0.0.0/0" }] }] }],
    };

    [Test]
    [Platform(Exclude = "Win", Reason = "Unix file modes; on Windows the state directory's ACL decides")]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task WriteChanges_LooseDirectoryAndUmask_DirectoryIs0700AndEveryFile0600()
    {
        // Made 0777 by someone else, as a umask of 000 would: the objects name pods' namespaces and addresses.
        File.SetUnixFileMode(_stateDir, (UnixFileMode)0b111_111_111);
        using (var hcn = await OpenAsync(new MemoryHcnStoreOptions { CompactionThresholdBytes = 1 }))
        {
            var network = await hcn.CreateNetworkAsync(Network(), CancellationToken.None);
            await hcn.CreateEndpointAsync(network.Id, new HostComputeEndpoint
            {
                Name = "wincni_wincni_a_eth0",
                IpConfigurations = [new IpConfig { IpAddress = "10.244.1.5", PrefixLength = 24 }],
            }, CancellationToken.None);
        }

        Assert.That(File.GetUnixFileMode(_stateDir), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));
        var files = Directory.GetFiles(_stateDir);
        Assert.That(files, Has.Some.EndsWith(MemoryHcnStore.FileName), "a snapshot was written");
        Assert.That(files.ToDictionary(f => Path.GetFileName(f), File.GetUnixFileMode), Has.All.Property("Value").EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    [Test]
    public async Task CreateNetwork_StateDiskFull_DiskFullNamingEnospcNotHnsEventLogs()
    {
        using var hcn = await OpenAsync();
        Store.FailNextWrites(1, () => new IOException("No space left on device : '" + _stateDir + "'", 28));

        var ex = Assert.ThrowsAsync<HcnException>(() => hcn.CreateNetworkAsync(Network(), CancellationToken.None));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.DiskFull));
        Assert.That(ex.Message, Does.Contain("ENOSPC: the file system holding " + _stateDir + " is full").And.Contain("df -h"));
        Assert.That(ex.Message, Does.Not.Contain("event log"));
    }

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
        var restoreCalls = second.TotalCallCount - 7; // the seven reads above

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

        var log = await File.ReadAllTextAsync(Store.LogPath);

        Assert.That(log, Does.Contain(network.Id.ToString("D")).And.EndWith("\n"));
        Assert.That(File.Exists(SnapshotPath), Is.False, "a create appends a record; it does not rewrite the snapshot");
        Assert.That(File.Exists(SnapshotPath + ".tmp"), Is.False);
    }

    [Test]
    public async Task FailedCall_InjectedFault_StateAndFilesUnchanged()
    {
        using var hcn = await OpenAsync();
        var network = await hcn.CreateNetworkAsync(Network(), CancellationToken.None);
        var before = await File.ReadAllTextAsync(Store.LogPath);
        hcn.FailNext(MemoryHcnOperation.CreateEndpoint, 1, Cni.Hcn.Errors.HcnErrorCodes.RpcServerUnavailable);

        Assert.ThrowsAsync<Cni.Hcn.Errors.HcnException>(() => hcn.CreateEndpointAsync(network.Id, new HostComputeEndpoint { Name = "a" }, CancellationToken.None));

        Assert.That(await File.ReadAllTextAsync(Store.LogPath), Is.EqualTo(before));
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
            logPath = Store.LogPath;
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
            logPath = Store.LogPath;
        }

        await File.AppendAllTextAsync(logPath, "{\"changes\":[{\"kind\":\"endpoint\",\"id\":\"6f1e5c34-00");

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
    public async Task OpenAsync_CorruptMiddleLogLine_StateErrorNamingTheLog()
    {
        string logPath;
        using (var first = await OpenAsync())
        {
            var network = await first.CreateNetworkAsync(Network(), CancellationToken.None);
            await first.CreateEndpointAsync(network.Id, new HostComputeEndpoint { Name = "a" }, CancellationToken.None);
            logPath = Store.LogPath;
        }

        var lines = await File.ReadAllLinesAsync(logPath);
        await File.WriteAllLinesAsync(logPath, [lines[0], "{\"changes\":[{\"kind\":\"endp", lines[1]]);

        var error = Assert.ThrowsAsync<HcnStateException>(OpenAsync);

        Assert.That(error!.Message, Does.Contain(logPath).And.Contain("line 2").And.Contain("delet"));
    }

    [Test]
    public async Task DeleteEndpointAsync_AfterRestart_StillLeavesTheRestoredLoadBalancers()
    {
        Guid endpointId, loadBalancerId;
        using (var first = await OpenAsync())
        {
            var network = await first.CreateNetworkAsync(Network(), CancellationToken.None);
            endpointId = (await first.CreateEndpointAsync(network.Id, new HostComputeEndpoint { Name = "e", IpConfigurations = [new IpConfig { IpAddress = "10.244.1.5" }] }, CancellationToken.None)).Id;
            loadBalancerId = (await first.CreateLoadBalancerAsync(new HostComputeLoadBalancer
            {
                HostComputeEndpoints = [endpointId],
                FrontendVips = ["10.96.0.10"],
                PortMappings = [new LoadBalancerPortMapping { Protocol = ProtocolType.Tcp, InternalPort = 80, ExternalPort = 80 }],
            }, CancellationToken.None)).Id;
        }

        using var second = await OpenAsync();
        await second.DeleteEndpointAsync(endpointId, CancellationToken.None);

        Assert.That((await second.GetLoadBalancerAsync(loadBalancerId, CancellationToken.None)).HostComputeEndpoints, Is.Null.Or.Empty);
    }

    [Test]
    public async Task WriteChangesAsync_DeferredWritesAfterACascade_NewestStateWrittenNotTheCreatorsDocument()
    {
        Guid keptId, droppedId, loadBalancerId;
        using (var first = await OpenAsync(new MemoryHcnStoreOptions { WriteThrough = false }))
        {
            var network = await first.CreateNetworkAsync(Network(), CancellationToken.None);
            keptId = (await first.CreateEndpointAsync(network.Id, new HostComputeEndpoint { Name = "kept", IpConfigurations = [new IpConfig { IpAddress = "10.244.1.5" }] }, CancellationToken.None)).Id;
            droppedId = (await first.CreateEndpointAsync(network.Id, new HostComputeEndpoint { Name = "dropped", IpConfigurations = [new IpConfig { IpAddress = "10.244.1.6" }] }, CancellationToken.None)).Id;
            loadBalancerId = (await first.CreateLoadBalancerAsync(new HostComputeLoadBalancer
            {
                HostComputeEndpoints = [keptId, droppedId],
                FrontendVips = ["10.96.0.10"],
                PortMappings = [new LoadBalancerPortMapping { Protocol = ProtocolType.Tcp, InternalPort = 80, ExternalPort = 80 }],
            }, CancellationToken.None)).Id;

            // The load balancer's document was made by its create; the delete below changes it before any write.
            await first.DeleteEndpointAsync(droppedId, CancellationToken.None);
            await Store.WriteChangesAsync(CancellationToken.None);
        }

        using var second = await OpenAsync();
        var restored = await second.GetLoadBalancerAsync(loadBalancerId, CancellationToken.None);
        Assert.That(restored.HostComputeEndpoints, Is.EqualTo(new[] { keptId }));
        Assert.That((await second.EnumerateEndpointsAsync(null, CancellationToken.None)).Select(e => e.Id), Is.EqualTo(new[] { keptId }));
    }

    [Test]
    public async Task Compaction_LogPastThreshold_SnapshotOfNextGenerationAndOneFreshLog()
    {
        List<Guid> created = [];
        Guid networkId;
        using (var first = await OpenAsync(new MemoryHcnStoreOptions { CompactionThresholdBytes = 4096 }))
        {
            networkId = (await first.CreateNetworkAsync(Network(), CancellationToken.None)).Id;
            for (var i = 10; i < 40; i++)
            {
                created.Add((await first.CreateEndpointAsync(networkId, new HostComputeEndpoint { Name = $"e{i}", IpConfigurations = [new IpConfig { IpAddress = $"10.244.1.{i}" }] }, CancellationToken.None)).Id);
                await Store.WaitForCompactionAsync();
            }

            await Store.WaitForCompactionAsync();
            Assert.That(Store.LastCompactionError, Is.Null);
            // (The log may now be past the threshold by what was written while the last snapshot was being written.)
            Assert.That(GenerationOf(Store.LogPath), Is.GreaterThan(1), "compacted more than once");
            Assert.That(Directory.GetFiles(_stateDir, "memory-hcn.*.log"), Is.EqualTo(new[] { Store.LogPath }), "older generations' logs are gone");
        }

        var snapshot = await File.ReadAllTextAsync(SnapshotPath);
        Assert.That(snapshot, Does.Contain("\"generation\":").And.Not.Contain("\"generation\":0"));

        using var second = await OpenAsync();
        Assert.That((await second.EnumerateEndpointsAsync(null, CancellationToken.None)).Select(e => e.Id), Is.EquivalentTo(created));
        Assert.That((await second.EnumerateNetworksAsync(null, CancellationToken.None)).Select(n => n.Id), Is.EqualTo(new[] { networkId }));
    }

    [Test]
    public async Task Compaction_ManyObjects_SnapshotBytesWrittenStayLinearInTheLog()
    {
        // With a fixed threshold every compaction rewrites an ever larger snapshot (quadratic); the log may grow to
        // the snapshot's size, so all snapshots together stay within about twice the bytes logged.
        long snapshotBytesWritten;
        long lastGeneration;
        using (var store = await OpenAsync(new MemoryHcnStoreOptions { CompactionThresholdBytes = 1024 }))
        {
            var networkId = (await store.CreateNetworkAsync(Network(), CancellationToken.None)).Id;
            for (var i = 0; i < 240; i++)
            {
                await store.CreateEndpointAsync(networkId, new HostComputeEndpoint { Name = $"e{i}", IpConfigurations = [new IpConfig { IpAddress = $"10.244.1.{10 + i}" }] }, CancellationToken.None);

                // Each snapshot done before the next write (they are written in the background): the most
                // compactions these writes can cause.
                await Store.WaitForCompactionAsync();
            }

            snapshotBytesWritten = Store.SnapshotBytesWritten;
            lastGeneration = GenerationOf(Store.LogPath);
        }

        var finalSnapshot = new FileInfo(SnapshotPath).Length;
        Assert.That(lastGeneration, Is.GreaterThan(2), "compacted along the way");
        Assert.That(snapshotBytesWritten, Is.LessThan(3 * finalSnapshot), $"{lastGeneration} compactions wrote {snapshotBytesWritten} bytes for a final snapshot of {finalSnapshot}");
    }

    [Test]
    public async Task Compaction_QuietPeriodSet_BurstIsCompactedOnceAfterWritesPause()
    {
        var clock = new ManualTimeProvider();
        var created = new List<Guid>();
        using (var hcn = await OpenAsync(new MemoryHcnStoreOptions { CompactionThresholdBytes = 1024, CompactWhenQuietFor = TimeSpan.FromMilliseconds(250), TimeProvider = clock }))
        {
            var networkId = (await hcn.CreateNetworkAsync(Network(), CancellationToken.None)).Id;
            var firstLog = Store.LogPath;
            for (var i = 0; i < 60; i++)
            {
                created.Add((await hcn.CreateEndpointAsync(networkId, new HostComputeEndpoint { Name = $"e{i}", IpConfigurations = [new IpConfig { IpAddress = $"10.244.1.{10 + i}" }] }, CancellationToken.None)).Id);
                clock.Advance(TimeSpan.FromMilliseconds(100));
                await Store.WaitForCompactionAsync();
            }

            Assert.That(new FileInfo(firstLog).Length, Is.GreaterThan(8 * 1024), "the burst logged many times the threshold");
            Assert.That(Store.SnapshotBytesWritten, Is.Zero, "no snapshot while writes keep coming");
            Assert.That(Store.LogPath, Is.EqualTo(firstLog));

            clock.Advance(TimeSpan.FromMilliseconds(250));
            await Store.WaitForCompactionAsync();
            Assert.That(Store.LastCompactionError, Is.Null);
            Assert.That(Store.LogPath, Is.Not.EqualTo(firstLog), "compacted once the writes paused");
            Assert.That(Store.SnapshotBytesWritten, Is.EqualTo(new FileInfo(SnapshotPath).Length), "one snapshot for the whole burst");
        }

        using var second = await OpenAsync();
        Assert.That((await second.EnumerateEndpointsAsync(null, CancellationToken.None)).Select(e => e.Id), Is.EquivalentTo(created));
    }

    [Test]
    public async Task Compaction_QuietPeriodSetLogPastDeferredLimit_CompactsDuringTheBurst()
    {
        var clock = new ManualTimeProvider();
        using var hcn = await OpenAsync(new MemoryHcnStoreOptions
        {
            CompactionThresholdBytes = 1024, CompactWhenQuietFor = TimeSpan.FromSeconds(1), DeferredLogLimitBytes = 6 * 1024, TimeProvider = clock,
        });
        var networkId = (await hcn.CreateNetworkAsync(Network(), CancellationToken.None)).Id;
        var firstLog = Store.LogPath;
        for (var i = 0; i < 60; i++)
        {
            await hcn.CreateEndpointAsync(networkId, new HostComputeEndpoint { Name = $"e{i}", IpConfigurations = [new IpConfig { IpAddress = $"10.244.1.{10 + i}" }] }, CancellationToken.None);
            await Store.WaitForCompactionAsync();
        }

        // The clock never moved: only the limit can have started these.
        Assert.That(Store.LogPath, Is.Not.EqualTo(firstLog));
        Assert.That(Store.SnapshotBytesWritten, Is.GreaterThan(0));
        Assert.That(new FileInfo(Store.LogPath).Length, Is.LessThanOrEqualTo(MemoryHcnStore.BurstLogFactor * Math.Max(6 * 1024, new FileInfo(SnapshotPath).Length)));
    }

    [Test]
    public async Task Dispose_CompactionAwaitingQuiet_NothingWrittenAfterwards()
    {
        var clock = new ManualTimeProvider();
        var hcn = await OpenAsync(new MemoryHcnStoreOptions { CompactionThresholdBytes = 1024, CompactWhenQuietFor = TimeSpan.FromSeconds(1), TimeProvider = clock });
        var networkId = (await hcn.CreateNetworkAsync(Network(), CancellationToken.None)).Id;
        for (var i = 0; i < 20; i++)
        {
            await hcn.CreateEndpointAsync(networkId, new HostComputeEndpoint { Name = $"e{i}", IpConfigurations = [new IpConfig { IpAddress = $"10.244.1.{10 + i}" }] }, CancellationToken.None);
        }

        var files = Directory.GetFiles(_stateDir).Order(StringComparer.Ordinal).ToList();
        hcn.Dispose();
        Assert.DoesNotThrow(() => clock.Advance(TimeSpan.FromSeconds(2)));
        Assert.That(Directory.GetFiles(_stateDir).Order(StringComparer.Ordinal), Is.EqualTo(files));
        Assert.That(File.Exists(SnapshotPath), Is.False);
    }

    [Test]
    public async Task LoadAsync_CompactionCutBeforeItsSnapshot_ReplaysBothLogsInOrder()
    {
        // What a kill leaves while a background compaction writes its snapshot: snapshot n, log n, and log n+1
        // holding the writes made since the switch. Both logs are read, in order, and log n+1 stays the current one.
        Guid networkId, kept, deletedLater;
        string logN;
        using (var first = await OpenAsync())
        {
            networkId = (await first.CreateNetworkAsync(Network(), CancellationToken.None)).Id;
            kept = (await first.CreateEndpointAsync(networkId, new HostComputeEndpoint { Name = "kept" }, CancellationToken.None)).Id;
            deletedLater = (await first.CreateEndpointAsync(networkId, new HostComputeEndpoint { Name = "deleted later" }, CancellationToken.None)).Id;
            logN = Store.LogPath;
        }

        var logNext = Path.Combine(_stateDir, $"memory-hcn.{GenerationOf(logN) + 1}.log");
        await File.WriteAllTextAsync(logNext, "{\"changes\":[{\"kind\":\"endpoint\",\"id\":\"" + deletedLater.ToString("D") + "\",\"object\":null}]}\n");

        using (var second = await OpenAsync())
        {
            Assert.That((await second.EnumerateEndpointsAsync(null, CancellationToken.None)).Select(e => e.Id), Is.EqualTo(new[] { kept }));
            Assert.That(Store.LogPath, Is.EqualTo(logNext), "new lines follow the newer log");
            var later = (await second.CreateEndpointAsync(networkId, new HostComputeEndpoint { Name = "later" }, CancellationToken.None)).Id;

            // The owed snapshot is for the newer log's generation: once written, the older log goes.
            await Store.CompactAsync(CancellationToken.None);
            Assert.That(File.Exists(logN), Is.False);
            using var third = await ReopenAsync(second);
            Assert.That((await third.EnumerateEndpointsAsync(null, CancellationToken.None)).Select(e => e.Id), Is.EquivalentTo(new[] { kept, later }));
        }
    }

    [Test]
    public async Task Compaction_SnapshotCannotBeWritten_WritesGoOnAndTheNextCompactionRetries()
    {
        using var hcn = await OpenAsync(new MemoryHcnStoreOptions { CompactionThresholdBytes = 1024 });
        var networkId = (await hcn.CreateNetworkAsync(Network(), CancellationToken.None)).Id;

        // A directory where the temp snapshot goes: every background snapshot fails.
        var temp = SnapshotPath + ".tmp";
        Directory.CreateDirectory(temp);
        var created = new List<Guid>();
        for (var i = 0; i < 40; i++)
        {
            created.Add((await hcn.CreateEndpointAsync(networkId, new HostComputeEndpoint { Name = $"e{i}", IpConfigurations = [new IpConfig { IpAddress = $"10.244.1.{10 + i}" }] }, CancellationToken.None)).Id);
        }

        await Store.WaitForCompactionAsync();
        Assert.That(Store.LastCompactionError, Is.Not.Null, "the snapshot failed");
        var failedGeneration = GenerationOf(Store.LogPath);
        Assert.That(Directory.GetFiles(_stateDir, "memory-hcn.*.log"), Has.Length.EqualTo(2), "log n is kept while snapshot n+1 is owed");

        // What is on disk now loads whole.
        using (var copy = await OpenCopyAsync())
        {
            Assert.That((await copy.EnumerateEndpointsAsync(null, CancellationToken.None)).Select(e => e.Id), Is.EquivalentTo(created));
        }

        Directory.Delete(temp);
        for (var i = 40; i < 80; i++)
        {
            created.Add((await hcn.CreateEndpointAsync(networkId, new HostComputeEndpoint { Name = $"e{i}", IpConfigurations = [new IpConfig { IpAddress = $"10.244.1.{10 + i}" }] }, CancellationToken.None)).Id);
        }

        await Store.WaitForCompactionAsync();
        Assert.That(GenerationOf(Store.LogPath), Is.GreaterThanOrEqualTo(failedGeneration), "the owed snapshot was written for the same log, not a further one");
        Assert.That(Directory.GetFiles(_stateDir, "memory-hcn.*.log"), Is.EqualTo(new[] { Store.LogPath }));
        using var restarted = await ReopenAsync(hcn);
        Assert.That((await restarted.EnumerateEndpointsAsync(null, CancellationToken.None)).Select(e => e.Id), Is.EquivalentTo(created));
    }

    /// <summary>Disposes <paramref name="hcn"/> and opens the state directory again.</summary>
    private async Task<MemoryHcn> ReopenAsync(MemoryHcn hcn)
    {
        hcn.Dispose();
        return await OpenAsync();
    }

    /// <summary>Opens a copy of the state directory as it is now (the original stays open).</summary>
    private async Task<MemoryHcn> OpenCopyAsync()
    {
        var copy = Directory.CreateTempSubdirectory("wcni-pm-copy-").FullName;
        foreach (var file in Directory.GetFiles(_stateDir))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }

        var store = new MemoryHcnStore(copy);
        var hcn = new MemoryHcn(null, null, store);
        await hcn.LoadAsync(null, CancellationToken.None);
        Directory.Delete(copy, recursive: true);
        return hcn;
    }

    private static long GenerationOf(string logPath) =>
        long.Parse(Path.GetFileName(logPath).Split('.')[1], System.Globalization.CultureInfo.InvariantCulture);

    [Test]
    public async Task Restart_AfterCompaction_ReplaysOnlyTheNewGenerationsLog()
    {
        Guid networkId, kept, deleted, later;
        string staleLog;
        using (var first = await OpenAsync())
        {
            staleLog = Store.LogPath;
            networkId = (await first.CreateNetworkAsync(Network(), CancellationToken.None)).Id;
            kept = (await first.CreateEndpointAsync(networkId, new HostComputeEndpoint { Name = "kept" }, CancellationToken.None)).Id;
            var staleLines = await File.ReadAllTextAsync(staleLog);
            await Store.CompactAsync(CancellationToken.None);
            Assert.That(Store.LogPath, Is.Not.EqualTo(staleLog));
            Assert.That(File.Exists(staleLog), Is.False);
            deleted = (await first.CreateEndpointAsync(networkId, new HostComputeEndpoint { Name = "deleted" }, CancellationToken.None)).Id;
            await first.DeleteEndpointAsync(deleted, CancellationToken.None);
            later = (await first.CreateEndpointAsync(networkId, new HostComputeEndpoint { Name = "later" }, CancellationToken.None)).Id;

            // A crash between the snapshot's rename and the old log's removal leaves the old generation behind.
            await File.WriteAllTextAsync(staleLog, staleLines + "{\"changes\":[{\"kind\":\"network\",\"id\":\"" + networkId.ToString("D") + "\",\"object\":null}]}\n");
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
        await Store.CompactAsync(CancellationToken.None);
        var snapshotBefore = File.GetLastWriteTimeUtc(SnapshotPath);
        var generationLog = Store.LogPath;
        var endpointId = (await hcn.CreateEndpointAsync(network.Id, new HostComputeEndpoint { Name = "a" }, CancellationToken.None)).Id;
        var nsId = (await hcn.CreateNamespaceAsync(new HostComputeNamespace { Type = NamespaceType.Host }, CancellationToken.None)).Id;
        await ((Cni.Hcn.IHcn)hcn).AddNamespaceEndpointAsync(nsId, endpointId, CancellationToken.None);

        await hcn.DeleteEndpointAsync(endpointId, CancellationToken.None);
        await hcn.DeleteNamespaceAsync(nsId, CancellationToken.None);

        var log = File.ReadAllLines(Store.LogPath);
        Assert.Multiple(() =>
        {
            Assert.That(Store.LogPath, Is.EqualTo(generationLog), "no compaction");
            Assert.That(File.GetLastWriteTimeUtc(SnapshotPath), Is.EqualTo(snapshotBefore));
            Assert.That(log, Has.Length.EqualTo(5), "one line per call, the cascade included");
            Assert.That(log.Count(l => l.Contains("\"object\":null", StringComparison.Ordinal)), Is.EqualTo(2));
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

        await File.WriteAllTextAsync(SnapshotPath + ".tmp", "{\"version\":2,\"networks\":[{\"ID\":\"garb");

        using var second = await OpenAsync();

        Assert.That((await second.EnumerateNetworksAsync(null, CancellationToken.None)).Select(n => n.Id), Is.EqualTo(new[] { networkId }));
        Assert.That(File.Exists(SnapshotPath + ".tmp"), Is.False);
    }

    [TestCase("{\"version\":2,\"generation\":0,\"networks\":[{\"ID\":\"garb", TestName = "OpenAsync_TruncatedSnapshot_StateErrorNamingTheFile")]
    [TestCase("not json at all", TestName = "OpenAsync_GarbageSnapshot_StateErrorNamingTheFile")]
    [TestCase("{\"version\":7,\"generation\":0,\"networks\":[],\"endpoints\":[],\"namespaces\":[],\"loadBalancers\":[],\"sdnRoutes\":[]}", TestName = "OpenAsync_UnknownSnapshotVersion_StateErrorNamingTheFile")]
    [TestCase("{\"version\":1,\"generation\":0,\"networks\":[],\"endpoints\":[],\"namespaces\":[],\"loadBalancers\":[],\"sdnRoutes\":[]}", TestName = "OpenAsync_PreviousMemoryDataplaneVersion_StateErrorSayingItIsNotMigrated")]
    [TestCase("{\"version\":2,\"generation\":0,\"networks\":[],\"endpoints\":[{\"ID\":\"6f1e5c34-0000-4000-8000-000000000001\",\"HostComputeNetwork\":\"6f1e5c34-0000-4000-8000-000000000002\"}],\"namespaces\":[],\"loadBalancers\":[],\"sdnRoutes\":[]}", TestName = "OpenAsync_EndpointOfMissingNetwork_StateErrorNamingTheFile")]
    public async Task OpenAsync_CorruptSnapshot_StateErrorNamingTheFile(string content)
    {
        await File.WriteAllTextAsync(SnapshotPath, content);

        var error = Assert.ThrowsAsync<HcnStateException>(OpenAsync);

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

        using var restored = await OpenAsync();
        var endpoints = await restored.EnumerateEndpointsAsync(null, CancellationToken.None);
        Assert.That(endpoints.Select(e => e.Id), Is.EquivalentTo(created.Select(e => e.Id)));
    }

    [Test]
    public async Task DeleteNetwork_WithEndpoints_ThenRestart_EndpointsGoneWithoutCompaction()
    {
        using (var first = await OpenAsync())
        {
            var network = await first.CreateNetworkAsync(Network(), CancellationToken.None);
            var endpointId = (await first.CreateEndpointAsync(network.Id, new HostComputeEndpoint { Name = "a" }, CancellationToken.None)).Id;
            await first.CreateLoadBalancerAsync(new HostComputeLoadBalancer
            {
                HostComputeEndpoints = [endpointId],
                FrontendVips = ["10.96.0.10"],
                PortMappings = [new LoadBalancerPortMapping { Protocol = ProtocolType.Tcp, InternalPort = 80, ExternalPort = 80 }],
            }, CancellationToken.None);

            await first.DeleteNetworkAsync(network.Id, CancellationToken.None);

            Assert.That(File.Exists(SnapshotPath), Is.False, "the cascade is one log line, not a snapshot");
        }

        using var second = await OpenAsync(new MemoryHcnStoreOptions(), (kind, id, e) => Assert.Fail($"{kind} {id}: {e.Message}"));
        Assert.That(await second.EnumerateEndpointsAsync(null, CancellationToken.None), Is.Empty);
        Assert.That(await second.EnumerateNetworksAsync(null, CancellationToken.None), Is.Empty);
        Assert.That((await second.EnumerateLoadBalancersAsync(null, CancellationToken.None)).Single().HostComputeEndpoints ?? [], Is.Empty);
    }

    [Test]
    public async Task WriteChangesAsync_NotWriteThrough_NothingOnDiskUntilTheOwnerWrites()
    {
        using var hcn = await OpenAsync(new MemoryHcnStoreOptions { WriteThrough = false });
        var network = await hcn.CreateNetworkAsync(Network(), CancellationToken.None);
        Assert.That(File.Exists(Store.LogPath) ? await File.ReadAllTextAsync(Store.LogPath) : string.Empty, Is.Empty);

        await Store.WriteChangesAsync(CancellationToken.None);

        Assert.That(await File.ReadAllTextAsync(Store.LogPath), Does.Contain(network.Id.ToString("D")));
    }

    [Test]
    public async Task HoldBack_OtherFlowWrites_HeldChangeWaitsForItsRelease()
    {
        using var hcn = await OpenAsync(new MemoryHcnStoreOptions { WriteThrough = false });
        var network = await hcn.CreateNetworkAsync(Network(), CancellationToken.None);
        await Store.WriteChangesAsync(CancellationToken.None);
        using var held = Store.HoldBack();
        var endpoint = await hcn.CreateEndpointAsync(network.Id, new HostComputeEndpoint { Name = "a" }, CancellationToken.None);

        // Another flow's write (no scope there) must not carry the held endpoint.
        await Task.Run(() => Store.WriteChangesAsync(CancellationToken.None));
        var beforeRelease = await File.ReadAllTextAsync(Store.LogPath);
        Store.ReleaseHeld();
        await Store.WriteChangesAsync(CancellationToken.None);

        Assert.That(beforeRelease, Does.Not.Contain(endpoint.Id.ToString("D")));
        Assert.That(await File.ReadAllTextAsync(Store.LogPath), Does.Contain(endpoint.Id.ToString("D")));
    }

    [Test]
    public async Task Extension_PutThenDelete_RestartLoadsOnlyTheLiveRecords()
    {
        var records = new Dictionary<Guid, string> { [Guid.NewGuid()] = "{\"path\":\"/a\"}", [Guid.NewGuid()] = "{\"path\":\"/b\"}" };
        var (kept, dropped) = (records.Keys.First(), records.Keys.Last());
        using (var first = await OpenAsync())
        {
            Store.RegisterExtension("netns", id => records.TryGetValue(id, out var json) ? System.Text.Encoding.UTF8.GetBytes(json) : null, () => records.Keys);
            Store.MarkChanged("netns", kept);
            Store.MarkChanged("netns", dropped);
            await Store.WriteChangesAsync(CancellationToken.None);
            records.Remove(dropped);
            Store.MarkChanged("netns", dropped);
            await Store.WriteChangesAsync(CancellationToken.None);
        }

        using (var second = await OpenAsync())
        {
            var loaded = Store.GetLoadedExtension("netns");
            Assert.That(loaded.Keys, Is.EqualTo(new[] { kept }));
            Assert.That(loaded[kept].GetProperty("path").GetString(), Is.EqualTo("/a"));
            Store.RegisterExtension("netns", id => records.TryGetValue(id, out var json) ? System.Text.Encoding.UTF8.GetBytes(json) : null, () => records.Keys);
            await Store.CompactAsync(CancellationToken.None);
        }

        using var third = await OpenAsync();
        Assert.That(Store.GetLoadedExtension("netns").Keys, Is.EqualTo(new[] { kept }), "snapshots carry extensions too");
    }

    [Test]
    public async Task LoadAsync_PreviousKernelLayout_MigratedOnceAndOldFoldersDeleted()
    {
        var networkId = Guid.NewGuid();
        var endpointId = Guid.NewGuid();
        var nsId = Guid.NewGuid();
        var network = Network() with { Id = networkId };
        var endpoint = new HostComputeEndpoint
        {
            Id = endpointId,
            Name = "a",
            HostComputeNetwork = networkId,
            HostComputeNamespace = nsId,
            MacAddress = "00-15-5D-00-00-07",
            IpConfigurations = [new IpConfig { IpAddress = "10.244.1.5", PrefixLength = 24 }],
        };
        var ns = new HostComputeNamespace { Id = nsId, Type = NamespaceType.Host, NamespaceId = 9, Resources = [NamespaceResource.ForEndpoint(endpointId)] };
        WriteLegacy("networks", networkId, HcnJson.Serialize(network));
        WriteLegacy("endpoints", endpointId, HcnJson.Serialize(endpoint));
        WriteLegacy("namespaces", nsId, HcnJson.Serialize(ns));
        WriteLegacy("netns", nsId, "{\n  \"Path\": \"/var/run/netns/x\",\n  \"Owned\": true,\n  \"IsHost\": false\n}");

        using (var first = await OpenAsync(new MemoryHcnStoreOptions { MigrateKernelLayout = true }))
        {
            var restored = await first.GetEndpointAsync(endpointId, CancellationToken.None);
            Assert.Multiple(() =>
            {
                Assert.That(restored.HostComputeNamespace, Is.EqualTo(nsId));
                Assert.That(restored.MacAddress, Is.EqualTo("00-15-5D-00-00-07"));
                Assert.That(Store.GetLoadedExtension("netns")[nsId].GetProperty("Path").GetString(), Is.EqualTo("/var/run/netns/x"));
                Assert.That(File.Exists(SnapshotPath), Is.True);
                Assert.That(Directory.GetDirectories(_stateDir), Is.Empty, "the old folders are gone once the snapshot holds them");
            });
            Store.RegisterExtension("netns", _ => null, () => []);
        }

        using var second = await OpenAsync(new MemoryHcnStoreOptions { MigrateKernelLayout = true });
        Assert.That((await second.GetNamespaceAsync(nsId, CancellationToken.None)).NamespaceId, Is.EqualTo(9u));
    }

    [Test]
    public async Task LoadAsync_ObjectThatCannotBeRecreated_ReportedAndSkippedWhenACallbackIsGiven()
    {
        var missingNetwork = Guid.NewGuid();
        var endpointId = Guid.NewGuid();
        await File.WriteAllTextAsync(SnapshotPath, "{\"version\":2,\"generation\":0,\"networks\":[],\"endpoints\":[{\"ID\":\"" + endpointId
            + "\",\"HostComputeNetwork\":\"" + missingNetwork + "\"}],\"namespaces\":[],\"loadBalancers\":[],\"sdnRoutes\":[]}");
        var failures = new List<(string Kind, Guid Id)>();

        using var hcn = await OpenAsync(new MemoryHcnStoreOptions(), (kind, id, _) => failures.Add((kind, id)));

        Assert.That(failures, Is.EqualTo(new[] { ("endpoint", endpointId) }));
        Assert.That(await hcn.EnumerateEndpointsAsync(null, CancellationToken.None), Is.Empty);
    }

    private void WriteLegacy(string kind, Guid id, string json)
    {
        Directory.CreateDirectory(Path.Combine(_stateDir, kind));
        File.WriteAllText(Path.Combine(_stateDir, kind, id.ToString("D") + ".json"), json);
    }
}
