using System.Net;
using Cni.Hcn.HostRouting;
using Cni.Hcn.Memory;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;
using Cni.Node.Configuration;
using Cni.Node.Kubernetes.Flannel;
using Cni.Node.Peers;
using Cni.Node.Tests.Pods;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cni.Node.Tests.Peers;

public sealed class PeerRouteReconcilerTests
{
    private const string P = FlannelAnnotations.DefaultPrefix;
    private const string Self = "self";

    private static V1Node Node(string name, string? podCidr, string? publicIp, string backend = "vxlan", string? data = null) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            Annotations = new Dictionary<string, string>
            {
                [P + "/backend-type"] = backend,
                [P + "/backend-data"] = data ?? (backend == "vxlan" ? """{"VNI":4096,"VtepMAC":"0e:2a:c0:00:02:14"}""" : "null"),
                [P + "/kube-subnet-manager"] = "true",
            }.Concat(publicIp is null ? [] : new[] { KeyValuePair.Create(P + "/public-ip", publicIp) }).ToDictionary(),
        },
        Spec = new V1NodeSpec { PodCIDR = podCidr, PodCIDRs = podCidr is null ? null : [podCidr] },
    };

    private static PeerRouteReconciler Reconciler(NodeHarness node) =>
        new(node.Hcn, node.HostRouting, node.Network, node.Options, new FlannelAnnotations(), NullLogger<PeerRouteReconciler>.Instance);

    private static async Task<List<RemoteSubnetRoutePolicySetting>> RemoteSubnetRoutesAsync(NodeHarness node) =>
        [.. ((await node.Hcn.GetNetworkAsync(node.Network.NetworkId!.Value, CancellationToken.None)).Policies ?? [])
            .Select(p => p.GetSettings<RemoteSubnetRoutePolicySetting>()).OfType<RemoteSubnetRoutePolicySetting>()];

    [Test]
    public async Task ReconcileAsync_OverlayPeer_AddsRemoteSubnetRouteWithPeerFacts()
    {
        await using var node = await NodeHarness.CreateAsync();
        var reconciler = Reconciler(node);

        var report = await reconciler.ReconcileAsync([Node(Self, "10.244.1.0/24", "192.0.2.10"), Node("n2", "10.244.2.0/24", "192.0.2.11")], Self, CancellationToken.None);

        Assert.That(report.Added, Has.Count.EqualTo(1));
        var routes = await RemoteSubnetRoutesAsync(node);
        Assert.That(routes, Has.Count.EqualTo(1));
        Assert.That(routes[0].DestinationPrefix, Is.EqualTo("10.244.2.0/24"));
        Assert.That(routes[0].ProviderAddress, Is.EqualTo("192.0.2.11"));
        Assert.That(routes[0].IsolationId, Is.EqualTo(4096u));
        Assert.That(routes[0].DistributedRouterMacAddress, Is.EqualTo("0E-2A-C0-00-02-14"));
    }

    [Test]
    public async Task ReconcileAsync_SecondPassUnchanged_MakesNoHcnChange()
    {
        await using var node = await NodeHarness.CreateAsync();
        var reconciler = Reconciler(node);
        V1Node[] nodes = [Node("n2", "10.244.2.0/24", "192.0.2.11"), Node("n3", "10.244.3.0/24", "192.0.2.12")];
        await reconciler.ReconcileAsync(nodes, Self, CancellationToken.None);
        node.Hcn.ResetCallCounts();

        var report = await reconciler.ReconcileAsync(nodes, Self, CancellationToken.None);

        Assert.That(report.Changed, Is.False);
        Assert.That(report.Desired, Has.Count.EqualTo(2));
        Assert.That(node.Hcn.GetCallCount(MemoryHcnOperation.ModifyNetwork), Is.Zero);
    }

    [Test]
    public async Task ReconcileAsync_PeerDeleted_RemovesItsRouteOnly()
    {
        await using var node = await NodeHarness.CreateAsync();
        var reconciler = Reconciler(node);
        await reconciler.ReconcileAsync([Node("n2", "10.244.2.0/24", "192.0.2.11"), Node("n3", "10.244.3.0/24", "192.0.2.12")], Self, CancellationToken.None);

        var report = await reconciler.ReconcileAsync([Node("n3", "10.244.3.0/24", "192.0.2.12")], Self, CancellationToken.None);

        Assert.That(report.Removed.Select(r => r.Destination.ToString()), Is.EqualTo(new[] { "10.244.2.0/24" }));
        Assert.That((await RemoteSubnetRoutesAsync(node)).Select(r => r.DestinationPrefix), Is.EqualTo(new[] { "10.244.3.0/24" }));
    }

    [Test]
    public async Task ReconcileAsync_PeerAddressChanged_ReplacesRouteForSamePrefix()
    {
        await using var node = await NodeHarness.CreateAsync();
        var reconciler = Reconciler(node);
        await reconciler.ReconcileAsync([Node("n2", "10.244.2.0/24", "192.0.2.11")], Self, CancellationToken.None);

        await reconciler.ReconcileAsync([Node("n2", "10.244.2.0/24", "192.0.2.99")], Self, CancellationToken.None);

        var routes = await RemoteSubnetRoutesAsync(node);
        Assert.That(routes.Select(r => (r.DestinationPrefix, r.ProviderAddress)), Is.EqualTo(new[] { ("10.244.2.0/24", "192.0.2.99") }));
    }

    [Test]
    public async Task ReconcileAsync_RouteRemovedOutOfBand_ComesBack()
    {
        await using var node = await NodeHarness.CreateAsync();
        var reconciler = Reconciler(node);
        V1Node[] nodes = [Node("n2", "10.244.2.0/24", "192.0.2.11")];
        await reconciler.ReconcileAsync(nodes, Self, CancellationToken.None);
        var networkId = node.Network.NetworkId!.Value;
        var network = await node.Hcn.GetNetworkAsync(networkId, CancellationToken.None);
        await ((Cni.Hcn.IHcn)node.Hcn).RemoveNetworkPoliciesAsync(networkId, [.. network.Policies!.Where(p => p.Type == NetworkPolicyType.RemoteSubnetRoute)], CancellationToken.None);

        var report = await reconciler.ReconcileAsync(nodes, Self, CancellationToken.None);

        Assert.That(report.Added, Has.Count.EqualTo(1));
        Assert.That(await RemoteSubnetRoutesAsync(node), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task ReconcileAsync_MalformedPeers_SkippedWithFieldWhileOthersAreRouted()
    {
        await using var node = await NodeHarness.CreateAsync();
        var reconciler = Reconciler(node);

        var report = await reconciler.ReconcileAsync(
        [
            Node("bad-data", "10.244.4.0/24", "192.0.2.14", data: "{not json"),
            Node("bad-ip", "10.244.5.0/24", "not-an-ip"),
            Node("no-cidr", null, "192.0.2.16"),
            Node("other-vni", "10.244.6.0/24", "192.0.2.17", data: """{"VNI":4097,"VtepMAC":"0e:2a:c0:00:02:15"}"""),
            Node("host-gw", "10.244.7.0/24", "192.0.2.18", backend: "host-gw"),
            Node("overlaps-self", "10.244.1.0/25", "192.0.2.19"),
            Node("good", "10.244.2.0/24", "192.0.2.11"),
        ], Self, CancellationToken.None);

        Assert.That(report.Desired.Select(r => r.NodeName), Is.EqualTo(new[] { "good" }));
        var reasons = report.Skipped.ToDictionary(s => s.NodeName, s => s.Reason);
        Assert.That(reasons.Keys, Is.EquivalentTo(new[] { "bad-data", "bad-ip", "no-cidr", "other-vni", "host-gw", "overlaps-self" }));
        Assert.That(reasons["bad-data"], Does.Contain("backend-data"));
        Assert.That(reasons["bad-ip"], Does.Contain("public-ip"));
        Assert.That(reasons["other-vni"], Does.Contain("VNI 4097"));
        Assert.That(reasons["host-gw"], Does.Contain("same backend"));
        Assert.That(reasons["overlaps-self"], Does.Contain("overlaps this node's own pod CIDR"));
        Assert.That(report.Skipped.Where(p => p.IsIncomplete).Select(p => p.NodeName), Is.EqualTo(new[] { "no-cidr" }),
            "only a peer that has not published yet is incomplete; the others are a person's to fix (Events on them)");
        Assert.That(await RemoteSubnetRoutesAsync(node), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task ReconcileAsync_TwoPeersClaimSameCidr_FirstByNameWins()
    {
        await using var node = await NodeHarness.CreateAsync();
        var reconciler = Reconciler(node);

        var report = await reconciler.ReconcileAsync([Node("n9", "10.244.2.0/24", "192.0.2.19"), Node("n2", "10.244.2.0/24", "192.0.2.11")], Self, CancellationToken.None);

        Assert.That(report.Desired.Select(r => r.NodeName), Is.EqualTo(new[] { "n2" }));
        Assert.That(report.Skipped.Single().Reason, Does.Contain("overlaps 10.244.2.0/24 of Node 'n2'"));
    }

    [Test]
    public async Task ReconcileAsync_L2Bridge_HostRouteViaPeerNodeIpOutOfTheManagementVnic()
    {
        // flannel host-gw on Windows: New-NetRoute -InterfaceIndex <management vNIC> -DestinationPrefix <peer subnet> -NextHop <peer IP>.
        await using var node = await NodeHarness.CreateAsync(NetworkMode.L2Bridge);
        var reconciler = Reconciler(node);

        var report = await reconciler.ReconcileAsync([Node("n2", "10.244.2.0/24", "192.0.2.11", backend: "host-gw")], Self, CancellationToken.None);

        Assert.That(report.Added, Has.Count.EqualTo(1));
        Assert.That(node.HostRouting.Routes.Select(r => r.ToString()), Is.EqualTo(new[] { $"10.244.2.0/24 via 192.0.2.11 if#{NodeHarness.ManagementIndex} metric 256" }));
        Assert.That(await node.Hcn.EnumerateSdnRoutesAsync(null, CancellationToken.None), Is.Empty, "no SDN routes: HNS has no part in host routing");
    }

    [Test]
    public async Task ReconcileAsync_L2BridgeDualStackPeer_Ipv6PodCidrViaItsPublicIpv6OrIpv6InternalIp()
    {
        await using var node = await NodeHarness.CreateAsync(
            NetworkMode.L2Bridge,
            ["10.244.1.0/24", "fd00:10:244:1::/64"],
            o => o with { ClusterCidrs = [.. o.ClusterCidrs, System.Net.IPNetwork.Parse("fd00:10:244::/56")] });
        var reconciler = Reconciler(node);
        V1Node DualStack(string name, int n, string? publicIpv6, string? internalIpv6)
        {
            var peer = Node(name, $"10.244.{n}.0/24", $"192.0.2.{10 + n}", backend: "host-gw");
            peer.Spec.PodCIDRs = [$"10.244.{n}.0/24", $"fd00:10:244:{n}::/64"];
            if (publicIpv6 is not null)
            {
                peer.Metadata.Annotations[P + "/public-ipv6"] = publicIpv6;
            }

            peer.Status = new V1NodeStatus { Addresses = internalIpv6 is null ? [] : [new V1NodeAddress { Type = "InternalIP", Address = internalIpv6 }] };
            return peer;
        }

        await reconciler.ReconcileAsync(
            [DualStack("n2", 2, "2001:db8::12", null), DualStack("n3", 3, null, "2001:db8::13"), DualStack("n4", 4, null, null)], Self, CancellationToken.None);

        var routes = node.HostRouting.Routes.Select(r => (r.Destination.ToString(), r.NextHop.ToString())).Order().ToList();
        Assert.That(routes, Is.EqualTo(new[]
        {
            ("10.244.2.0/24", "192.0.2.12"),
            ("10.244.3.0/24", "192.0.2.13"),
            ("10.244.4.0/24", "192.0.2.14"),
            ("fd00:10:244:2::/64", "2001:db8::12"),
            ("fd00:10:244:3::/64", "2001:db8::13"),
        }).AsCollection, "n4 has no IPv6 underlay address: its IPv6 pod CIDR gets no route");
    }

    [Test]
    public async Task ReconcileAsync_L2BridgePeerGone_ItsRouteRemovedOthersKept()
    {
        await using var node = await NodeHarness.CreateAsync(NetworkMode.L2Bridge);
        var reconciler = Reconciler(node);
        await reconciler.ReconcileAsync([Node("n2", "10.244.2.0/24", "192.0.2.11", backend: "host-gw"), Node("n3", "10.244.3.0/24", "192.0.2.12", backend: "host-gw")], Self, CancellationToken.None);

        var report = await reconciler.ReconcileAsync([Node("n3", "10.244.3.0/24", "192.0.2.12", backend: "host-gw")], Self, CancellationToken.None);

        Assert.That(report.Removed.Select(r => r.Destination.ToString()), Is.EqualTo(new[] { "10.244.2.0/24" }));
        Assert.That(node.HostRouting.Routes.Select(r => r.Destination.ToString()), Is.EqualTo(new[] { "10.244.3.0/24" }));
    }

    [Test]
    public async Task ReconcileAsync_L2BridgeRoutesOfOthers_LeftAloneStaleClusterRouteRemoved()
    {
        // The host's table is shared: only gateway routes inside a cluster CIDR are wincni's to remove.
        await using var node = await NodeHarness.CreateAsync(NetworkMode.L2Bridge);
        var reconciler = Reconciler(node);
        var foreign = new HostRoute(IPNetwork.Parse("172.16.0.0/16"), IPAddress.Parse("192.0.2.1"), NodeHarness.ManagementIndex);
        var wholeCluster = new HostRoute(IPNetwork.Parse("10.244.0.0/16"), IPAddress.Parse("192.0.2.1"), NodeHarness.ManagementIndex);
        var leftover = new HostRoute(IPNetwork.Parse("10.244.9.0/24"), IPAddress.Parse("192.0.2.19"), NodeHarness.ManagementIndex);
        foreach (var route in new[] { foreign, wholeCluster, leftover })
        {
            await node.HostRouting.AddRouteAsync(route, CancellationToken.None);
        }

        var report = await reconciler.ReconcileAsync([Node("n2", "10.244.2.0/24", "192.0.2.11", backend: "host-gw")], Self, CancellationToken.None);

        Assert.That(report.Removed.Select(r => r.Destination.ToString()), Is.EqualTo(new[] { "10.244.9.0/24" }));
        Assert.That(node.HostRouting.Routes.Select(r => r.Destination.ToString()), Is.EquivalentTo(new[] { "172.16.0.0/16", "10.244.0.0/16", "10.244.2.0/24" }));
    }

    [Test]
    public async Task ReconcileAsync_L2BridgePeerAddressChanged_RouteReplaced()
    {
        await using var node = await NodeHarness.CreateAsync(NetworkMode.L2Bridge);
        var reconciler = Reconciler(node);
        await reconciler.ReconcileAsync([Node("n2", "10.244.2.0/24", "192.0.2.11", backend: "host-gw")], Self, CancellationToken.None);

        await reconciler.ReconcileAsync([Node("n2", "10.244.2.0/24", "192.0.2.99", backend: "host-gw")], Self, CancellationToken.None);

        Assert.That(node.HostRouting.Routes.Select(r => (r.Destination.ToString(), r.NextHop.ToString())), Is.EqualTo(new[] { ("10.244.2.0/24", "192.0.2.99") }));
    }

    [Test]
    public async Task ReconcileAsync_L2BridgeRouteDeletedOutOfBand_ComesBackSecondPassQuiet()
    {
        await using var node = await NodeHarness.CreateAsync(NetworkMode.L2Bridge);
        var reconciler = Reconciler(node);
        V1Node[] nodes = [Node("n2", "10.244.2.0/24", "192.0.2.11", backend: "host-gw")];
        await reconciler.ReconcileAsync(nodes, Self, CancellationToken.None);
        await node.HostRouting.DeleteRouteAsync(node.HostRouting.Routes.Single(), CancellationToken.None);

        var healed = await reconciler.ReconcileAsync(nodes, Self, CancellationToken.None);
        var quiet = await reconciler.ReconcileAsync(nodes, Self, CancellationToken.None);

        Assert.That(healed.Added, Has.Count.EqualTo(1));
        Assert.That(quiet.Changed, Is.False);
        Assert.That(node.HostRouting.Routes, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task ReconcileAsync_L2BridgeManagementVnicRebuiltWithNewIndex_RoutesMoveToIt()
    {
        // HNS rebuilds the vNIC with a new ifIndex (flannel#1858); its routes went with the old one.
        await using var node = await NodeHarness.CreateAsync(NetworkMode.L2Bridge);
        var reconciler = Reconciler(node);
        V1Node[] nodes = [Node("n2", "10.244.2.0/24", "192.0.2.11", backend: "host-gw")];
        await reconciler.ReconcileAsync(nodes, Self, CancellationToken.None);
        node.HostRouting.RemoveInterface(NodeHarness.ManagementIndex);
        node.HostRouting.AddInterface(42, IPAddress.Parse(NodeHarness.NodeIpText));

        await reconciler.ReconcileAsync(nodes, Self, CancellationToken.None);

        Assert.That(node.HostRouting.Routes.Select(r => r.InterfaceIndex), Is.EqualTo(new[] { 42 }));
    }

    [Test]
    public async Task ReconcileAsync_L2BridgeSdnRoutesOfAnEarlierWincni_RemovedOnce()
    {
        await using var node = await NodeHarness.CreateAsync(NetworkMode.L2Bridge);
        var hostEndpoint = (await node.EndpointsAsync()).Single(e => e.Name == Cni.Node.Networks.EndpointNames.HostEndpointFor(NodeHarness.NetworkName));
        await node.Hcn.CreateSdnRouteAsync(new HostComputeRoute
        {
            HostComputeEndpoints = [hostEndpoint.Id],
            Routes = [new SdnRoutePolicySetting { DestinationPrefix = "10.244.2.0/24", NextHop = "192.0.2.11" }],
        }, CancellationToken.None);
        var reconciler = Reconciler(node);

        await reconciler.ReconcileAsync([Node("n2", "10.244.2.0/24", "192.0.2.11", backend: "host-gw")], Self, CancellationToken.None);
        node.Hcn.ResetCallCounts();
        await reconciler.ReconcileAsync([Node("n2", "10.244.2.0/24", "192.0.2.11", backend: "host-gw")], Self, CancellationToken.None);
        var enumerations = node.Hcn.GetCallCount(MemoryHcnOperation.EnumerateSdnRoutes);

        Assert.That(await node.Hcn.EnumerateSdnRoutesAsync(null, CancellationToken.None), Is.Empty);
        Assert.That(enumerations, Is.Zero, "checked once per process");
    }

    [Test]
    public async Task ReconcileAsync_NetworkNotReady_ReportsReasonAndChangesNothing()
    {
        await using var node = await NodeHarness.CreateAsync(ensure: false);
        var reconciler = Reconciler(node);

        var report = await reconciler.ReconcileAsync([Node("n2", "10.244.2.0/24", "192.0.2.11")], Self, CancellationToken.None);

        Assert.That(report.NotReadyReason, Is.Not.Null.And.Not.Empty);
        Assert.That(report.Changed, Is.False);
        Assert.That(reconciler.Last, Is.SameAs(report));
    }
}
