using SocketError = System.Net.Sockets.SocketError;
using Cni.Hcn.Kernel.Tests.Support;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Kernel.Tests.Packets;

/// <summary>
/// Dual-stack with real packets (see <see cref="DualStackDataplane"/>): pods with an IPv4 and an IPv6 address on
/// L2Bridge and Overlay networks of two nodes, ICMP and TCP in both families on one node and across nodes,
/// OutBoundNAT per family, and IPv6 ClusterIP and NodePort load balancers (ip6 wincni_services) beside IPv4 ones.
/// </summary>
[TestFixture]
[Category("Kernel")]
[NonParallelizable]
public sealed class DualStackPacketTests
{
    private const int EchoPort = 8080;
    private DualStackDataplane _dp = null!;
    private string _b1 = null!;
    private string _b1b = null!;
    private string _o1 = null!;

    [OneTimeSetUp]
    public async Task BuildAsync()
    {
        KernelTestGuard.Require();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        _dp = new DualStackDataplane();
        await _dp.BuildAsync(ct);

        // wincnid's OutBoundNAT policies for a dual-stack pod: one per family, the IPv6 one flagged, each with its
        // family's cluster CIDRs as exceptions.
        var nat4 = EndpointPolicy.Create(new OutboundNatPolicySetting { Exceptions = ["10.221.0.0/16", "10.222.0.0/16", "10.96.0.0/12"] });
        var nat6 = EndpointPolicy.Create(new OutboundNatPolicySetting
        {
            Exceptions = ["fd00:221::/48", "fd00:222::/48", "fd00:96::/112"], Flags = NatFlags.IPv6,
        });
        HostComputeEndpoint b1bEndpoint;
        (_b1, _) = await _dp.AddPodAsync(_dp.Node1, _dp.Bridge1, "b1", "10.222.1.10", "fd00:222:0:1::10", ct, nat4, nat6);
        (_b1b, b1bEndpoint) = await _dp.AddPodAsync(_dp.Node1, _dp.Bridge1, "b1b", "10.222.1.11", "fd00:222:0:1::11", ct, nat4, nat6);
        var (b2, _) = await _dp.AddPodAsync(_dp.Node2, _dp.Bridge2, "b2", "10.222.2.10", "fd00:222:0:2::10", ct, nat4, nat6);
        (_o1, _) = await _dp.AddPodAsync(_dp.Node1, _dp.Overlay1, "o1", "10.221.1.10", "fd00:221:0:1::10", ct, nat4, nat6);
        var (o2, _) = await _dp.AddPodAsync(_dp.Node2, _dp.Overlay2, "o2", "10.221.2.10", "fd00:221:0:2::10", ct, nat4, nat6);

        _dp.Serve(_b1b, "b1b", EchoPort);
        _dp.Serve(b2, "b2", EchoPort);
        _dp.Serve(o2, "o2", EchoPort);
        _dp.Serve(_dp.Netns.PathOf("ul"), "outside", 9000);

        // A Service of both families on node 1, as wincnid's service proxy makes it: per family a ClusterIP and a
        // NodePort load balancer (the IPv6 ones flagged IPv6) over a local backend and a remote endpoint.
        var remote = await _dp.Node1.CreateEndpointAsync(_dp.Bridge1.Id, new HostComputeEndpoint
        {
            Name = "b2-remote",
            IpConfigurations = [new IpConfig { IpAddress = "10.222.2.10" }, new IpConfig { IpAddress = "fd00:222:0:2::10" }],
            Flags = EndpointFlags.RemoteEndpoint,
        }, ct);
        Guid[] backends = [b1bEndpoint.Id, remote.Id];
        foreach (var (vip, flags) in new[] { ("10.96.0.50", LoadBalancerFlags.None), ("fd00:96::50", LoadBalancerFlags.IPv6) })
        {
            await _dp.Node1.CreateLoadBalancerAsync(new HostComputeLoadBalancer
            {
                HostComputeEndpoints = backends,
                FrontendVips = [vip],
                Flags = flags,
                PortMappings = [new LoadBalancerPortMapping { Protocol = ProtocolType.Tcp, ExternalPort = 80, InternalPort = EchoPort }],
            }, ct);
            await _dp.Node1.CreateLoadBalancerAsync(new HostComputeLoadBalancer
            {
                HostComputeEndpoints = backends,
                Flags = flags,
                PortMappings =
                [
                    new LoadBalancerPortMapping
                    {
                        Protocol = ProtocolType.Tcp, ExternalPort = 30080, InternalPort = EchoPort, Flags = LoadBalancerPortMappingFlags.LocalRoutedVip,
                    },
                ],
            }, ct);
        }
    }

