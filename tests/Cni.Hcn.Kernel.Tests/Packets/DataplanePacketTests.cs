using SocketError = System.Net.Sockets.SocketError;
using System.Text.RegularExpressions;
using Cni.Hcn.Kernel.Naming;
using Cni.Hcn.Kernel.Nftables;
using Cni.Hcn.Kernel.Tests.Support;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Kernel.Tests.Packets;

/// <summary>
/// Real packets through KernelHcn: pods as namespaces on two node namespaces (see <see cref="TwoNodeDataplane"/>),
/// checked with ICMP and TCP against small echo servers that report who answered and which source they saw. The
/// topology is built once for the fixture (the tests only send traffic, except the restart test, which runs last).
/// </summary>
[TestFixture]
[Category("Kernel")]
[NonParallelizable]
public sealed class DataplanePacketTests
{
    private const int EchoPort = 8080;
    private TwoNodeDataplane _dp = null!;
    private string _o1a = null!;
    private string _o1b = null!;
    private string _b1 = null!;
    private string _f3 = null!;
    private string _o1c = null!;
    private HostComputeEndpoint _o1aEndpoint = null!;

    [OneTimeSetUp]
    public async Task BuildAsync()
    {
        KernelTestGuard.Require();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        _dp = new TwoNodeDataplane();
        await _dp.BuildAsync(ct);

        var masqueradeOutside = EndpointPolicy.Create(new OutboundNatPolicySetting { Exceptions = ["10.201.0.0/16"] });
        var keepSourceToOutside = EndpointPolicy.Create(new OutboundNatPolicySetting { Exceptions = ["10.201.0.0/16", TwoNodeDataplane.Outside + "/32"] });
        (_o1a, _o1aEndpoint) = await _dp.AddPodAsync(_dp.Node1, _dp.Overlay1, "o1a", "10.201.1.10", ct, masqueradeOutside);
        (_o1b, _) = await _dp.AddPodAsync(_dp.Node1, _dp.Overlay1, "o1b", "10.201.1.11", ct, keepSourceToOutside);

        // A second pod with o1a's OutBoundNAT (so that exception list is the network's subnet-wide rule) and one without.
        await _dp.AddPodAsync(_dp.Node1, _dp.Overlay1, "o1d", "10.201.1.13", ct, masqueradeOutside);
        (_o1c, _) = await _dp.AddPodAsync(_dp.Node1, _dp.Overlay1, "o1c", "10.201.1.12", ct);
        var (o2a, o2aEndpoint) = await _dp.AddPodAsync(_dp.Node2, _dp.Overlay2, "o2a", "10.201.2.10", ct);
        (_b1, var b1Endpoint) = await _dp.AddPodAsync(_dp.Node1, _dp.Bridge1, "b1", "10.202.1.10", ct);
        var (b2, b2Endpoint) = await _dp.AddPodAsync(_dp.Node2, _dp.Bridge2, "b2", "10.202.2.10", ct);

        _dp.Serve(_o1a, "o1a", EchoPort);
        _dp.Serve(o2a, "o2a", EchoPort);
        _dp.Serve(b2, "b2", EchoPort);
        _dp.Serve(_dp.Netns.PathOf("ul"), "outside", 9000);

        // L2Bridge peers: each node routes the other's pod CIDR via the other node's underlay address.
        await _dp.Node1.CreateSdnRouteAsync(new HostComputeRoute
        {
            HostComputeEndpoints = [b1Endpoint.Id],
            Routes = [new SdnRoutePolicySetting { DestinationPrefix = "10.202.2.0/24", NextHop = "192.168.200.2" }],
        }, ct);
        await _dp.Node2.CreateSdnRouteAsync(new HostComputeRoute
        {
            HostComputeEndpoints = [b2Endpoint.Id],
            Routes = [new SdnRoutePolicySetting { DestinationPrefix = "10.202.1.0/24", NextHop = "192.168.200.1" }],
        }, ct);

        // Load balancers on node 1 with one local and one remote backend (a remote endpoint, as kube-proxy makes).
        var remote = await _dp.Node1.CreateEndpointAsync(_dp.Overlay1.Id, new HostComputeEndpoint
        {
            Name = "o2a-remote",
            IpConfigurations = [new IpConfig { IpAddress = "10.201.2.10" }],
            Flags = EndpointFlags.RemoteEndpoint,
        }, ct);
        Guid[] backends = [_o1aEndpoint.Id, remote.Id];
        await _dp.Node1.CreateLoadBalancerAsync(new HostComputeLoadBalancer
        {
            HostComputeEndpoints = backends,
            FrontendVips = ["10.96.0.50"],
            PortMappings = [new LoadBalancerPortMapping { Protocol = ProtocolType.Tcp, ExternalPort = 80, InternalPort = EchoPort }],
        }, ct);
        await _dp.Node1.CreateLoadBalancerAsync(new HostComputeLoadBalancer
        {
            HostComputeEndpoints = backends,
            FrontendVips = ["10.96.0.51"],
            PortMappings =
            [
                new LoadBalancerPortMapping
                {
                    Protocol = ProtocolType.Tcp, ExternalPort = 80, InternalPort = EchoPort, DistributionType = LoadBalancerDistribution.SourceIP,
                },
            ],
        }, ct);
        await _dp.Node1.CreateLoadBalancerAsync(new HostComputeLoadBalancer
        {
            HostComputeEndpoints = backends,
            PortMappings = [new LoadBalancerPortMapping { Protocol = ProtocolType.Tcp, ExternalPort = 30080, InternalPort = EchoPort }],
        }, ct);

        _f3 = await _dp.AddFlannelNodeAsync(ct);
        _dp.Serve(_f3, "f3", EchoPort);

        // hostPort added after creation (ModifyEndpoint path).
        await ((IHcn)_dp.Node1).AddEndpointPoliciesAsync(_o1aEndpoint.Id,
            [EndpointPolicy.Create(new PortMappingPolicySetting { Protocol = ProtocolType.Tcp, ExternalPort = 8081, InternalPort = EchoPort })], ct);
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
    public void PodToPod_SameNode_PingAndTcpReachPeer()
    {
        Assert.That(Traffic.Ping(_o1b, "10.201.1.10"), Is.True);
        Assert.That(Traffic.Tcp(_o1b, "10.201.1.10", EchoPort), Is.EqualTo("o1a 10.201.1.11"));
    }

    [Test]
    public void PodToPod_AcrossNodesOverVxlan_PingAndTcpReachPeer()
    {
        Assert.That(Traffic.Ping(_o1b, "10.201.2.10"), Is.True);
        Assert.That(Traffic.Tcp(_o1b, "10.201.2.10", EchoPort), Is.EqualTo("o2a 10.201.1.11"));
    }

    [Test]
    public void PodToPod_AcrossNodesOverVxlan_EncapsulatedOnTheUnderlay()
    {
        // The underlay has no route to the overlay: only VXLAN (UDP 4789 between the nodes) can carry these packets.
        Assert.That(_dp.Netns.Ip("ul", "route show"), Does.Not.Contain("10.201.2.0"));
        Assert.That(_dp.Netns.Ip("node1", "-d link show wcni-vx-4096"), Does.Contain("vxlan id 4096").And.Contain("dstport 4789").And.Contain("nolearning"));
        Assert.That(_dp.Netns.Ip("node1", "route show 10.201.2.0/24"), Does.Contain("via 10.201.2.0 dev wcni-vx-4096").And.Contain("onlink"));
    }

    [Test]
    public void PodToPod_WithFlannelLinuxVxlanNode_TrafficBothWays()
    {
        Assert.That(Traffic.Ping(_o1b, "10.201.3.10"), Is.True);
        Assert.That(Traffic.Tcp(_o1b, "10.201.3.10", EchoPort), Is.EqualTo("f3 10.201.1.11"));
        Assert.That(Traffic.Tcp(_f3, "10.201.1.10", EchoPort), Is.EqualTo("o1a 10.201.3.10"));
    }

    [Test]
    public void Endpoint_OnOverlay_PodInterfaceNamedWithMtuReducedByVxlanOverhead()
    {
        var link = _dp.Netns.Ip("o1b", "-o link show eth0");

        Assert.That(link, Does.Contain("mtu 1450"));
        Assert.That(_dp.Netns.Ip("o1b", "route show default"), Does.Contain("via 10.201.1.1 dev eth0"));
    }

    [Test]
    public void PodToPod_AcrossNodesOverL2BridgeRoutes_PingAndTcpReachPeer()
    {
        Assert.That(Traffic.Ping(_b1, "10.202.2.10"), Is.True);
        Assert.That(Traffic.Tcp(_b1, "10.202.2.10", EchoPort), Is.EqualTo("b2 10.202.1.10"));
    }

    [Test]
    public void OutboundNat_PodToOutside_SourceIsNodeAddress()
    {
        Assert.That(Traffic.Ping(_o1a, TwoNodeDataplane.Outside), Is.True);
        Assert.That(Traffic.Tcp(_o1a, TwoNodeDataplane.Outside, 9000), Is.EqualTo("outside 192.168.200.1"));
    }

    [Test]
    public void OutboundNat_DestinationInExceptions_SourceIsPodAddress()
    {
        Assert.That(Traffic.Tcp(_o1b, TwoNodeDataplane.Outside, 9000), Is.EqualTo("outside 10.201.1.11"));
    }

    [Test]
    public void OutboundNat_PodWithoutOutboundNatOnSameNetwork_NotMasqueraded()
    {
        Assert.That(_dp.Netns.Nft("node1", "list ruleset"), Does.Contain("iifname \"wcni-br-"), "the network uses the subnet-wide rule");
        Assert.That(Traffic.Tcp(_o1c, TwoNodeDataplane.Outside, 9000), Is.EqualTo("outside 10.201.1.12"));
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task OutboundNat_PodWithTheCommonExceptions_AddedAndDeletedWithoutAnyNftBatchAndMasqueraded(CancellationToken cancellationToken)
    {
        var node = _dp.Node1;
        var batches = node.NftBatches;
        var masqueradeOutside = EndpointPolicy.Create(new OutboundNatPolicySetting { Exceptions = ["10.201.0.0/16"] });
        var (pod, endpoint) = await _dp.AddPodAsync(node, _dp.Overlay1, "o1e", "10.201.1.14", cancellationToken, masqueradeOutside);
        try
        {
            var addBatches = node.NftBatches - batches;
            var seen = Traffic.Tcp(pod, TwoNodeDataplane.Outside, 9000);
            var ns = (await node.GetEndpointAsync(endpoint.Id, cancellationToken)).HostComputeNamespace;
            await ((IHcn)node).RemoveNamespaceEndpointAsync(ns, endpoint.Id, cancellationToken);
            await node.DeleteEndpointAsync(endpoint.Id, cancellationToken);
            await node.DeleteNamespaceAsync(ns, cancellationToken);

            Assert.That(addBatches, Is.Zero, "ADD ran nft");
            Assert.That(node.NftBatches - batches, Is.Zero, "DEL ran nft");
            Assert.That(seen, Is.EqualTo("outside 192.168.200.1"));
        }
        finally
        {
            _dp.Netns.Delete("o1e");
        }
    }

    [Test]
    public void HostPort_FromOutsideToNodeAddress_ReachesPod()
    {
        Assert.That(Traffic.Tcp(_dp.Netns.PathOf("ul"), "192.168.200.1", 8081), Does.StartWith("o1a "));
    }

    [Test]
    public void LoadBalancer_VipFromPod_SpreadsOverBackendsOnBothNodesKeepingClientAddress()
    {
        // Backends are picked at random per connection: 24 connections all on one of two backends is a 1-in-8-million chance.
        var answers = Enumerable.Range(0, 24).Select(_ => Traffic.Tcp(_o1b, "10.96.0.50", 80)).ToList();

        Assert.That(answers, Is.All.Not.Null);
        Assert.That(answers.Select(a => a!.Split(' ')[0]).Distinct().Order(), Is.EqualTo(new[] { "o1a", "o2a" }));
        Assert.That(answers.Select(a => a!.Split(' ')[1]).Distinct(), Is.EqualTo(new[] { "10.201.1.11" }));
    }

    [Test]
    public void LoadBalancer_SourceIpAffinity_SameClientSameBackend()
    {
        var answers = Enumerable.Range(0, 8).Select(_ => Traffic.Tcp(_o1b, "10.96.0.51", 80)).ToList();

        Assert.That(answers, Is.All.Not.Null);
        Assert.That(answers.Select(a => a!.Split(' ')[0]).Distinct().Count(), Is.EqualTo(1));
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task LoadBalancer_AddedBackendChangedRemoved_NewBackendOnlyThenNothingLeftInNftables(CancellationToken cancellationToken)
    {
        var endpoints = await _dp.Node1.EnumerateEndpointsAsync(null, cancellationToken);
        var local = endpoints.Single(e => e.Id == _o1aEndpoint.Id).Id;
        var remote = endpoints.Single(e => e.Name == "o2a-remote").Id;
        var lb = await _dp.Node1.CreateLoadBalancerAsync(new HostComputeLoadBalancer
        {
            HostComputeEndpoints = [local],
            FrontendVips = ["10.96.0.53"],
            PortMappings = [new LoadBalancerPortMapping { Protocol = ProtocolType.Tcp, ExternalPort = 80, InternalPort = EchoPort }],
        }, cancellationToken);
        var resyncs = _dp.Node1.ServicesResyncs;
        try
        {
            var added = Enumerable.Range(0, 4).Select(_ => Traffic.Tcp(_o1b, "10.96.0.53", 80)).ToList();

            await _dp.Node1.ModifyLoadBalancerAsync(lb.Id, lb with { HostComputeEndpoints = [remote] }, cancellationToken);
            var changed = Enumerable.Range(0, 4).Select(_ => Traffic.Tcp(_o1b, "10.96.0.53", 80)).ToList();

            await _dp.Node1.DeleteLoadBalancerAsync(lb.Id, cancellationToken);
            var table = _dp.Netns.Nft("node1", "list table ip " + DeviceNames.ServicesTable);

            Assert.That(added, Is.All.StartsWith("o1a "));
            Assert.That(changed, Is.All.StartsWith("o2a "));
            Assert.That(table, Does.Not.Contain("10.96.0.53"));
            Assert.That(_dp.Node1.ServicesResyncs, Is.EqualTo(resyncs), "an incremental transaction was refused");
            Assert.That(Traffic.Tcp(_o1b, "10.96.0.53", 80), Is.Null);
            Assert.That(Traffic.Tcp(_o1b, "10.96.0.50", 80), Is.Not.Null, "an unrelated load balancer stopped answering");
        }
        finally
        {
            await DeleteIfPresentAsync(lb.Id);
        }
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task LoadBalancer_NoBackendDropWithoutBackends_TcpAndUdpGetNoAnswerUntilABackendArrives(CancellationToken cancellationToken)
    {
        // kube-proxy drops (does not reject) a Local-policy frontend's traffic on a node without an endpoint.
        var lb = await _dp.Node1.CreateLoadBalancerAsync(new HostComputeLoadBalancer
        {
            FrontendVips = ["10.96.0.57"],
            DropWithoutBackends = true,
            PortMappings =
            [
                new LoadBalancerPortMapping { Protocol = ProtocolType.Tcp, ExternalPort = 80, InternalPort = EchoPort },
                new LoadBalancerPortMapping { Protocol = ProtocolType.Udp, ExternalPort = 53, InternalPort = 53 },
            ],
        }, cancellationToken);
        var resyncs = _dp.Node1.ServicesResyncs;
        try
        {
            var tcp = Traffic.TcpConnect(_o1b, "10.96.0.57", 80);
            var udp = Traffic.UdpExchange(_o1b, "10.96.0.57", 53);
            var table = _dp.Netns.Nft("node1", "list set ip " + DeviceNames.ServicesTable + " " + ServiceRenderer.DropVips);

            await _dp.Node1.ModifyLoadBalancerAsync(lb.Id, lb with { HostComputeEndpoints = [_o1aEndpoint.Id] }, cancellationToken);

            Assert.That(table, Does.Contain("10.96.0.57 . tcp . 80"));
            Assert.That(tcp, Is.EqualTo(SocketError.TimedOut), "no reset");
            Assert.That(udp, Is.EqualTo(SocketError.TimedOut), "no port unreachable");
            Assert.That(Traffic.Tcp(_o1b, "10.96.0.57", 80), Does.StartWith("o1a "));
            Assert.That(_dp.Node1.ServicesResyncs, Is.EqualTo(resyncs), "an incremental transaction was refused");
        }
        finally
        {
            await DeleteIfPresentAsync(lb.Id);
        }
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task LoadBalancer_NoBackend_TcpResetAndUdpPortUnreachableUntilOneArrives(CancellationToken cancellationToken)
    {
        var lb = await _dp.Node1.CreateLoadBalancerAsync(new HostComputeLoadBalancer
        {
            FrontendVips = ["10.96.0.54"],
            PortMappings =
            [
                new LoadBalancerPortMapping { Protocol = ProtocolType.Tcp, ExternalPort = 80, InternalPort = EchoPort },
                new LoadBalancerPortMapping { Protocol = ProtocolType.Udp, ExternalPort = 53, InternalPort = 53 },
            ],
        }, cancellationToken);
        var resyncs = _dp.Node1.ServicesResyncs;
        try
        {
            var tcp = Traffic.TcpConnect(_o1b, "10.96.0.54", 80);

            // The node sends at most one ICMP error per second to a host (net.ipv4.icmp_ratelimit), and other tests
            // make it send some to this pod, so the port unreachable may take a second try.
            var udp = SocketError.TimedOut;
            for (var attempt = 0; attempt < 3 && udp == SocketError.TimedOut; attempt++)
            {
                udp = Traffic.UdpExchange(_o1b, "10.96.0.54", 53);
            }

            await _dp.Node1.ModifyLoadBalancerAsync(lb.Id, lb with { HostComputeEndpoints = [_o1aEndpoint.Id] }, cancellationToken);

            Assert.That(tcp, Is.EqualTo(SocketError.ConnectionRefused));
            Assert.That(udp, Is.EqualTo(SocketError.ConnectionRefused));
            Assert.That(Traffic.Tcp(_o1b, "10.96.0.54", 80), Does.StartWith("o1a "));
            Assert.That(_dp.Node1.ServicesResyncs, Is.EqualTo(resyncs), "an incremental transaction was refused");
        }
        finally
        {
            await DeleteIfPresentAsync(lb.Id);
        }
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task LoadBalancer_PodToVipBackedByItself_HairpinAnsweredFromBridgeAddress(CancellationToken cancellationToken)
    {
        var lb = await _dp.Node1.CreateLoadBalancerAsync(new HostComputeLoadBalancer
        {
            HostComputeEndpoints = [_o1aEndpoint.Id],
            FrontendVips = ["10.96.0.55"],
            PortMappings = [new LoadBalancerPortMapping { Protocol = ProtocolType.Tcp, ExternalPort = 80, InternalPort = EchoPort }],
        }, cancellationToken);
        try
        {
            // Masqueraded to the bridge's address: the pod would drop a packet from its own address.
            Assert.That(Traffic.Tcp(_o1a, "10.96.0.55", 80), Is.EqualTo("o1a 10.201.1.1"));
            Assert.That(_dp.Netns.Ip("node1", $"-d link show {DeviceNames.HostVeth(_o1aEndpoint.Id)}"), Does.Contain("hairpin on"));
        }
        finally
        {
            await DeleteIfPresentAsync(lb.Id);
        }
    }

    [Test]
    public void NodePort_FromOutside_SpreadsOverBackendsOnBothNodes()
    {
        var outside = _dp.Netns.PathOf("ul");
        var answers = Enumerable.Range(0, 24).Select(_ => Traffic.Tcp(outside, "192.168.200.1", 30080)).ToList();

        Assert.That(answers, Is.All.Not.Null);
        Assert.That(answers.Select(a => a!.Split(' ')[0]).Distinct().Order(), Is.EqualTo(new[] { "o1a", "o2a" }));
    }

    [Test]
    [Order(100)]
    public async Task Restart_NewKernelHcnOnSameState_AdoptsDevicesAndRebuildsNftables()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var veth = DeviceNames.HostVeth(_o1aEndpoint.Id);
        var before = IfIndex(_dp.Netns.Ip("node1", $"-o link show {veth}"));
        _dp.Node1.Dispose();

        // Lose the services table behind the daemon's back: the restarted KernelHcn must rebuild it from the objects.
        _dp.Netns.Nft("node1", $"delete table ip {DeviceNames.ServicesTable}");
        Assert.That(Traffic.Tcp(_o1b, "10.96.0.50", 80), Is.Null);

        _dp.Node1 = new KernelHcn(_dp.Node1Options);
        await _dp.Node1.ReconcileAsync(timeout.Token);
        var endpoints = await _dp.Node1.EnumerateEndpointsAsync(null, timeout.Token);

        Assert.That(IfIndex(_dp.Netns.Ip("node1", $"-o link show {veth}")), Is.EqualTo(before), "the pod's veth was recreated");
        Assert.That(endpoints.Select(e => e.Id), Does.Contain(_o1aEndpoint.Id));
        Assert.That(Traffic.Tcp(_o1b, "10.96.0.50", 80), Is.Not.Null);
        Assert.That(Traffic.Tcp(_o1b, "10.201.2.10", EchoPort), Is.EqualTo("o2a 10.201.1.11"));
    }

    private static int IfIndex(string ipLinkLine) => int.Parse(Regex.Match(ipLinkLine, @"^(\d+):").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    private async Task DeleteIfPresentAsync(Guid loadBalancerId)
    {
        if ((await _dp.Node1.EnumerateLoadBalancersAsync(null, CancellationToken.None)).Any(l => l.Id == loadBalancerId))
        {
            await _dp.Node1.DeleteLoadBalancerAsync(loadBalancerId, CancellationToken.None);
        }
    }
}
