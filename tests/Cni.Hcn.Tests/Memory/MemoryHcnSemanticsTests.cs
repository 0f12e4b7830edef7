using Cni.Hcn.Errors;
using Cni.Hcn.Memory;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;
using Cni.Hcn.Model.Requests;
using static Cni.Hcn.Tests.Memory.MemoryHcnTestData;

namespace Cni.Hcn.Tests.Memory;

/// <summary>What MemoryHcn does beyond validation: allocation, HNS's own additions, isolation of state, concurrency.</summary>
[TestFixture]
public sealed class MemoryHcnSemanticsTests
{
    [Test]
    [CancelAfter(10_000)]
    public async Task CreateNetworkAsync_CallerMutatesInputListAfterwards_StoredNetworkIsUnchanged(CancellationToken cancellationToken)
    {
        var hcn = new MemoryHcn();
        var policies = new List<NetworkPolicy> { NetworkPolicy.Create(new NetAdapterNamePolicySetting { NetworkAdapterName = "Ethernet" }) };
        var network = await hcn.CreateNetworkAsync(L2Bridge() with { Policies = policies }, cancellationToken);

        policies.Clear();

        Assert.That((await hcn.GetNetworkAsync(network.Id, cancellationToken)).Policies, Has.Count.EqualTo(1));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task GetNetworkAsync_CallerMutatesReturnedList_StoredNetworkIsUnchanged(CancellationToken cancellationToken)
    {
        var hcn = new MemoryHcn();
        var created = await hcn.CreateNetworkAsync(L2Bridge(), cancellationToken);
        var read = await hcn.GetNetworkAsync(created.Id, cancellationToken);

        if (read.Ipams is IList<Ipam> { IsReadOnly: false } mutable)
        {
            mutable.Clear();
        }

        Assert.That((await hcn.GetNetworkAsync(created.Id, cancellationToken)).Ipams, Has.Count.EqualTo(1));
        Assert.That(read, Is.Not.SameAs(created));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task CreateEndpointAsync_NoIp_AllocatesFirstFreeAddressAfterTheGateway(CancellationToken cancellationToken)
    {
        var hcn = new MemoryHcn();
        var network = await hcn.CreateNetworkAsync(L2Bridge(), cancellationToken);
        await hcn.CreateEndpointAsync(network.Id, Endpoint("10.244.1.2", "taken"), cancellationToken);

        var endpoint = await hcn.CreateEndpointAsync(network.Id, Endpoint(null), cancellationToken);

        Assert.That(endpoint.IpConfigurations?.Select(c => (c.IpAddress, c.PrefixLength)), Is.EqualTo(new[] { ("10.244.1.3", (byte)24) }));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task CreateEndpointAsync_NoPrefixLength_TakesTheSubnets(CancellationToken cancellationToken)
    {
        var hcn = new MemoryHcn();
        var network = await hcn.CreateNetworkAsync(L2Bridge(), cancellationToken);

        var endpoint = await hcn.CreateEndpointAsync(network.Id, Endpoint("10.244.1.10"), cancellationToken);

        Assert.That(endpoint.IpConfigurations?[0].PrefixLength, Is.EqualTo(24));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task CreateEndpointAsync_MacPool_AllocatesSequentiallyAndSkipsTakenMacs(CancellationToken cancellationToken)
    {
        var hcn = new MemoryHcn();
        var pool = new MacPool { Ranges = [new MacRange { StartMacAddress = "00-15-5D-AA-00-00", EndMacAddress = "00-15-5D-AA-00-03" }] };
        var network = await hcn.CreateNetworkAsync(L2Bridge(macPool: pool), cancellationToken);
        await hcn.CreateEndpointAsync(network.Id, Endpoint("10.244.1.9", "pinned") with { MacAddress = "00-15-5d-aa-00-01" }, cancellationToken);

        var macs = new List<string?>();
        for (var host = 10; host < 13; host++)
        {
            macs.Add((await hcn.CreateEndpointAsync(network.Id, Endpoint($"10.244.1.{host}", $"ep{host}"), cancellationToken)).MacAddress);
        }

        Assert.That(macs, Is.EqualTo(new[] { "00-15-5D-AA-00-00", "00-15-5D-AA-00-02", "00-15-5D-AA-00-03" }));
        var ex = Assert.ThrowsAsync<HcnException>(() => hcn.CreateEndpointAsync(network.Id, Endpoint("10.244.1.20", "full"), cancellationToken));
        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.AddrInvalidOrReserved));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task CreateEndpointAsync_NoMacPool_UsesTheHyperVPrefix(CancellationToken cancellationToken)
    {
        var hcn = new MemoryHcn();
        var network = await hcn.CreateNetworkAsync(L2Bridge(), cancellationToken);

        var endpoint = await hcn.CreateEndpointAsync(network.Id, Endpoint("10.244.1.10"), cancellationToken);

        Assert.That(endpoint.MacAddress, Does.StartWith("00-15-5D-"));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task CreateEndpointAsync_RemoteEndpointOutsideLocalSubnet_IsAccepted(CancellationToken cancellationToken)
    {
        var hcn = new MemoryHcn();
        var network = await hcn.CreateNetworkAsync(Overlay(), cancellationToken);

        var remote = await hcn.CreateEndpointAsync(network.Id, Endpoint("10.244.3.7", "remote") with
        {
            Flags = EndpointFlags.RemoteEndpoint,
            Policies = [EndpointPolicy.Create(new ProviderAddressPolicySetting { ProviderAddress = "192.0.2.11" })],
        }, cancellationToken);

        Assert.That(remote.Flags, Is.EqualTo(EndpointFlags.RemoteEndpoint));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task CreateNetworkAsync_Overlay_ReportsTheManagementIpAsProviderAddress(CancellationToken cancellationToken)
    {
        var hcn = new MemoryHcn(new MemoryHcnOptions { ManagementIp = "192.0.2.77" });

        var network = await hcn.CreateNetworkAsync(Overlay(), cancellationToken);

        var pa = network.Policies?.Select(p => p.GetSettings<ProviderAddressPolicySetting>()).OfType<ProviderAddressPolicySetting>().Single();
        Assert.That(pa?.ProviderAddress, Is.EqualTo("192.0.2.77"));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task CreateNetworkAsync_OverlayWithoutManagementIp_OnlyTheDrMacAddressAdded(CancellationToken cancellationToken)
    {
        var hcn = new MemoryHcn(new MemoryHcnOptions { ManagementIp = null });

        var network = await hcn.CreateNetworkAsync(Overlay(), cancellationToken);

        Assert.That((network.Policies ?? []).Select(p => p.Type), Is.EqualTo(new[] { NetworkPolicyType.DrMacAddress }));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task CreateNetworkAsync_Overlay_HnsAddsAStableDrMacAddress(CancellationToken cancellationToken)
    {
        // flannel reads the VTEP MAC back from the DrMacAddress HNS gives the network (vxlan_windows.go).
        var hcn = new MemoryHcn();

        var network = await hcn.CreateNetworkAsync(Overlay(), cancellationToken);
        var again = await hcn.GetNetworkAsync(network.Id, cancellationToken);

        var mac = network.Policies!.Select(p => p.GetSettings<DrMacAddressPolicySetting>()).OfType<DrMacAddressPolicySetting>().Single().Address;
        Assert.That(mac, Does.Match("^00-15-5D-[0-9A-F]{2}-[0-9A-F]{2}-[0-9A-F]{2}$"));
        Assert.That(again.Policies!.Select(p => p.GetSettings<DrMacAddressPolicySetting>()?.Address).OfType<string>().Single(), Is.EqualTo(mac));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task CreateNetworkAsync_RequestedId_IsHonoured(CancellationToken cancellationToken)
    {
        var hcn = new MemoryHcn();
        var id = Guid.NewGuid();

        var network = await hcn.CreateNetworkAsync(L2Bridge() with { Id = id }, cancellationToken);

        Assert.That(network.Id, Is.EqualTo(id));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task UpdateEndpointPoliciesAsync_Acls_ReplacesOnlyThatType(CancellationToken cancellationToken)
    {
        IHcn hcn = new MemoryHcn();
        var network = await hcn.CreateNetworkAsync(L2Bridge(), cancellationToken);
        static EndpointPolicy Acl(ushort priority) => EndpointPolicy.Create(new AclPolicySetting { Action = ActionType.Allow, Direction = DirectionType.In, Priority = priority });
        var endpoint = await hcn.CreateEndpointAsync(network.Id, Endpoint("10.244.1.10", "a", Acl(100), Acl(200), HostPort(8080)), cancellationToken);

        var updated = await hcn.UpdateEndpointPoliciesAsync(endpoint.Id, [Acl(300)], cancellationToken);

        Assert.That(updated.Policies?.Select(p => p.Type), Is.EquivalentTo(new[] { EndpointPolicyType.PortMapping, EndpointPolicyType.Acl }));
        Assert.That(updated.Policies?.Select(p => p.GetSettings<AclPolicySetting>()?.Priority).OfType<ushort>(), Is.EqualTo(new ushort[] { 300 }));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task RemoveEndpointPoliciesAsync_HostPort_FreesItForOthers(CancellationToken cancellationToken)
    {
        IHcn hcn = new MemoryHcn();
        var network = await hcn.CreateNetworkAsync(L2Bridge(), cancellationToken);
        var first = await hcn.CreateEndpointAsync(network.Id, Endpoint("10.244.1.10", "a", HostPort(8080)), cancellationToken);
        await hcn.RemoveEndpointPoliciesAsync(first.Id, [HostPort(8080)], cancellationToken);

        var second = await hcn.CreateEndpointAsync(network.Id, Endpoint("10.244.1.11", "b", HostPort(8080)), cancellationToken);

        Assert.That(second.Policies, Has.Count.EqualTo(1));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task DeleteEndpointAsync_LoadBalancerBackendAndRouteEndpoint_AreDropped(CancellationToken cancellationToken)
    {
        var hcn = new MemoryHcn();
        var network = await hcn.CreateNetworkAsync(L2Bridge(), cancellationToken);
        var keep = await hcn.CreateEndpointAsync(network.Id, Endpoint("10.244.1.10", "keep"), cancellationToken);
        var drop = await hcn.CreateEndpointAsync(network.Id, Endpoint("10.244.1.11", "drop"), cancellationToken);
        var lb = await hcn.CreateLoadBalancerAsync(ClusterIp(keep.Id, "10.96.0.10", 80) with { HostComputeEndpoints = [keep.Id, drop.Id] }, cancellationToken);
        var route = await hcn.CreateSdnRouteAsync(new HostComputeRoute
        {
            HostComputeEndpoints = [keep.Id, drop.Id],
            Routes = [new SdnRoutePolicySetting { DestinationPrefix = "10.96.0.0/12", NeedEncap = true }],
        }, cancellationToken);

        await hcn.DeleteEndpointAsync(drop.Id, cancellationToken);

        Assert.That((await hcn.GetLoadBalancerAsync(lb.Id, cancellationToken)).HostComputeEndpoints, Is.EqualTo(new[] { keep.Id }));
        Assert.That((await hcn.GetSdnRouteAsync(route.Id, cancellationToken)).HostComputeEndpoints, Is.EqualTo(new[] { keep.Id }));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task DeleteEndpointAsync_BackendModifiedAwayAndBack_DroppedOnlyWhereListed(CancellationToken cancellationToken)
    {
        var hcn = new MemoryHcn();
        var network = await hcn.CreateNetworkAsync(L2Bridge(), cancellationToken);
        var keep = await hcn.CreateEndpointAsync(network.Id, Endpoint("10.244.1.10", "keep"), cancellationToken);
        var drop = await hcn.CreateEndpointAsync(network.Id, Endpoint("10.244.1.11", "drop"), cancellationToken);
        var moved = await hcn.CreateLoadBalancerAsync(ClusterIp(keep.Id, "10.96.0.10", 80) with { HostComputeEndpoints = [keep.Id, drop.Id] }, cancellationToken);
        var other = await hcn.CreateLoadBalancerAsync(ClusterIp(drop.Id, "10.96.0.11", 80) with { HostComputeEndpoints = [drop.Id, keep.Id] }, cancellationToken);
        var gone = await hcn.CreateLoadBalancerAsync(ClusterIp(drop.Id, "10.96.0.12", 80) with { HostComputeEndpoints = [drop.Id] }, cancellationToken);

        // The backend index follows modifies and deletes of the load balancers, not only their creation.
        await hcn.ModifyLoadBalancerAsync(moved.Id, moved with { HostComputeEndpoints = [keep.Id] }, cancellationToken);
        await hcn.ModifyLoadBalancerAsync(moved.Id, moved with { HostComputeEndpoints = [keep.Id, drop.Id] }, cancellationToken);
        await hcn.DeleteLoadBalancerAsync(gone.Id, cancellationToken);
        await hcn.DeleteEndpointAsync(drop.Id, cancellationToken);

        Assert.That((await hcn.GetLoadBalancerAsync(moved.Id, cancellationToken)).HostComputeEndpoints, Is.EqualTo(new[] { keep.Id }));
        Assert.That((await hcn.GetLoadBalancerAsync(other.Id, cancellationToken)).HostComputeEndpoints, Is.EqualTo(new[] { keep.Id }));
        Assert.That(async () => await hcn.GetLoadBalancerAsync(gone.Id, cancellationToken), Throws.InstanceOf<HcnException>());
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task EnumerateEndpointsAsync_ByNetworkName_ReturnsThatNetworksEndpoints(CancellationToken cancellationToken)
    {
        var hcn = new MemoryHcn();
        var a = await hcn.CreateNetworkAsync(L2Bridge("a", "10.244.1"), cancellationToken);
        var b = await hcn.CreateNetworkAsync(L2Bridge("b", "10.244.2"), cancellationToken);
        var inA = await hcn.CreateEndpointAsync(a.Id, Endpoint("10.244.1.10"), cancellationToken);
        await hcn.CreateEndpointAsync(b.Id, Endpoint("10.244.2.10"), cancellationToken);

        var found = await hcn.EnumerateEndpointsAsync(
            HostComputeQuery.Create(new HostComputeQueryFilter { VirtualNetworkName = "a" }), cancellationToken);

        Assert.That(found.Select(e => e.Id), Is.EqualTo(new[] { inA.Id }));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task EnumerateLoadBalancersAsync_ByName_MatchesNothing(CancellationToken cancellationToken)
    {
        var hcn = new MemoryHcn();
        var network = await hcn.CreateNetworkAsync(L2Bridge(), cancellationToken);
        var backend = await hcn.CreateEndpointAsync(network.Id, Endpoint("10.244.1.10"), cancellationToken);
        await hcn.CreateLoadBalancerAsync(ClusterIp(backend.Id, "10.96.0.10", 80), cancellationToken);

        var found = await hcn.EnumerateLoadBalancersAsync(HostComputeQuery.ByName("anything"), cancellationToken);

        Assert.That(found, Is.Empty);
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task EnumerateNamespacesAsync_IsDefaultFilter_IgnoredAsAV1OnlyKey(CancellationToken cancellationToken)
    {
        var hcn = new MemoryHcn();
        var host = await hcn.CreateNamespaceAsync(new HostComputeNamespace { Type = NamespaceType.Host }, cancellationToken);
        var hostDefault = await hcn.CreateNamespaceAsync(new HostComputeNamespace { Type = NamespaceType.HostDefault }, cancellationToken);

        var filtered = await hcn.EnumerateNamespacesAsync(HostComputeQuery.DefaultNamespace(), cancellationToken);
        var byType = await hcn.FindHostDefaultNamespaceAsync(cancellationToken);

        // The emulator assumes the worst of HNS for a key the v2 schema does not have; selecting by Type still answers right.
        Assert.That(filtered.Select(n => n.Id), Is.EquivalentTo(new[] { host.Id, hostDefault.Id }));
        Assert.That(byType!.Id, Is.EqualTo(hostDefault.Id));
        Assert.That(hostDefault.NamespaceId, Is.EqualTo(1));
        Assert.That(host.NamespaceId, Is.GreaterThan(1));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task CreateNamespaceAsync_Several_GetDistinctCompartments(CancellationToken cancellationToken)
    {
        var hcn = new MemoryHcn();

        var a = await hcn.CreateNamespaceAsync(new HostComputeNamespace { Type = NamespaceType.Host }, cancellationToken);
        var b = await hcn.CreateNamespaceAsync(new HostComputeNamespace { Type = NamespaceType.Host }, cancellationToken);

        Assert.That(b.NamespaceId, Is.Not.EqualTo(a.NamespaceId));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task ModifyNamespaceAsync_ContainerAddThenRemove_TracksTheContainer(CancellationToken cancellationToken)
    {
        var hcn = new MemoryHcn();
        var ns = await hcn.CreateNamespaceAsync(new HostComputeNamespace { Type = NamespaceType.Host }, cancellationToken);

        var added = await hcn.ModifyNamespaceAsync(ns.Id, ModifyNamespaceSettingRequest.ForContainer(RequestType.Add, "c0ffee"), cancellationToken);
        var twice = Assert.ThrowsAsync<HcnException>(() => hcn.ModifyNamespaceAsync(ns.Id, ModifyNamespaceSettingRequest.ForContainer(RequestType.Add, "c0ffee"), cancellationToken));
        var removed = await hcn.ModifyNamespaceAsync(ns.Id, ModifyNamespaceSettingRequest.ForContainer(RequestType.Remove, "c0ffee"), cancellationToken);

        Assert.That(added.Resources?.Select(r => (r.Type, r.Data.Id)), Is.EqualTo(new[] { (NamespaceResourceType.Container, "c0ffee") }));
        Assert.That(twice!.IsAlreadyExists, Is.True);
        Assert.That(removed.Resources ?? [], Is.Empty);
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task CreateEndpointAsync_ManyConcurrentWithoutIps_AllocatesDistinctAddresses(CancellationToken cancellationToken)
    {
        var hcn = new MemoryHcn();
        var network = await hcn.CreateNetworkAsync(L2Bridge(), cancellationToken);

        var endpoints = await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            Task.Run(() => hcn.CreateEndpointAsync(network.Id, Endpoint(null, $"ep{i}"), cancellationToken), cancellationToken)));

        Assert.That(endpoints.Select(e => e.IpConfigurations![0].IpAddress).Distinct().Count(), Is.EqualTo(200));
        Assert.That(endpoints.Select(e => e.MacAddress).Distinct().Count(), Is.EqualTo(200));
        Assert.That(hcn.GetCallCount(MemoryHcnOperation.CreateEndpoint), Is.EqualTo(200));
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task MixedOperations_ConcurrentCreateAttachDelete_LeaveConsistentState(CancellationToken cancellationToken)
    {
        IHcn hcn = new MemoryHcn();
        var network = await hcn.CreateNetworkAsync(L2Bridge(), cancellationToken);

        await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(async () =>
        {
            var ns = await hcn.CreateNamespaceAsync(new HostComputeNamespace { Type = NamespaceType.Host }, cancellationToken);
            var ep = await hcn.CreateEndpointAsync(network.Id, Endpoint(null, $"ep{i}"), cancellationToken);
            await hcn.AddNamespaceEndpointAsync(ns.Id, ep.Id, cancellationToken);
            if (i % 2 == 0)
            {
                await hcn.DeleteEndpointAsync(ep.Id, cancellationToken);
                await hcn.DeleteNamespaceAsync(ns.Id, cancellationToken);
            }
        }, cancellationToken)));

        var endpoints = await hcn.EnumerateEndpointsAsync(null, cancellationToken);
        var namespaces = await hcn.EnumerateNamespacesAsync(null, cancellationToken);
        Assert.That(endpoints, Has.Count.EqualTo(32));
        Assert.That(namespaces, Has.Count.EqualTo(32));
        Assert.That(endpoints.Select(e => e.HostComputeNamespace), Is.EquivalentTo(namespaces.Select(n => n.Id)));
    }
}