    [OneTimeTearDown]
    public async Task TearDownAsync()
    {
        if (_dp is not null)
        {
            await _dp.DisposeAsync();
        }
    }

    [Test]
    public void Attach_DualStackPod_Ipv6AddressUsableAtOnceAndRoutesOfBothFamilies()
    {
        var addresses = _dp.Netns.Ip("b1", "-6 addr show dev eth0 scope global");
        var routes = _dp.Netns.Ip("b1", "-6 route show default");

        Assert.That(addresses, Does.Contain("inet6 fd00:222:0:1::10/64").And.Not.Contain("tentative"));
        Assert.That(routes, Does.Contain("default via fd00:222:0:1::2 dev eth0"));
        Assert.That(_dp.Netns.Ip("b1", "-4 route show default"), Does.Contain("default via 10.222.1.2 dev eth0"));
        Assert.That(_dp.Netns.Ip("o1", "-6 route show default"), Does.Contain("default via fd00:221:0:1::1 dev eth0"), "the subnet's gateway without endpoint routes");
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task Attach_NewPod_Ipv6UsableRightAfterAttach(CancellationToken cancellationToken)
    {
        var (pod, endpoint) = await _dp.AddPodAsync(_dp.Node1, _dp.Bridge1, "b1c", "10.222.1.12", "fd00:222:0:1::12", cancellationToken);
        try
        {
            // No duplicate address detection to wait for (nodad): the first connections, made right away, are answered.
            var local = Traffic.Tcp(pod, "fd00:222:0:1::11", EchoPort);
            var remote = Traffic.Tcp(pod, "fd00:222:0:2::10", EchoPort);

            Assert.That(local, Is.EqualTo("b1b fd00:222:0:1::12"));
            Assert.That(remote, Is.EqualTo("b2 fd00:222:0:1::12"));
            Assert.That(_dp.Netns.Ip("b1c", "-6 -o addr show scope global"), Does.Contain("fd00:222:0:1::12/64").And.Not.Contain("tentative"));
        }
        finally
        {
            var ns = (await _dp.Node1.GetEndpointAsync(endpoint.Id, CancellationToken.None)).HostComputeNamespace;
            await ((IHcn)_dp.Node1).RemoveNamespaceEndpointAsync(ns, endpoint.Id, CancellationToken.None);
            await _dp.Node1.DeleteEndpointAsync(endpoint.Id, CancellationToken.None);
            await _dp.Node1.DeleteNamespaceAsync(ns, CancellationToken.None);
        }
    }

    [Test]
    public void Network_DualStack_BridgeHostVnicAndVxlanCarryIpv6AndNodeForwardsIpv6()
    {
        var node = _dp.Netns.Ip("node1", "-6 addr show scope global");

        Assert.That(node, Does.Contain("inet6 fd00:222:0:1::1/64"), "the L2Bridge gateway on the bridge");
        Assert.That(node, Does.Contain("inet6 fd00:222:0:1::2/128"), "the host endpoint's vNIC");
        Assert.That(node, Does.Contain("inet6 fd00:221:0:1::/128"), "the IPv6 subnet's network address on the VXLAN device");
        Assert.That(node, Does.Not.Contain("tentative"));
        Assert.That(KernelTestGuard.Run("nsenter", $"--net={_dp.Netns.PathOf("node1")} cat /proc/sys/net/ipv6/conf/all/forwarding").Trim(), Is.EqualTo("1"));
        Assert.That(_dp.Netns.Ip("node1", "-6 route show fd00:221:0:2::/64"), Does.Contain("via fd00:221:0:2:: dev wcni-vx-4096").And.Contain("onlink"));
        Assert.That(_dp.Netns.Ip("node1", "-6 route show fd00:222:0:2::/64"), Does.Contain("via fd00:210::2"));
    }

    [TestCase("fd00:222:0:1::11", "b1b fd00:222:0:1::10")]
    [TestCase("10.222.1.11", "b1b 10.222.1.10")]
    public void PodToPod_SameNodeL2Bridge_PingAndTcpInBothFamilies(string target, string expected)
    {
        Assert.That(Traffic.Ping(_b1, target), Is.True);
        Assert.That(Traffic.Tcp(_b1, target, EchoPort), Is.EqualTo(expected));
    }

    [TestCase("fd00:222:0:2::10", "b2 fd00:222:0:1::10")]
    [TestCase("10.222.2.10", "b2 10.222.1.10")]
    public void PodToPod_AcrossNodesL2BridgeRoutes_PingAndTcpInBothFamilies(string target, string expected)
    {
        Assert.That(Traffic.Ping(_b1, target), Is.True);
        Assert.That(Traffic.Tcp(_b1, target, EchoPort), Is.EqualTo(expected), "the pod's own address arrives (cluster CIDRs are OutBoundNAT exceptions)");
    }

    [TestCase("fd00:221:0:2::10", "o2 fd00:221:0:1::10")]
    [TestCase("10.221.2.10", "o2 10.221.1.10")]
    public void PodToPod_AcrossNodesOverVxlan_PingAndTcpInBothFamilies(string target, string expected)
    {
        Assert.That(Traffic.Ping(_o1, target), Is.True);
        Assert.That(Traffic.Tcp(_o1, target, EchoPort), Is.EqualTo(expected));
    }

    [Test]
    public void PodToPod_AcrossNodesOverVxlanIpv6_OnlyEncapsulatedOnTheIpv4Underlay()
    {
        // The underlay knows no route to either overlay prefix: only VXLAN between the nodes' IPv4 addresses carries them.
        Assert.That(_dp.Netns.Ip("ul", "-6 route show"), Does.Not.Contain("fd00:221"));
        Assert.That(_dp.Netns.Ip("node1", "-6 neigh show dev wcni-vx-4096"), Does.Contain("fd00:221:0:2:: lladdr").And.Contain("PERMANENT"));
    }

    [TestCase(DualStackDataplane.Outside6, "outside fd00:210::1")]
    [TestCase(DualStackDataplane.Outside, "outside 192.168.210.1")]
    public void OutboundNat_PodToOutside_MasqueradedPerFamily(string target, string expected)
    {
        // b1 routes through the host endpoint (.2 / ::2): its packets enter node 1 on the host vNIC, not the bridge.
        Assert.That(Traffic.Ping(_b1, target), Is.True);
        Assert.That(Traffic.Tcp(_b1, target, 9000), Is.EqualTo(expected));
    }

    [Test]
    public void OutboundNat_DualStack_Ip6TableHoldsOnlyIpv6Rules()
    {
        var ip6 = _dp.Netns.Nft("node1", "list table ip6 " + Naming.DeviceNames.NetworkTable(Naming.DeviceNames.NetworkKey("l2b", _dp.Bridge1.Id)));
        var ip = _dp.Netns.Nft("node1", "list table ip " + Naming.DeviceNames.NetworkTable(Naming.DeviceNames.NetworkKey("l2b", _dp.Bridge1.Id)));

        Assert.That(ip6, Does.Contain("ip6 saddr fd00:222:0:1::/64 ip6 saddr != fd00:222:0:1::2 ip6 daddr != { fd00:96::/112, fd00:221::/48, fd00:222::/48 } masquerade"));
        Assert.That(ip6, Does.Match("iifname \\{ [^}]*\"wp[0-9a-f]{13}\"[^}]*\\} ip6 saddr fd00:222:0:1::/64"), "the host vNIC is an ingress of the network");
        Assert.That(ip6, Does.Contain("ether daddr 00:15:5d:").And.Contain("notrack"), "frames bridged to the host vNIC are tracked once it routes them");
        Assert.That(ip, Does.Contain("ip saddr 10.222.1.0/24 ip saddr != 10.222.1.2 ip daddr != { 10.96.0.0/12, 10.221.0.0-10.222.255.255 } masquerade"));
        Assert.That(ip, Does.Not.Contain("fd00"));
    }

    [TestCase("fd00:96::50", "fd00:222:0:1::10")]
    [TestCase("10.96.0.50", "10.222.1.10")]
    public void ClusterIp_BothFamilies_SpreadsOverLocalAndRemoteBackend(string vip, string client)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 40 && seen.Count < 2; i++)
        {
            if (Traffic.Tcp(_b1, vip, 80) is { } answer)
            {
                seen.Add(answer);
            }
        }

