using Cni.Hcn.Errors;
using Cni.Hcn.Memory;
using Cni.Hcn.Model;
using Cni.Node.Configuration;
using Cni.Node.Ipam;
using Cni.Node.Networks;
using Cni.Node.Tests.Pods;

namespace Cni.Node.Tests.Networks;

public sealed class PodNetworkTests
{
    [Test]
    public async Task EnsureAsync_NoNetwork_CreatesItAndIsReady()
    {
        await using var node = await NodeHarness.CreateAsync();

        var report = node.LastEnsure!;

        Assert.That(report.Action, Is.EqualTo(NetworkAction.Created));
        Assert.That(report.IsReady, Is.True);
        Assert.That(report.Problem, Is.EqualTo(NodeNetworkProblem.None));
        Assert.That(node.Network.IsReady, Is.True);
        Assert.That(node.Network.NotReadyReason, Is.Null);
        Assert.That(node.Network.Problem, Is.EqualTo(NodeNetworkProblem.None));
        var networks = await node.Hcn.EnumerateNetworksAsync(HostComputeQuery.ByName(NodeHarness.NetworkName), CancellationToken.None);
        Assert.That(networks.Select(n => n.Id), Is.EqualTo(new[] { report.NetworkId!.Value }));
        Assert.That(networks[0].Type, Is.EqualTo(NetworkType.Overlay));
    }

    [Test]
    public async Task EnsureAsync_MatchingNetworkExists_AdoptsWithoutCreating()
    {
        await using var node = await NodeHarness.CreateAsync();
        var first = node.LastEnsure!.NetworkId;
        node.Hcn.ResetCallCounts();

        var report = await node.Network.EnsureAsync(CancellationToken.None);

        Assert.That(report.Action, Is.EqualTo(NetworkAction.Adopted));
        Assert.That(report.NetworkId, Is.EqualTo(first));
        Assert.That(node.Hcn.GetCallCount(MemoryHcnOperation.CreateNetwork), Is.Zero);
        Assert.That(node.Hcn.GetCallCount(MemoryHcnOperation.DeleteNetwork), Is.Zero);
    }

