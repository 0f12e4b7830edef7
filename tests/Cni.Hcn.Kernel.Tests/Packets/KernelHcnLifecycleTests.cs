using Cni.Hcn.Memory;
using Cni.Hcn.Errors;
using Cni.Hcn.Kernel.Naming;
using Cni.Hcn.Kernel.Tests.Support;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Kernel.Tests.Packets;

/// <summary>What attach, detach and deletes do to kernel objects, read back with iproute2 and nft inside the test node.</summary>
[TestFixture]
[Category("Kernel")]
[NonParallelizable]
public sealed partial class KernelHcnLifecycleTests
{
    private TestNetns _netns = null!;
    private string _node = null!;
    private string _state = null!;
    private KernelHcn _hcn = null!;
    private IHcn Hcn => _hcn;

    [SetUp]
    public void SetUp()
    {
        KernelTestGuard.Require();
        _netns = new TestNetns();
        _node = _netns.Create("lc-node");
        _state = Directory.CreateTempSubdirectory("wincni-kernel-lc-").FullName;
        _hcn = new KernelHcn(new KernelHcnOptions { StateDirectory = _state, HostNetnsPath = _node, NetnsNamePrefix = _netns.Prefix + "k-" });
    }

    [TearDown]
    public void TearDown()
    {
        _hcn?.Dispose();
        _netns?.Dispose();
        if (_state is not null)
        {
            Directory.Delete(_state, recursive: true);
        }
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task Start_TablesJustWritten_KnownIntactSoOwnCommitsNeverTriggerACount(CancellationToken cancellationToken)
    {
        var (network, endpoint) = await NetworkAndEndpointAsync("10.203.0.7", cancellationToken);
        var atStart = _hcn.NftablesDriftVerifications;

        // Own commits move the generation by one each: still known, so a check reads one number and counts nothing.
        await Hcn.CreateLoadBalancerAsync(new HostComputeLoadBalancer
        {
            HostComputeEndpoints = [endpoint.Id],
            FrontendVips = ["10.96.0.10"],
            PortMappings = [new LoadBalancerPortMapping { Protocol = ProtocolType.Tcp, InternalPort = 80, ExternalPort = 80 }],
        }, cancellationToken);
        var repaired = await _hcn.CheckDriftAsync(cancellationToken);

        Assert.That(atStart, Is.EqualTo(1), "counted once, at the start, with nothing else running");
        Assert.That(repaired, Is.Empty);
        Assert.That(_hcn.NftablesDriftVerifications, Is.EqualTo(atStart), "no count after wincni's own commits");
        Assert.That(network.Id, Is.Not.EqualTo(Guid.Empty));
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task AttachDetach_PodNamespace_InterfaceConfiguredThenDownUnderItsWaitingName(CancellationToken cancellationToken)
    {
        var (network, endpoint) = await NetworkAndEndpointAsync("10.203.0.5", cancellationToken, EndpointPolicy.Create(new PortNamePolicySetting { Name = "net1" }));
        var pod = _netns.Create("lc-pod");
        var ns = await AdoptNamespaceAsync(pod, cancellationToken);

        await Hcn.AddNamespaceEndpointAsync(ns.Id, endpoint.Id, cancellationToken);
        var inside = _netns.Ip("lc-pod", "-o addr show net1");
        var mac = _netns.Ip("lc-pod", "-o link show net1");
        await Hcn.RemoveNamespaceEndpointAsync(ns.Id, endpoint.Id, cancellationToken);

        Assert.That(inside, Does.Contain("10.203.0.5/24"));
        Assert.That(mac, Does.Contain(endpoint.MacAddress!.Replace('-', ':').ToLowerInvariant()));
        Assert.That(_netns.Ip("lc-pod", "-o link show"), Does.Not.Contain("net1"));

        // Not moved back to the node (that waits for a network-wide synchronization): down in the pod under its waiting name.
        Assert.That(_netns.Ip("lc-pod", $"-o link show {DeviceNames.PeerVeth(endpoint.Id)}"), Does.Contain("state DOWN"));
        Assert.That(_netns.Ip("lc-node", "-o link show"), Does.Not.Contain(DeviceNames.PeerVeth(endpoint.Id)));
        Assert.That(await _hcn.GetNetnsPathAsync(ns.Id, cancellationToken), Is.EqualTo(pod));
        Assert.That(network.Id, Is.EqualTo(endpoint.HostComputeNetwork));
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task Detach_ThenAttachToTheSameAndToAnotherNamespace_ConfiguredInEachAndNoPairLeftBehind(CancellationToken cancellationToken)
    {
        var (_, endpoint) = await NetworkAndEndpointAsync("10.203.0.6", cancellationToken);
        var first = await AdoptNamespaceAsync(_netns.Create("lc-one"), cancellationToken);
        var second = await AdoptNamespaceAsync(_netns.Create("lc-two"), cancellationToken);
        await Hcn.AddNamespaceEndpointAsync(first.Id, endpoint.Id, cancellationToken);
        await Hcn.RemoveNamespaceEndpointAsync(first.Id, endpoint.Id, cancellationToken);

        await Hcn.AddNamespaceEndpointAsync(first.Id, endpoint.Id, cancellationToken);
        var again = _netns.Ip("lc-one", "-o addr show eth0");
        await Hcn.RemoveNamespaceEndpointAsync(first.Id, endpoint.Id, cancellationToken);
        await Hcn.AddNamespaceEndpointAsync(second.Id, endpoint.Id, cancellationToken);

        Assert.That(again, Does.Contain("10.203.0.6/24"), "the waiting container side is taken up again");
        Assert.That(_netns.Ip("lc-two", "-o addr show eth0"), Does.Contain("10.203.0.6/24"));
        Assert.That(_netns.Ip("lc-two", "-o link show eth0"), Does.Contain("LOWER_UP"));
        Assert.That(_netns.Ip("lc-one", "-o link show"), Does.Not.Contain(DeviceNames.PeerVeth(endpoint.Id)).And.Not.Contain("eth0"), "the pair left in the first namespace went");
        Assert.That(_netns.Ip("lc-node", "-o link show").Split('\n').Count(l => l.Contains(DeviceNames.HostVeth(endpoint.Id), StringComparison.Ordinal)), Is.EqualTo(1));
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task DeleteEndpoint_AttachedToPod_PodLosesCarrierAtOnceAndBothSidesGoInTheBackground(CancellationToken cancellationToken)
    {
        var (_, endpoint) = await NetworkAndEndpointAsync("10.203.0.11", cancellationToken);
        var pod = _netns.Create("lc-gone");
        var ns = await AdoptNamespaceAsync(pod, cancellationToken);
        await Hcn.AddNamespaceEndpointAsync(ns.Id, endpoint.Id, cancellationToken);
        Assert.That(_netns.Ip("lc-gone", "-o link show eth0"), Does.Contain("LOWER_UP"));

        await Hcn.DeleteEndpointAsync(endpoint.Id, cancellationToken);
        var justAfter = _netns.Ip("lc-gone", "-o link show");

        Assert.That(justAfter, Does.Not.Contain("eth0").Or.Not.Contain("LOWER_UP"), "no carrier from the moment DeleteEndpoint returns");
        await _hcn.WaitForRetiredLinksAsync(cancellationToken);
        Assert.That(_netns.Ip("lc-gone", "-o link show"), Does.Not.Contain("eth0"));
        Assert.That(_netns.Ip("lc-node", "-o link show"), Does.Not.Contain(DeviceNames.HostVeth(endpoint.Id)));
        Assert.That(_hcn.Reaper.Batches, Is.GreaterThanOrEqualTo(1));
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task AddNamespaceEndpoint_InterfaceNameTaken_ThrowsAttachFailedAndEndpointStaysDetached(CancellationToken cancellationToken)
    {
        var (_, endpoint) = await NetworkAndEndpointAsync("10.203.0.6", cancellationToken);
        var pod = _netns.Create("lc-busy");
        _netns.Ip("lc-busy", "link add eth0 type bridge");
        var ns = await AdoptNamespaceAsync(pod, cancellationToken);

        var ex = Assert.ThrowsAsync<HcnException>(() => Hcn.AddNamespaceEndpointAsync(ns.Id, endpoint.Id, cancellationToken));
        var after = await Hcn.GetEndpointAsync(endpoint.Id, cancellationToken);

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.NamespaceAttachFailed), ex.Message);
        Assert.That(ex.Message, Does.Contain("EEXIST"));
        Assert.That(after.HostComputeNamespace, Is.EqualTo(Guid.Empty));
        Assert.That(_netns.Ip("lc-node", $"-o link show {DeviceNames.PeerVeth(endpoint.Id)}"), Does.Contain(DeviceNames.PeerVeth(endpoint.Id)));
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task CreateNamespace_AdoptedPathMissing_ThrowsInvalidParameter(CancellationToken cancellationToken)
    {
        var ex = Assert.ThrowsAsync<HcnException>(() => AdoptNamespaceAsync("/var/run/netns/" + _netns.Prefix + "absent", cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.InvalidParameter), ex.Message);
        Assert.That(await Hcn.EnumerateNamespacesAsync(null, cancellationToken), Is.Empty);
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task DeleteNetwork_WithEndpointsAndNat_RemovesBridgeVethsAndTable(CancellationToken cancellationToken)
    {
        var nat = EndpointPolicy.Create(new OutboundNatPolicySetting { Exceptions = ["10.0.0.0/8"] });
        var (network, endpoint) = await NetworkAndEndpointAsync("10.203.0.7", cancellationToken, nat);
        var table = DeviceNames.NetworkTable(network.Name!);
        Assert.That(_netns.Nft("lc-node", "list tables"), Does.Contain(table));

        await Hcn.DeleteNetworkAsync(network.Id, cancellationToken);

        Assert.That(_netns.Nft("lc-node", "list tables"), Does.Not.Contain(table));
        Assert.That(_netns.Ip("lc-node", "-o link show"), Does.Not.Contain(DeviceNames.Bridge(network.Name!)).And.Not.Contain(DeviceNames.HostVeth(endpoint.Id)));
        using var persisted = await PersistedAsync(cancellationToken);
        Assert.That(await persisted.EnumerateNetworksAsync(null, cancellationToken), Is.Empty);
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task Restart_FreshInstance_FindsObjectsAndOwnedNamespaceAgain(CancellationToken cancellationToken)
    {
        var (network, endpoint) = await NetworkAndEndpointAsync("10.203.0.8", cancellationToken);
        var ns = await Hcn.CreateNamespaceAsync(new HostComputeNamespace { Type = NamespaceType.Host }, cancellationToken);
        await Hcn.AddNamespaceEndpointAsync(ns.Id, endpoint.Id, cancellationToken);
        var path = await _hcn.GetNetnsPathAsync(ns.Id, cancellationToken);
        _hcn.Dispose();

        _hcn = new KernelHcn(new KernelHcnOptions { StateDirectory = _state, HostNetnsPath = _node, NetnsNamePrefix = _netns.Prefix + "k-" });
        var restored = await Hcn.GetEndpointAsync(endpoint.Id, cancellationToken);

        Assert.That(restored.HostComputeNamespace, Is.EqualTo(ns.Id));
        Assert.That(restored.MacAddress, Is.EqualTo(endpoint.MacAddress));
        Assert.That((await Hcn.GetNetworkAsync(network.Id, cancellationToken)).Name, Is.EqualTo(network.Name));
        Assert.That(await _hcn.GetNetnsPathAsync(ns.Id, cancellationToken), Is.EqualTo(path));
        Assert.That(File.Exists(path), Is.True);

        await Hcn.DeleteNamespaceAsync(ns.Id, cancellationToken);
        Assert.That(File.Exists(path), Is.False);
    }

    [Test]
    [CancelAfter(30_000)]
    public void FirstCall_NftMissing_ThrowsServiceNotActive(CancellationToken cancellationToken)
    {
        using var broken = new KernelHcn(new KernelHcnOptions
        {
            StateDirectory = Path.Combine(_state, "broken"),
            HostNetnsPath = _node,
            NftLibraryPath = null,
            NftPath = "/nonexistent/nft",
        });

        var ex = Assert.ThrowsAsync<HcnException>(() => broken.EnumerateNetworksAsync(null, cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.ServiceNotActive), ex.Message);
        Assert.That(ex.Message, Does.Contain("/nonexistent/nft"));
    }

    [Test]
    [CancelAfter(30_000)]
    public void FirstCall_LibnftablesMissing_ThrowsServiceNotActive(CancellationToken cancellationToken)
    {
        using var broken = new KernelHcn(new KernelHcnOptions
        {
            StateDirectory = Path.Combine(_state, "broken"),
            HostNetnsPath = _node,
            NftLibraryPath = "/nonexistent/libnftables.so.1",
        });

        var ex = Assert.ThrowsAsync<HcnException>(() => broken.EnumerateNetworksAsync(null, cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.ServiceNotActive), ex.Message);
        Assert.That(ex.Message, Does.Contain("/nonexistent/libnftables.so.1"));
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task AttachToHostDefault_HostVnic_PodsReachTheEndpointAddressOnTheNode(CancellationToken cancellationToken)
    {
        var (network, hostEndpoint) = await NetworkAndEndpointAsync("10.203.0.2", cancellationToken);
        var host = await Hcn.CreateNamespaceAsync(new HostComputeNamespace { Type = NamespaceType.HostDefault }, cancellationToken);
        var pod = _netns.Create("lc-vnic");
        var podEndpoint = await Hcn.CreateEndpointAsync(network.Id, new HostComputeEndpoint
        {
            Name = "lc-vnic",
            IpConfigurations = [new IpConfig { IpAddress = "10.203.0.30", PrefixLength = 24 }],
        }, cancellationToken);
        var podNs = await AdoptNamespaceAsync(pod, cancellationToken);
        await Hcn.AddNamespaceEndpointAsync(podNs.Id, podEndpoint.Id, cancellationToken);

        await Hcn.AddNamespaceEndpointAsync(host.Id, hostEndpoint.Id, cancellationToken);

        Assert.That(_netns.Ip("lc-node", $"-4 -o addr show {DeviceNames.PeerVeth(hostEndpoint.Id)}"), Does.Contain("10.203.0.2/32"));
        Assert.That(Traffic.Ping(pod, "10.203.0.2"), Is.True);
        await Hcn.RemoveNamespaceEndpointAsync(host.Id, hostEndpoint.Id, cancellationToken);
        Assert.That(_netns.Ip("lc-node", $"-o link show {DeviceNames.PeerVeth(hostEndpoint.Id)}"), Does.Contain("state DOWN"));
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task ConcurrentAdds_EightPods_EachAttachedWithItsAddress(CancellationToken cancellationToken)
    {
        var (network, _) = await NetworkAndEndpointAsync("10.203.0.9", cancellationToken);
        var pods = Enumerable.Range(20, 8).Select(i => (Suffix: $"cc{i}", Ip: $"10.203.0.{i}", Path: _netns.Create($"cc{i}"))).ToList();

        await Task.WhenAll(pods.Select(async pod =>
        {
            var endpoint = await Hcn.CreateEndpointAsync(network.Id, new HostComputeEndpoint
            {
                Name = pod.Suffix,
                IpConfigurations = [new IpConfig { IpAddress = pod.Ip, PrefixLength = 24 }],
            }, cancellationToken);
            var ns = await AdoptNamespaceAsync(pod.Path, cancellationToken);
            await Hcn.AddNamespaceEndpointAsync(ns.Id, endpoint.Id, cancellationToken);
        }));

        foreach (var pod in pods)
        {
            Assert.That(_netns.Ip(pod.Suffix, "-4 -o addr show eth0"), Does.Contain(pod.Ip + "/24"));
        }

        Assert.That(Traffic.Ping(pods[0].Path, pods[^1].Ip), Is.True);
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task ConcurrentAddsAndDeletes_WithNatAndANetworkChangeInBetween_StatePersistedAndNothingLeft(CancellationToken cancellationToken)
    {
        var nat = EndpointPolicy.Create(new OutboundNatPolicySetting { Exceptions = ["10.96.0.0/12"] });
        var (network, hostEndpoint) = await NetworkAndEndpointAsync("10.203.0.9", cancellationToken);
        var pods = Enumerable.Range(40, 12).Select(i => (Suffix: $"cd{i}", Ip: $"10.203.0.{i}", Path: _netns.Create($"cd{i}"))).ToList();
        var added = new (Guid Endpoint, Guid Namespace)[pods.Count];

        var adds = pods.Select(async (pod, i) =>
        {
            var endpoint = await Hcn.CreateEndpointAsync(network.Id, new HostComputeEndpoint
            {
                Name = pod.Suffix,
                IpConfigurations = [new IpConfig { IpAddress = pod.Ip, PrefixLength = 24 }],
                Policies = [nat],
            }, cancellationToken);
            var ns = await AdoptNamespaceAsync(pod.Path, cancellationToken);
            await Hcn.AddNamespaceEndpointAsync(ns.Id, endpoint.Id, cancellationToken);
            added[i] = (endpoint.Id, ns.Id);
        }).ToList();
        var other = Hcn.CreateNetworkAsync(new HostComputeNetwork
        {
            Name = "lc-other",
            Type = NetworkType.L2Bridge,
            Ipams = [new Ipam { Subnets = [new Subnet { IpAddressPrefix = "10.204.0.0/24" }] }],
        }, cancellationToken);
        await Task.WhenAll([.. adds, other]);

        // A fresh instance on the same state sees every pod attached.
        _hcn.Dispose();
        _hcn = new KernelHcn(new KernelHcnOptions { StateDirectory = _state, HostNetnsPath = _node, NetnsNamePrefix = _netns.Prefix + "k-" });
        var restored = await Hcn.EnumerateEndpointsAsync(null, cancellationToken);
        var ruleset = _netns.Nft("lc-node", "list ruleset");

        await Task.WhenAll(added.Select(async a =>
        {
            await Hcn.DeleteEndpointAsync(a.Endpoint, cancellationToken);
            await Hcn.DeleteNamespaceAsync(a.Namespace, cancellationToken);
        }));

        await _hcn.WaitForRetiredLinksAsync(cancellationToken);

        Assert.That(restored.Where(e => e.HostComputeNamespace != Guid.Empty).Select(e => e.Id), Is.EquivalentTo(added.Select(a => a.Endpoint)));
        Assert.That(ruleset, Does.Contain("ip saddr != 10.203.0.9").And.Contain("masquerade"));
        foreach (var pod in pods)
        {
            Assert.That(_netns.Ip(pod.Suffix, "-o link show"), Does.Not.Contain("eth0"));
        }

        var links = _netns.Ip("lc-node", "-o link show");
        Assert.That(links, Does.Contain(DeviceNames.HostVeth(hostEndpoint.Id)));
        foreach (var (endpoint, _) in added)
        {
            Assert.That(links, Does.Not.Contain(DeviceNames.HostVeth(endpoint)).And.Not.Contain(DeviceNames.PeerVeth(endpoint)));
        }

        using var persisted = await PersistedAsync(cancellationToken);
        Assert.That((await persisted.EnumerateEndpointsAsync(null, cancellationToken)).Select(e => e.Id), Is.EqualTo(new[] { hostEndpoint.Id }));
        Assert.That(await persisted.EnumerateNamespacesAsync(null, cancellationToken), Is.Empty);
    }

    /// <summary>What KernelHcn has persisted, read into an emulator of its own (a copy, so the live store is left alone).</summary>
    private Task<MemoryHcn> PersistedAsync(CancellationToken cancellationToken) =>
        MemoryHcn.ReadPersistedAsync(_state, (kind, id, e) => Assert.Fail($"persisted {kind} {id} cannot be restored: {e.Message}"), cancellationToken);

    /// <summary>An HCN namespace standing for an existing netns (CNI_NETNS), as the CNI handler creates it.</summary>
    private Task<HostComputeNamespace> AdoptNamespaceAsync(string netnsPath, CancellationToken cancellationToken) =>
        Hcn.CreateNamespaceAsync(new HostComputeNamespace
        {
            Type = NamespaceType.Host,
            Resources = [new NamespaceResource { Type = NamespaceResourceType.Container, Data = new() { Id = netnsPath } }],
        }, cancellationToken);

    [Test]
    [CancelAfter(60_000)]
    public async Task Restart_ServicesTableStillThere_SameTableAndNextChangeIncremental(CancellationToken cancellationToken)
    {
        var (network, local) = await NetworkAndEndpointAsync("10.203.0.8", cancellationToken);
        var remotes = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            remotes.Add((await Hcn.CreateEndpointAsync(network.Id, new HostComputeEndpoint
            {
                Name = $"lc-remote{i}",
                IpConfigurations = [new IpConfig { IpAddress = $"10.203.0.{20 + i}" }],
                Flags = EndpointFlags.RemoteEndpoint,
            }, cancellationToken)).Id);
        }

        var random = await Hcn.CreateLoadBalancerAsync(new HostComputeLoadBalancer
        {
            HostComputeEndpoints = [local.Id, remotes[0]],
            FrontendVips = ["10.96.1.1"],
            PortMappings = [new LoadBalancerPortMapping { Protocol = ProtocolType.Tcp, ExternalPort = 80, InternalPort = 8080 }],
        }, cancellationToken);
        await Hcn.CreateLoadBalancerAsync(new HostComputeLoadBalancer
        {
            HostComputeEndpoints = [remotes[1], remotes[2]],
            FrontendVips = ["10.96.1.2"],
            PortMappings = [new LoadBalancerPortMapping { Protocol = ProtocolType.Udp, ExternalPort = 53, InternalPort = 53, DistributionType = LoadBalancerDistribution.SourceIP }],
        }, cancellationToken);
        var before = _netns.Nft("lc-node", $"list table ip {DeviceNames.ServicesTable}");
        _hcn.Dispose();

        _hcn = new KernelHcn(new KernelHcnOptions { StateDirectory = _state, HostNetnsPath = _node, NetnsNamePrefix = _netns.Prefix + "k-" });
        await _hcn.ReconcileAsync(cancellationToken);
        var adopted = _netns.Nft("lc-node", $"list table ip {DeviceNames.ServicesTable}");
        var batches = _hcn.NftBatches;
        await Hcn.ModifyLoadBalancerAsync(random.Id, random with { HostComputeEndpoints = [local.Id, remotes[2]] }, cancellationToken);

        Assert.That(Normalize(adopted), Is.EqualTo(Normalize(before)));
        Assert.That(adopted, Does.Contain("10.203.0.8 . 10.203.0.8"), "the local backend's hairpin pair");
        Assert.That(adopted, Does.Not.Contain("10.203.0.20 . 10.203.0.20"), "no hairpin pair for a remote backend");
        Assert.That(_hcn.NftBatches - batches, Is.EqualTo(1));
        Assert.That(_hcn.ServicesResyncs, Is.Zero);
        Assert.That(_netns.Nft("lc-node", $"list map ip {DeviceNames.ServicesTable} vips_rr_2"), Does.Contain("10.96.1.1 . tcp . 80 . 1 : 10.203.0.22 . 8080"));
        Assert.That(_netns.Nft("lc-node", $"list map ip {DeviceNames.ServicesTable} vips_sh_2"), Does.Contain("10.96.1.2 . udp . 53 . 0 : 10.203.0.21 . 53"));
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task RemoteEndpoint_CreatedThenDeletedUnderALoadBalancer_NoFullRenderAndTheBackendLeavesTheMap(CancellationToken cancellationToken)
    {
        var (network, local) = await NetworkAndEndpointAsync("10.203.0.8", cancellationToken);
        var lb = await Hcn.CreateLoadBalancerAsync(new HostComputeLoadBalancer
        {
            HostComputeEndpoints = [local.Id],
            FrontendVips = ["10.96.1.3"],
            PortMappings = [new LoadBalancerPortMapping { Protocol = ProtocolType.Tcp, ExternalPort = 80, InternalPort = 8080 }],
        }, cancellationToken);
        var batches = _hcn.NftBatches;

        var remote = await Hcn.CreateEndpointAsync(network.Id, new HostComputeEndpoint
        {
            Name = "lc-remote-x",
            IpConfigurations = [new IpConfig { IpAddress = "10.203.0.30" }],
            Flags = EndpointFlags.RemoteEndpoint,
        }, cancellationToken);
        var afterCreate = _hcn.NftBatches - batches;
        await Hcn.ModifyLoadBalancerAsync(lb.Id, lb with { HostComputeEndpoints = [local.Id, remote.Id] }, cancellationToken);
        Assert.That(_netns.Nft("lc-node", $"list map ip {DeviceNames.ServicesTable} vips_rr_2"), Does.Contain("10.203.0.30 . 8080"));
        batches = _hcn.NftBatches;

        await Hcn.DeleteEndpointAsync(remote.Id, cancellationToken);

        Assert.That(afterCreate, Is.Zero, "a new remote endpoint is in no table and no load balancer yet");
        Assert.That(_hcn.NftBatches - batches, Is.EqualTo(1), "one incremental transaction for the load balancer that lost it");
        Assert.That(_hcn.ServicesResyncs, Is.Zero);
        var table = _netns.Nft("lc-node", $"list table ip {DeviceNames.ServicesTable}");
        Assert.That(table, Does.Not.Contain("10.203.0.30"));
        Assert.That(table, Does.Contain("10.96.1.3 . tcp . 80 . 0 : 10.203.0.8 . 8080"));
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task LocalEndpointCreateModifyDelete_WithLoadBalancers_ServicesTableNotRenderedWhole(CancellationToken cancellationToken)
    {
        var (network, backend) = await NetworkAndEndpointAsync("10.203.0.40", cancellationToken);
        var other = await Hcn.CreateEndpointAsync(network.Id, new HostComputeEndpoint { Name = "lc-other", IpConfigurations = [new IpConfig { IpAddress = "10.203.0.41", PrefixLength = 24 }] }, cancellationToken);
        var lb = await Hcn.CreateLoadBalancerAsync(new HostComputeLoadBalancer
        {
            HostComputeEndpoints = [backend.Id, other.Id],
            FrontendVips = ["10.96.1.40"],
            PortMappings = [new LoadBalancerPortMapping { Protocol = ProtocolType.Tcp, InternalPort = 8080, ExternalPort = 80 }],
        }, cancellationToken);
        var fullRenders = _hcn.ServicesFullRenders;

        // A pod's endpoint comes and goes (ADD, a policy change, DEL): the network table changes with it, the services
        // table only where a load balancer named the endpoint.
        var pod = await Hcn.CreateEndpointAsync(network.Id, new HostComputeEndpoint
        {
            Name = "lc-pod",
            IpConfigurations = [new IpConfig { IpAddress = "10.203.0.42", PrefixLength = 24 }],
            Policies = [EndpointPolicy.Create(new PortMappingPolicySetting { Protocol = ProtocolType.Tcp, InternalPort = 80, ExternalPort = 8042 })],
        }, cancellationToken);
        var withPod = _netns.Nft("lc-node", "list ruleset");
        await Hcn.DeleteEndpointAsync(pod.Id, cancellationToken);
        await Hcn.DeleteEndpointAsync(other.Id, cancellationToken);
        var services = _netns.Nft("lc-node", $"list table ip {DeviceNames.ServicesTable}");

        Assert.That(withPod, Does.Contain("dport 8042"), "the pod's port mapping is in its network table");
        Assert.That(_netns.Nft("lc-node", "list ruleset"), Does.Not.Contain("dport 8042"));
        Assert.That(services, Does.Contain("10.96.1.40 . tcp . 80 . 0 : 10.203.0.40 . 8080").And.Not.Contain("10.203.0.41"), "the deleted backend left the load balancer");
        Assert.That(_hcn.ServicesFullRenders, Is.EqualTo(fullRenders), "no sync rendered every load balancer");
        Assert.That(_hcn.ServicesResyncs, Is.Zero);
        Assert.That(lb.Id, Is.Not.EqualTo(Guid.Empty));
    }

    /// <summary>A listing's statements and elements, sorted (a map lists its elements in hash order).</summary>
    private static string Normalize(string listing) =>
        string.Join('\n', listing.Split([',', '\n', '{', '}']).Select(l => l.Replace("elements =", string.Empty, StringComparison.Ordinal).Trim())
            .Where(l => l.Length > 0).Order(StringComparer.Ordinal));

    private async Task<(HostComputeNetwork Network, HostComputeEndpoint Endpoint)> NetworkAndEndpointAsync(
        string ip, CancellationToken cancellationToken, params EndpointPolicy[] policies)
    {
        var network = await Hcn.CreateNetworkAsync(new HostComputeNetwork
        {
            Name = "lc-" + Guid.NewGuid().ToString("N")[..6],
            Type = NetworkType.L2Bridge,
            Ipams = [new Ipam { Subnets = [new Subnet { IpAddressPrefix = "10.203.0.0/24", Routes = [new Route { NextHop = "10.203.0.1", DestinationPrefix = "0.0.0.0/0" }] }] }],
        }, cancellationToken);
        var endpoint = await Hcn.CreateEndpointAsync(network.Id, new HostComputeEndpoint
        {
            Name = "lc-ep",
            IpConfigurations = [new IpConfig { IpAddress = ip, PrefixLength = 24 }],
            Policies = policies.Length == 0 ? null : policies,
        }, cancellationToken);
        return (network, endpoint);
    }
}