        Assert.That(seen, Is.EquivalentTo(new[] { $"b1b {client}", $"b2 {client}" }));
    }

    [TestCase("fd00:210::1", DualStackDataplane.Outside6, "b1b fd00:222:0:1::1", "b2 fd00:210::1")]
    [TestCase("192.168.210.1", DualStackDataplane.Outside, "b1b 10.222.1.1", "b2 192.168.210.1")]
    public void NodePort_FromUnderlay_ReachesBothBackendsMasqueraded(string nodeAddress, string outside, string local, string remote)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 40 && seen.Count < 2; i++)
        {
            if (Traffic.Tcp(_dp.Netns.PathOf("ul"), nodeAddress, 30080) is { } answer)
            {
                seen.Add(answer);
            }
        }

        // Masqueraded (not DSR): each backend sees node 1's address on the way to it, never the client's.
        Assert.That(seen, Is.EquivalentTo(new[] { local, remote }));
        Assert.That(seen, Has.None.EndsWith(outside));
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task ClusterIp_Ipv6WithoutBackends_RejectsThenServesOnceOneArrivesAndTableGoesWithTheLast(CancellationToken cancellationToken)
    {
        var lb = await _dp.Node1.CreateLoadBalancerAsync(new HostComputeLoadBalancer
        {
            FrontendVips = ["fd00:96::51"],
            Flags = LoadBalancerFlags.IPv6,
            PortMappings = [new LoadBalancerPortMapping { Protocol = ProtocolType.Tcp, ExternalPort = 80, InternalPort = EchoPort }],
        }, cancellationToken);
        try
        {
            var rejected = Traffic.TcpConnect(_b1, "fd00:96::51", 80);
            var b1b = (await _dp.Node1.EnumerateEndpointsAsync(null, cancellationToken)).Single(e => e.Name == "b1b_l2b");
            await _dp.Node1.ModifyLoadBalancerAsync(lb.Id, lb with { HostComputeEndpoints = [b1b.Id] }, cancellationToken);

            Assert.That(rejected, Is.EqualTo(SocketError.ConnectionRefused), "a TCP reset from the reject set");
            Assert.That(Traffic.Tcp(_b1, "fd00:96::51", 80), Is.EqualTo("b1b fd00:222:0:1::10"));
            Assert.That(_dp.Node1.ServicesResyncs, Is.Zero, "incremental ip6 transactions, never refused");
        }
        finally
        {
            await _dp.Node1.DeleteLoadBalancerAsync(lb.Id, CancellationToken.None);
        }

        Assert.That(_dp.Netns.Nft("node1", "list table ip6 wincni_services"), Does.Not.Contain("fd00:96::51"));
    }

    [Test]
    [Order(100)]
    [CancelAfter(60_000)]
    public async Task Restart_Node1_Ip6TablesRebuiltAndPodsKeepIpv6(CancellationToken cancellationToken)
    {
        _dp.Node1.Dispose();
        _dp.Node1 = new KernelHcn(_dp.Node1Options);
        await _dp.Node1.ReconcileAsync(cancellationToken);

        Assert.That(Traffic.Tcp(_b1, "fd00:222:0:2::10", EchoPort), Is.EqualTo("b2 fd00:222:0:1::10"));
        Assert.That(Traffic.Tcp(_b1, "fd00:96::50", 80), Does.Match("^(b1b|b2) fd00:222:0:1::10$"));
        Assert.That(_dp.Netns.Nft("node1", "list tables"), Does.Contain("table ip6 wincni_services"));
        Assert.That(_dp.Node1.NftablesDriftVerifications, Is.EqualTo(1), "both families' tables counted once at start, as just written");
        Assert.That(await _dp.Node1.CheckDriftAsync(cancellationToken), Is.Empty);
    }
}