    [Test]
    public async Task EnsureAsync_DiffersWithEndpoints_NotReadyNamesFieldAndNeverDeletes()
    {
        await using var node = await NodeHarness.CreateAsync();
        var ns = await node.NewNamespaceAsync();
        NodeHarness.Result(await node.AddAsync("c1", ns.ToString()));
        var networkId = node.LastEnsure!.NetworkId;

        await node.RestartAsync(o => o with { Vxlan = new VxlanOptions { Vni = 4200 } });

        var report = node.LastEnsure!;
        Assert.That(report.Action, Is.EqualTo(NetworkAction.Conflict));
        Assert.That(report.Problem, Is.EqualTo(NodeNetworkProblem.NetworkConflict));
        Assert.That(node.Network.Problem, Is.EqualTo(NodeNetworkProblem.NetworkConflict));
        Assert.That(node.Network.IsReady, Is.False);
        Assert.That(node.Network.NotReadyReason, Does.Contain("vxlan.vni: config wants 4200, network has 4096"));
        Assert.That(node.Network.NotReadyReason, Does.Contain("will not delete it"));
        Assert.That(report.Differences.Select(d => d.Field), Is.EqualTo(new[] { "vxlan.vni" }));
        Assert.That(node.Hcn.GetCallCount(MemoryHcnOperation.DeleteNetwork), Is.Zero);
        Assert.That(await node.EndpointsAsync(), Has.Count.EqualTo(1));
        Assert.That((await node.Hcn.GetNetworkAsync(networkId!.Value, CancellationToken.None)).Id, Is.EqualTo(networkId));
        Assert.That(await node.LeasesAsync(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task EnsureAsync_Conflict_AddAndStatusReportNotReady()
    {
        await using var node = await NodeHarness.CreateAsync();
        NodeHarness.Result(await node.AddAsync("c1", (await node.NewNamespaceAsync()).ToString()));
        await node.RestartAsync(o => o with { Vxlan = new VxlanOptions { Vni = 4200 } });

        var add = await node.AddAsync("c2", (await node.NewNamespaceAsync()).ToString());
        var status = await node.StatusAsync();

        Assert.That(add.Error!.Code, Is.EqualTo(Spec.CniErrorCode.TryAgainLater));
        Assert.That(status.Error!.Code, Is.EqualTo(Spec.CniErrorCode.PluginNotAvailable));
        Assert.That(status.Error.Msg, Does.Contain("vxlan.vni"));
    }

    [Test]
    public async Task EnsureAsync_DiffersWithoutEndpoints_Recreates()
    {
        await using var node = await NodeHarness.CreateAsync();
        var old = node.LastEnsure!.NetworkId;

        await node.RestartAsync(o => o with { Vxlan = new VxlanOptions { Vni = 4200 } });

        Assert.That(node.LastEnsure!.Action, Is.EqualTo(NetworkAction.Recreated));
        Assert.That(node.LastEnsure.NetworkId, Is.Not.EqualTo(old));
        Assert.That(node.Network.IsReady, Is.True);
    }

    [Test]
    public async Task EnsureAsync_PodCidrsUnknown_NotReadyAndNoHcnCall()
    {
        var hcn = new MemoryHcn();
        await using var node = await NodeHarness.CreateAsync(ensure: false, hcn: hcn);
        var network = new PodNetwork(hcn, node.Ipam, new StaticNodeAddressingSource(node.Options with { PodCidrs = [] }), node.Options, node.Locks, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<PodNetwork>.Instance);

        var report = await network.EnsureAsync(CancellationToken.None);

        Assert.That(report.IsReady, Is.False);
        Assert.That(report.Problem, Is.EqualTo(NodeNetworkProblem.PodCidrMissing));
        Assert.That(network.NotReadyReason, Does.Contain("pod CIDRs are not known yet"));
        Assert.That(hcn.TotalCallCount, Is.Zero);
    }

    [Test]
    public async Task EnsureAsync_NodeCidrsDifferFromIpamPools_NotReadyNamesPodCidrs()
    {
        await using var node = await NodeHarness.CreateAsync(ensure: false);
        var network = new PodNetwork(node.Hcn, node.Ipam, new StaticNodeAddressingSource(node.Options with { PodCidrs = [System.Net.IPNetwork.Parse("10.244.7.0/24")] }), node.Options, node.Locks, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<PodNetwork>.Instance);

        await network.EnsureAsync(CancellationToken.None);

        Assert.That(network.IsReady, Is.False);
        Assert.That(network.Problem, Is.EqualTo(NodeNetworkProblem.PodCidrChanged));
        Assert.That(network.NotReadyReason, Does.StartWith("podCIDRs: "));
    }

    [Test]
    public async Task EnsureAsync_HnsFails_NotReadyWithHresultThenRecovers()
    {
        await using var node = await NodeHarness.CreateAsync(ensure: false);
        node.Hcn.FailNext(MemoryHcnOperation.EnumerateNetworks, 1, HcnErrorCodes.ManagerStopped);

        var failed = await node.Network.EnsureAsync(CancellationToken.None);
        var recovered = await node.Network.EnsureAsync(CancellationToken.None);

        Assert.That(failed.IsReady, Is.False);
        Assert.That(failed.Problem, Is.EqualTo(NodeNetworkProblem.HnsUnavailable), "HNS stopping is a wait, not an HRESULT to act on");
        Assert.That(failed.NotReadyReason, Does.Contain("0x803B0020"));
        Assert.That(recovered.IsReady, Is.True);
        Assert.That(recovered.Problem, Is.EqualTo(NodeNetworkProblem.None));
    }

    [Test]
    public async Task EnsureAsync_HnsRefusesTheCreate_HcnErrorWithTheCataloguesCauseAndFix()
    {
        await using var node = await NodeHarness.CreateAsync(ensure: false);
        node.Hcn.FailNext(MemoryHcnOperation.CreateNetwork, 1, HcnErrorCodes.InvalidSubnet);

        var failed = await node.Network.EnsureAsync(CancellationToken.None);

        var info = HcnErrorCatalog.Lookup(HcnErrorCodes.InvalidSubnet);
        Assert.That(failed.Problem, Is.EqualTo(NodeNetworkProblem.HcnError));
        Assert.That(node.Network.Problem, Is.EqualTo(NodeNetworkProblem.HcnError));
        Assert.That(failed.NotReadyReason, Does.Contain(info.Cause).And.Contain(info.Fix).And.Contain(info.HexCode));
    }

    [Test]
    public async Task EnsureAsync_BeforeFirstCall_NotReady()
    {
        await using var node = await NodeHarness.CreateAsync(ensure: false);

        Assert.That(node.Network.IsReady, Is.False);
        Assert.That(node.Network.NotReadyReason, Does.Contain("not been ensured yet"));
    }

    [Test]
    public async Task EnsureAsync_OtherShapedNetworkWithOurNameAndNoEndpoints_Recreated()
    {
        var hcn = new MemoryHcn();
        await hcn.CreateNetworkAsync(new HostComputeNetwork { Name = NodeHarness.NetworkName, Type = NetworkType.L2Bridge }, CancellationToken.None);
        await using var node = await NodeHarness.CreateAsync(hcn: hcn);

        Assert.That(node.LastEnsure!.Action, Is.EqualTo(NetworkAction.Recreated));
    }

    [Test]
    public async Task RestartAsync_RunningPods_AdoptedAndUndisturbed()
    {
        await using var node = await NodeHarness.CreateAsync();
        var results = new List<CniResultView>();
        for (var i = 0; i < 5; i++)
        {
            results.Add(NodeHarness.Result(await node.AddAsync($"c{i}", (await node.NewNamespaceAsync()).ToString())));
        }

        var endpointsBefore = (await node.EndpointsAsync()).Select(e => e.Id).Order().ToList();
        node.Hcn.ResetCallCounts();

        await node.RestartAsync();

        Assert.That(node.LastEnsure!.Action, Is.EqualTo(NetworkAction.Adopted));
        Assert.That(node.LastEnsure.Reconcile.LeasesReleased, Is.Empty);
        Assert.That(node.LastEnsure.Reconcile.EndpointsDeleted, Is.Empty);
        Assert.That(node.LastEnsure.Reconcile.AttachmentsKept, Is.EqualTo(5));
        Assert.That((await node.EndpointsAsync()).Select(e => e.Id).Order(), Is.EqualTo(endpointsBefore));
        Assert.That(node.Hcn.GetCallCount(MemoryHcnOperation.DeleteEndpoint) + node.Hcn.GetCallCount(MemoryHcnOperation.CreateEndpoint), Is.Zero);
        Assert.That(await node.LeasesAsync(), Has.Count.EqualTo(5));
    }

    [Test]
    public async Task ReconcileAsync_LeaseWithoutEndpoint_Released()
    {
        await using var node = await NodeHarness.CreateAsync();
        NodeHarness.Result(await node.AddAsync("gone", (await node.NewNamespaceAsync()).ToString()));
        NodeHarness.Result(await node.AddAsync("kept", (await node.NewNamespaceAsync()).ToString()));
        var gone = (await node.EndpointsAsync()).Single(e => e.Name == EndpointNames.For(NodeHarness.NetworkName, "gone", "eth0"));
        await node.Hcn.DeleteEndpointAsync(gone.Id, CancellationToken.None);

        var report = await node.Network.ReconcileAsync(CancellationToken.None);

        Assert.That(report.LeasesReleased, Has.Count.EqualTo(1));
        Assert.That(report.LeasesReleased[0], Does.StartWith("gone/eth0: 10.244.1."));
        Assert.That(report.AttachmentsKept, Is.EqualTo(1));
        Assert.That((await node.LeasesAsync()).Select(l => l.Key.ContainerId), Is.EqualTo(new[] { "kept" }));
    }

    [Test]
    public async Task ReconcileAsync_OwnedEndpointWithoutLease_DeletedForeignUntouched()
    {
        await using var node = await NodeHarness.CreateAsync();
        var networkId = node.Network.NetworkId!.Value;
        NodeHarness.Result(await node.AddAsync("orphan", (await node.NewNamespaceAsync()).ToString()));
        await node.Ipam.ReleaseAsync(new LeaseKey("orphan", "eth0"), CancellationToken.None);
        var foreign = await node.Hcn.CreateEndpointAsync(networkId, new HostComputeEndpoint { Name = "source_vip", IpConfigurations = [new IpConfig { IpAddress = "10.244.1.254", PrefixLength = 24 }] }, CancellationToken.None);

        var report = await node.Network.ReconcileAsync(CancellationToken.None);

        Assert.That(report.EndpointsDeleted, Is.EqualTo(new[] { EndpointNames.For(NodeHarness.NetworkName, "orphan", "eth0") }));
        Assert.That(report.ForeignEndpoints, Is.EqualTo(1));
        Assert.That((await node.EndpointsAsync()).Select(e => e.Id), Is.EqualTo(new[] { foreign.Id }));
    }

    [Test]
    public async Task EnsureAsync_NotReadyWithOrphanEndpoint_ReadyOnlyOnceTheOrphanIsDeleted()
    {
        // A restart after an ADD was killed between creating its endpoint and writing its lease: the endpoint holds an
        // address the pool calls free. Until the reconcile deleted it, an ADD would be handed that address.
        await using var node = await NodeHarness.CreateAsync();
        var orphan = NodeHarness.Result(await node.AddAsync("orphan", (await node.NewNamespaceAsync()).ToString()));
        await node.Ipam.ReleaseAsync(new LeaseKey("orphan", "eth0"), CancellationToken.None);
        var orphanId = (await node.EndpointsAsync()).Single(e => e.Name == EndpointNames.For(NodeHarness.NetworkName, "orphan", "eth0")).Id;
        var restarted = new PodNetwork(node.Hcn, node.Ipam, new StaticNodeAddressingSource(node.Options), node.Options, node.Locks, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<PodNetwork>.Instance);
        node.Hcn.SetLatency(MemoryHcnOperation.DeleteEndpoint, TimeSpan.FromMilliseconds(300));

        var ensuring = restarted.EnsureAsync(CancellationToken.None);
        var readyWithOrphan = false;
        var sawNotReady = false;
        while (!ensuring.IsCompleted)
        {
            // Readiness first, then the endpoint: ready before the delete finished shows as ready with the orphan present.
            var ready = restarted.IsReady;
            readyWithOrphan |= ready && node.Hcn.PeekEndpoint(orphanId) is not null;
            sawNotReady |= !ready;
            await Task.Delay(5);
        }

        var report = await ensuring;
        Assert.That(orphan.Parsed.Ips, Is.Not.Empty);
        Assert.That(readyWithOrphan, Is.False, "ADDs were served while an endpoint held an address the pool calls free");
        Assert.That(sawNotReady, Is.True);
        Assert.That(report.IsReady, Is.True);
        Assert.That(report.Reconcile.EndpointsDeleted, Is.EqualTo(new[] { EndpointNames.For(NodeHarness.NetworkName, "orphan", "eth0") }));
    }

    [Test]
    public async Task RestartAsync_JournalAndHnsDrifted_ReconcileReportsBothRepairs()
    {
        await using var node = await NodeHarness.CreateAsync();
        NodeHarness.Result(await node.AddAsync("a", (await node.NewNamespaceAsync()).ToString()));
        NodeHarness.Result(await node.AddAsync("b", (await node.NewNamespaceAsync()).ToString()));
        await node.Hcn.DeleteEndpointAsync((await node.EndpointsAsync()).Single(e => e.Name!.EndsWith("_a_eth0", StringComparison.Ordinal)).Id, CancellationToken.None);
        await node.Ipam.ReleaseAsync(new LeaseKey("b", "eth0"), CancellationToken.None);

        await node.RestartAsync();

        var reconcile = node.LastEnsure!.Reconcile;
        Assert.That(reconcile.LeasesReleased.Single(), Does.StartWith("a/eth0"));
        Assert.That(reconcile.EndpointsDeleted.Single(), Does.EndWith("_b_eth0"));
        Assert.That(await node.EndpointsAsync(), Is.Empty);
        Assert.That(await node.LeasesAsync(), Is.Empty);
    }

    [Test]
    public async Task GetSnapshotAsync_ShowsDesiredActualEndpointsAndLeases()
    {
        await using var node = await NodeHarness.CreateAsync();
        var ns = await node.NewNamespaceAsync();
        NodeHarness.Result(await node.AddAsync("c1", ns.ToString(), args: "K8S_POD_NAMESPACE=default;K8S_POD_NAME=web"));

        var snapshot = await node.Network.GetSnapshotAsync(CancellationToken.None);

        Assert.That(snapshot.IsReady, Is.True);
        Assert.That(snapshot.DesiredNetwork!.Name, Is.EqualTo(NodeHarness.NetworkName));
        Assert.That(snapshot.ActualNetwork!.Id, Is.EqualTo(node.Network.NetworkId));
        Assert.That(snapshot.Differences, Is.Empty);
        Assert.That(snapshot.Endpoints.Single().Owned, Is.True);
        Assert.That(snapshot.Endpoints.Single().HasLease, Is.True);
        Assert.That(snapshot.Endpoints.Single().NamespaceId, Is.EqualTo(ns));
        Assert.That(snapshot.Leases.Single().PodName, Is.EqualTo("web"));
        Assert.That(snapshot.Leases.Single().HasEndpoint, Is.True);
        Assert.That(snapshot.Pools.Single().Leased, Is.EqualTo(1));
        Assert.That(snapshot.Error, Is.Null);
    }

    [Test]
    public async Task ReportNetworkMissing_NotReadyUntilEnsureRecreates()
    {
        await using var node = await NodeHarness.CreateAsync();
        await node.Hcn.DeleteNetworkAsync(node.Network.NetworkId!.Value, CancellationToken.None);

        var status = await node.StatusAsync();
        var notReady = node.Network.IsReady;
        var problem = node.Network.Problem;
        var report = await node.Network.EnsureAsync(CancellationToken.None);

        Assert.That(status.Error!.Code, Is.EqualTo(Spec.CniErrorCode.PluginNotAvailable));
        Assert.That(notReady, Is.False);
        Assert.That(problem, Is.EqualTo(NodeNetworkProblem.NetworkMissing));
        Assert.That(report.Action, Is.EqualTo(NetworkAction.Created));
        Assert.That(node.Network.IsReady, Is.True);
    }

    [Test]
    public async Task EnsureAsync_L2Bridge_ForwardingOnAtTheManagementVnicAndTheHostEndpointVnic()
    {
        // flannel host-gw: Set-NetIPInterface -Forwarding Enabled on the ManagementIP's and the bridge endpoint's interfaces.
        await using var node = await NodeHarness.CreateAsync(NetworkMode.L2Bridge);

        var host = node.Network.HostInterfaces!;

        Assert.That(node.Network.IsReady, Is.True, node.Network.NotReadyReason);
        Assert.That((host.ManagementAddress.ToString(), host.ManagementIndex), Is.EqualTo((NodeHarness.NodeIpText, NodeHarness.ManagementIndex)));
        Assert.That(host.HostEndpointIndexes, Has.Count.EqualTo(1));
        Assert.That(await node.HostRouting.GetForwardingAsync(NodeHarness.ManagementIndex, System.Net.Sockets.AddressFamily.InterNetwork, CancellationToken.None), Is.True);
        Assert.That(await node.HostRouting.GetForwardingAsync(host.HostEndpointIndexes[0], System.Net.Sockets.AddressFamily.InterNetwork, CancellationToken.None), Is.True);
    }

    [Test]
    public async Task EnsureAsync_L2BridgeHostEndpointVnicLate_NotReadyUntilItAppears()
    {
        await using var node = await NodeHarness.CreateAsync(NetworkMode.L2Bridge, ensure: false);
        node.HostRouting.HideFor(System.Net.IPAddress.Parse("10.244.1.2"), 1_000);

        var first = await node.Network.EnsureAsync(CancellationToken.None);
        node.HostRouting.HideFor(System.Net.IPAddress.Parse("10.244.1.2"), 2);
        var second = await node.Network.EnsureAsync(CancellationToken.None);

        Assert.That(first.IsReady, Is.False);
        Assert.That(first.Problem, Is.EqualTo(NodeNetworkProblem.HostInterfaceMissing));
        Assert.That(first.NotReadyReason, Does.Contain("no host interface holds 10.244.1.2"));
        Assert.That(second.IsReady, Is.True, second.NotReadyReason);
    }

    [Test]
    public async Task EnsureAsync_OverlayProviderAddressNotYetReported_NotReadyUntilHnsAddsIt()
    {
        // flannel polls the new Overlay network for HNS's ProviderAddress before using it (device_windows.go).
        var hcn = new MemoryHcn(new MemoryHcnOptions { ManagementIp = null });
        await using var node = await NodeHarness.CreateAsync(hcn: hcn);
        var first = node.LastEnsure!;
        var networkId = (await hcn.EnumerateNetworksAsync(null, CancellationToken.None)).Single().Id;
        await ((Cni.Hcn.IHcn)hcn).AddNetworkPoliciesAsync(networkId, [Cni.Hcn.Model.Policies.NetworkPolicy.Create(new Cni.Hcn.Model.Policies.ProviderAddressPolicySetting { ProviderAddress = NodeHarness.NodeIpText })], CancellationToken.None);

        var second = await node.Network.EnsureAsync(CancellationToken.None);

        Assert.That(first.IsReady, Is.False);
        Assert.That(first.Problem, Is.EqualTo(NodeNetworkProblem.HostInterfaceMissing));
        Assert.That(first.NotReadyReason, Does.Contain("has no ProviderAddress"));
        Assert.That(second.IsReady, Is.True, second.NotReadyReason);
        Assert.That(node.Network.HostInterfaces!.ManagementIndex, Is.EqualTo(NodeHarness.ManagementIndex));
    }

    [Test]
    public async Task EnsureAsync_OverlayHostRouteRefused_ReadyWithoutIt()
    {
        // flannel adds HostRoute after the create and only logs a refusal (needs build 18321+).
        var hcn = new MemoryHcn();
        hcn.FailNext(MemoryHcnOperation.ModifyNetwork, 1, HcnErrorCodes.InvalidPolicyType);
        await using var node = await NodeHarness.CreateAsync(hcn: hcn);

        var network = await hcn.GetNetworkAsync(node.Network.NetworkId!.Value, CancellationToken.None);

        Assert.That(node.Network.IsReady, Is.True, node.Network.NotReadyReason);
        Assert.That(network.Policies!.Any(p => p.Type == Cni.Hcn.Model.Policies.NetworkPolicyType.HostRoute), Is.False);
    }

    [Test]
    public async Task EnsureAsync_Overlay_HostRouteAddedByAModifyAfterTheCreate()
    {
        await using var node = await NodeHarness.CreateAsync();

        var network = await node.Hcn.GetNetworkAsync(node.Network.NetworkId!.Value, CancellationToken.None);

        Assert.That(network.Policies!.Count(p => p.Type == Cni.Hcn.Model.Policies.NetworkPolicyType.HostRoute), Is.EqualTo(1));
        Assert.That(node.Hcn.GetCallCount(MemoryHcnOperation.ModifyNetwork), Is.EqualTo(1));
    }

    [Test]
    public async Task EnsureAsync_OverlayOnHnsWithoutRemoteSubnet_NotReadyNamingTheVersionNeeded()
    {
        var hcn = new MemoryHcn(new MemoryHcnOptions { Version = new Cni.Hcn.Versioning.HcnVersion(9, 1) });
        await using var node = await NodeHarness.CreateAsync(hcn: hcn);

        Assert.That(node.LastEnsure!.IsReady, Is.False);
        Assert.That(node.LastEnsure.Problem, Is.EqualTo(NodeNetworkProblem.HnsFeatureMissing));
        Assert.That(node.LastEnsure.NotReadyReason, Does.Contain("this HNS is 9.1").And.Contain("mode: overlay").And.Contain("9.2 or later"));
        Assert.That(await hcn.EnumerateNetworksAsync(null, CancellationToken.None), Is.Empty, "nothing is created for a config HNS cannot serve");
    }

    [Test]
    public async Task EnsureAsync_IPv6PodCidrOnHnsWithoutDualStack_NotReadyNamingPodCidrs()
    {
        var hcn = new MemoryHcn(new MemoryHcnOptions { Version = new Cni.Hcn.Versioning.HcnVersion(11, 5) });
        await using var node = await NodeHarness.CreateAsync(NetworkMode.L2Bridge, podCidrs: ["10.244.1.0/24", "fd00:10:244:1::/64"], hcn: hcn);

        Assert.That(node.LastEnsure!.NotReadyReason, Does.Contain("podCIDRs: an IPv6 pod CIDR needs IPv6 dual stack, HNS 11.10 or later"));
    }

    [Test]
    public async Task EnsureAsync_OtherVxlanPortOnHnsWithoutVxlanPort_NotReadyNamingTheKey()
    {
        var hcn = new MemoryHcn(new MemoryHcnOptions { Version = new Cni.Hcn.Versioning.HcnVersion(10, 2) });
        await using var node = await NodeHarness.CreateAsync(hcn: hcn, configure: o => o with { Vxlan = new VxlanOptions { Port = 4790 } });

        Assert.That(node.LastEnsure!.NotReadyReason, Does.Contain("vxlan.port: 4790 needs the VxlanPort policy, HNS 10.3 or later"));
    }

    [Test]
    public async Task EnsureAsync_L2Bridge_CreatesL2BridgeWithGateway()
    {
        await using var node = await NodeHarness.CreateAsync(NetworkMode.L2Bridge, configure: o => o with { AdapterName = "Ethernet" });

        var network = await node.Hcn.GetNetworkAsync(node.Network.NetworkId!.Value, CancellationToken.None);

        Assert.That(network.Type, Is.EqualTo(NetworkType.L2Bridge));
        Assert.That(network.Ipams![0].Subnets![0].Routes![0].NextHop, Is.EqualTo("10.244.1.1"));
        Assert.That(node.Network.IsReady, Is.True);
        var host = (await node.EndpointsAsync()).Single();
        var defaultNamespace = (await node.Hcn.EnumerateNamespacesAsync(null, CancellationToken.None)).Single(n => n.Type == NamespaceType.HostDefault);
        Assert.That(host.Name, Is.EqualTo(EndpointNames.HostEndpointFor(NodeHarness.NetworkName)));
        Assert.That(host.IpConfigurations!.Single().IpAddress, Is.EqualTo("10.244.1.2"));
        Assert.That(host.HostComputeNamespace, Is.EqualTo(defaultNamespace.Id));
    }

    [Test]
    public async Task EnsureAsync_L2BridgeWithPodNamespacesListedFirst_HostEndpointInHostDefaultNamespace()
    {
        // HNS may ignore the v1 IsDefault filter (the emulator does): a pod's namespace listed first must not get the .2.
        var hcn = new Cni.Hcn.Memory.MemoryHcn();
        var pod = await hcn.CreateNamespaceAsync(new HostComputeNamespace { Type = NamespaceType.Host }, CancellationToken.None);
        await using var node = await NodeHarness.CreateAsync(NetworkMode.L2Bridge, hcn: hcn);

        var host = (await node.EndpointsAsync()).Single(e => e.Name == EndpointNames.HostEndpointFor(NodeHarness.NetworkName));
        var attachedTo = await hcn.GetNamespaceAsync(host.HostComputeNamespace, CancellationToken.None);

        Assert.That(node.Network.IsReady, Is.True, node.Network.NotReadyReason);
        Assert.That(host.HostComputeNamespace, Is.Not.EqualTo(pod.Id));
        Assert.That(attachedTo.Type, Is.EqualTo(NamespaceType.HostDefault));
    }

    [Test]
    public async Task EnsureAsync_L2BridgeHostEndpointInAPodNamespace_MovedToHostDefault()
    {
        await using var node = await NodeHarness.CreateAsync(NetworkMode.L2Bridge);
        var host = (await node.EndpointsAsync()).Single(e => e.Name == EndpointNames.HostEndpointFor(NodeHarness.NetworkName));
        var pod = await node.NewNamespaceAsync();
        Cni.Hcn.IHcn hcn = node.Hcn;
        await hcn.RemoveNamespaceEndpointAsync(host.HostComputeNamespace, host.Id, CancellationToken.None);
        await hcn.AddNamespaceEndpointAsync(pod, host.Id, CancellationToken.None);

        await node.Network.EnsureAsync(CancellationToken.None);

        var now = (await node.EndpointsAsync()).Single(e => e.Name == EndpointNames.HostEndpointFor(NodeHarness.NetworkName));
        Assert.That((await node.Hcn.GetNamespaceAsync(now.HostComputeNamespace, CancellationToken.None)).Type, Is.EqualTo(NamespaceType.HostDefault));
    }

    [Test]
    public async Task EnsureAsync_L2BridgeAgain_HostEndpointKeptPodsUntouched()
    {
        await using var node = await NodeHarness.CreateAsync(NetworkMode.L2Bridge);
        NodeHarness.Result(await node.AddAsync("c1", (await node.NewNamespaceAsync()).ToString()));
        node.Hcn.ResetCallCounts();

        await node.RestartAsync();

        Assert.That(node.LastEnsure!.Action, Is.EqualTo(NetworkAction.Adopted));
        Assert.That(node.LastEnsure.Reconcile.EndpointsDeleted, Is.Empty);
        Assert.That(node.Hcn.GetCallCount(MemoryHcnOperation.CreateEndpoint) + node.Hcn.GetCallCount(MemoryHcnOperation.DeleteEndpoint), Is.Zero);
        Assert.That(await node.EndpointsAsync(), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task EnsureAsync_L2BridgeHostEndpointDetached_Replaced()
    {
        await using var node = await NodeHarness.CreateAsync(NetworkMode.L2Bridge);
        var old = (await node.EndpointsAsync()).Single();
        await ((Cni.Hcn.IHcn)node.Hcn).RemoveNamespaceEndpointAsync(old.HostComputeNamespace, old.Id, CancellationToken.None);

        await node.Network.EnsureAsync(CancellationToken.None);

        var host = (await node.EndpointsAsync()).Single();
        Assert.That(host.Id, Is.Not.EqualTo(old.Id));
        Assert.That(host.HostComputeNamespace, Is.Not.EqualTo(Guid.Empty));
    }

    [Test]
    public async Task EnsureAsync_L2BridgeDiffersWithOnlyTheHostEndpoint_Recreates()
    {
        await using var node = await NodeHarness.CreateAsync(NetworkMode.L2Bridge);

        await node.RestartAsync(o => o with { AdapterName = "Ethernet 2" });

        Assert.That(node.LastEnsure!.Action, Is.EqualTo(NetworkAction.Recreated));
        Assert.That(node.Network.IsReady, Is.True);
    }

    [Test]
    public async Task EnsureAsync_AdoptedOverlayWithoutHostRoute_AddsIt()
    {
        var hcn = new MemoryHcn();
        var options = NodeHarness.DefaultOptions(NetworkMode.Overlay, Path.GetTempPath());
        var desired = PodNetworkSpec.Build(options, new NodeAddressing(options.PodCidrs, options.NodeIp));
        await hcn.CreateNetworkAsync(desired, CancellationToken.None);
        await using var node = await NodeHarness.CreateAsync(hcn: hcn);

        var network = await hcn.GetNetworkAsync(node.Network.NetworkId!.Value, CancellationToken.None);

        Assert.That(node.LastEnsure!.Action, Is.EqualTo(NetworkAction.Adopted));
        Assert.That(network.Policies!.Select(p => p.Type), Has.Member(Cni.Hcn.Model.Policies.NetworkPolicyType.HostRoute));
    }
}
