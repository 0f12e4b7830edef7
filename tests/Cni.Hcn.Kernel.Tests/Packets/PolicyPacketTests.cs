using SocketError = System.Net.Sockets.SocketError;
using Cni.Hcn.Errors;
using Cni.Hcn.Kernel.Tests.Support;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Kernel.Tests.Packets;

/// <summary>
/// Real packets through KernelHcn's VLAN emulation and ACL policies, on node 1's L2Bridge network of
/// <see cref="TwoNodeDataplane"/> (10.202.1.0/24; the underlay's "outside" 192.168.200.100 routes that CIDR back to
/// node 1, so a pod without OutBoundNAT is seen there with its own address). The ACLs are the ones wincnid's policy
/// builder makes for <c>firewall</c> defaults: allow entries at priority 1000, a Block of everything at 65000.
/// </summary>
[TestFixture]
[Category("Kernel")]
[NonParallelizable]
public sealed class PolicyPacketTests
{
    private const int EchoPort = 8080;
    private const int OtherPort = 9001;
    private TwoNodeDataplane _dp = null!;
    private string _v10a = null!;
    private string _v20 = null!;
    private string _fw = null!;
    private string _allowed = null!;
    private string _other = null!;

    [OneTimeSetUp]
    public async Task BuildAsync()
    {
        KernelTestGuard.Require();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        _dp = new TwoNodeDataplane();
        await _dp.BuildAsync(ct);
        var node = _dp.Node1;
        var network = _dp.Bridge1;

        (_v10a, _) = await _dp.AddPodAsync(node, network, "v10a", "10.202.1.20", ct, Vlan(10));
        var (v10b, _) = await _dp.AddPodAsync(node, network, "v10b", "10.202.1.21", ct, Vlan(10));
        (_v20, _) = await _dp.AddPodAsync(node, network, "v20", "10.202.1.22", ct, Vlan(20));

        // No OutBoundNAT (outboundNat.enabled: false); inbound: TCP 8080 from 10.202.1.31 only; outbound: TCP to outside:9000 only.
        (_fw, _) = await _dp.AddPodAsync(node, network, "fw", "10.202.1.30", ct,
            Acl(ActionType.Allow, DirectionType.In, 1000, protocols: "6", remote: "10.202.1.31/32", localPorts: "8080"),
            Acl(ActionType.Block, DirectionType.In, 65000),
            Acl(ActionType.Allow, DirectionType.Out, 1000, protocols: "6", remote: TwoNodeDataplane.Outside + "/32", remotePorts: "9000"),
            Acl(ActionType.Block, DirectionType.Out, 65000));
        (_allowed, _) = await _dp.AddPodAsync(node, network, "c31", "10.202.1.31", ct);
        (_other, _) = await _dp.AddPodAsync(node, network, "c32", "10.202.1.32", ct);

        _dp.Serve(v10b, "v10b", EchoPort);
        _dp.Serve(_v20, "v20", EchoPort);
        _dp.Serve(_fw, "fw", EchoPort);
        _dp.Serve(_allowed, "c31", EchoPort);
        _dp.Serve(_dp.Netns.PathOf("ul"), "outside", 9000);
        _dp.Serve(_dp.Netns.PathOf("ul"), "outside2", OtherPort);
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
    public void Vlan_SameVlan_TcpAndPingReachPeer()
    {
        Assert.That(Traffic.Tcp(_v10a, "10.202.1.21", EchoPort), Is.EqualTo("v10b 10.202.1.20"));
        Assert.That(Traffic.Ping(_v10a, "10.202.1.21"), Is.True);
    }

    [Test]
    public void Vlan_OtherVlan_TcpAndPingDroppedBothWays()
    {
        Assert.That(Traffic.TcpConnect(_v10a, "10.202.1.22", EchoPort), Is.EqualTo(SocketError.TimedOut));
        Assert.That(Traffic.Ping(_v10a, "10.202.1.22"), Is.False);
        Assert.That(Traffic.TcpConnect(_v20, "10.202.1.21", EchoPort), Is.EqualTo(SocketError.TimedOut));
    }

    [Test]
    public void Vlan_PodWithoutVlan_CannotReachAVlanPod()
    {
        Assert.That(Traffic.TcpConnect(_other, "10.202.1.21", EchoPort), Is.EqualTo(SocketError.TimedOut));
    }

    [Test]
    public void Vlan_Isolated_TableHoldsTheVlanChain()
    {
        Assert.That(_dp.Netns.Nft("node1", "list ruleset"), Does.Contain("chain vlan_groups"));
    }

    [Test]
    public void AclInbound_AllowListedPeerAndPort_Passes()
    {
        // The reply leaves fw against its outbound Block: a reply to an allowed connection passes.
        Assert.That(Traffic.Tcp(_allowed, "10.202.1.30", EchoPort), Is.EqualTo("fw 10.202.1.31"));
    }

    [Test]
    public void AclInbound_PeerNotListed_Dropped()
    {
        Assert.That(Traffic.TcpConnect(_other, "10.202.1.30", EchoPort), Is.EqualTo(SocketError.TimedOut));
        Assert.That(Traffic.Ping(_other, "10.202.1.30"), Is.False);
    }

    [Test]
    public void AclOutbound_ListedDestination_PassesWithThePodsOwnAddressWithoutOutboundNat()
    {
        Assert.That(Traffic.Tcp(_fw, TwoNodeDataplane.Outside, 9000), Is.EqualTo("outside 10.202.1.30"));
    }

    [Test]
    public void AclOutbound_OtherPortAndOtherPod_Dropped()
    {
        Assert.That(Traffic.TcpConnect(_fw, TwoNodeDataplane.Outside, OtherPort), Is.EqualTo(SocketError.TimedOut));
        Assert.That(Traffic.TcpConnect(_fw, "10.202.1.31", EchoPort), Is.EqualTo(SocketError.TimedOut));
    }

    [Test]
    public void AclOutbound_PodWithoutAcls_Unaffected()
    {
        Assert.That(Traffic.Tcp(_other, TwoNodeDataplane.Outside, OtherPort), Is.EqualTo("outside2 10.202.1.32"));
    }

    [Test]
    [CancelAfter(20_000)]
    public void CreateNetwork_TwoNetAdapterNames_RefusedAsATeam(CancellationToken cancellationToken)
    {
        var network = Bridge("team", "10.203.1.0/24", "ul0", "lo");

        var error = Assert.ThrowsAsync<HcnException>(() => _dp.Node1.CreateNetworkAsync(network, cancellationToken));

        Assert.That(error!.HResult, Is.EqualTo(HcnErrorCodes.InvalidPolicy));
        Assert.That(error.Message, Does.Contain("team of 2 adapters").And.Contain("Switch Embedded Teaming"));
    }

    [Test]
    [CancelAfter(20_000)]
    public void CreateNetwork_UnknownAdapter_AdapterNotFoundNamingIt(CancellationToken cancellationToken)
    {
        var error = Assert.ThrowsAsync<HcnException>(() => _dp.Node1.CreateNetworkAsync(Bridge("noadapter", "10.203.2.0/24", "eth9"), cancellationToken));

        Assert.That(error!.HResult, Is.EqualTo(HcnErrorCodes.AdapterNotFound));
        Assert.That(error.Message, Does.Contain("no interface 'eth9'"));
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task CreateNetwork_OneExistingAdapter_Created(CancellationToken cancellationToken)
    {
        var created = await _dp.Node1.CreateNetworkAsync(Bridge("uplink", "10.203.3.0/24", "ul0"), cancellationToken);

        await _dp.Node1.DeleteNetworkAsync(created.Id, cancellationToken);
    }

    private static HostComputeNetwork Bridge(string name, string prefix, params string[] adapters) => new()
    {
        Name = name,
        Type = NetworkType.L2Bridge,
        Policies = [.. adapters.Select(a => NetworkPolicy.Create(new NetAdapterNamePolicySetting { NetworkAdapterName = a }))],
        Ipams = [new Ipam { Type = IpamType.Static, Subnets = [new Subnet { IpAddressPrefix = prefix }] }],
    };

    private static EndpointPolicy Vlan(uint id) => EndpointPolicy.Create(new VlanPolicySetting { IsolationId = id });

    private static EndpointPolicy Acl(ActionType action, DirectionType direction, ushort priority, string? protocols = null, string? remote = null, string? localPorts = null, string? remotePorts = null) =>
        EndpointPolicy.Create(new AclPolicySetting
        {
            Action = action,
            Direction = direction,
            Priority = priority,
            Protocols = protocols,
            RemoteAddresses = remote,
            LocalPorts = localPorts,
            RemotePorts = remotePorts,
            RuleType = RuleType.Switch,
        });
}
