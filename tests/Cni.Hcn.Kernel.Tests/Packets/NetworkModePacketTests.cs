using Cni.Hcn.Attachments;
using Cni.Hcn.Errors;
using Cni.Hcn.Kernel.Tests.Support;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Kernel.Tests.Packets;

/// <summary>
/// Real packets through the NAT and Transparent network types of KernelHcn, on one node namespace plugged into two
/// underlay namespaces the test creates: "nat-ul" (192.168.210.0/24, the node .1, an outside host .100 that knows no
/// route to the pods) for the NAT network 10.210.0.0/24, and "tp-ul" (192.168.220.0/24, the node .1 on interface
/// tp0, another host .100 that is also the pods' gateway) for the Transparent network on tp0. L2Tunnel is refused.
/// </summary>
[TestFixture]
[Category("Kernel")]
[NonParallelizable]
public sealed class NetworkModePacketTests
{
    private const int EchoPort = 8080;
    private const string NatOutside = "192.168.210.100";
    private const string NatNode = "192.168.210.1";
    private const string UnderlayHost = "192.168.220.100";
    private readonly List<EchoServer> _servers = [];
    private readonly string _state = Directory.CreateTempSubdirectory("wincni-kernel-modes-").FullName;
    private readonly TestNetns _netns = new();
    private KernelHcn _node = null!;
    private string _n1 = null!;
    private string _n2 = null!;
    private string _t1 = null!;
    private string _t2 = null!;
    private HostComputeEndpoint _t1Endpoint = null!;
    private UdpEchoServer? _udpServer;

    [OneTimeSetUp]
    public async Task BuildAsync()
    {
        KernelTestGuard.Require();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        _netns.Create("node");
        foreach (var (ul, bridge, nodeIf, subnet) in new[] { ("nat-ul", "natbr", "nat0", "192.168.210"), ("tp-ul", "tpbr", "tp0", "192.168.220") })
        {
            _netns.Create(ul);
            _netns.Ip(ul, $"link add {bridge} type bridge");
            _netns.Ip(ul, $"addr add {subnet}.100/24 dev {bridge}");
            _netns.Ip(ul, $"link set {bridge} up");
            _netns.Ip(ul, $"link add n1 type veth peer name {nodeIf} netns {_netns.NameOf("node")}");
            _netns.Ip(ul, $"link set n1 master {bridge} up");
            _netns.Ip("node", $"addr add {subnet}.1/24 dev {nodeIf}");
            _netns.Ip("node", $"link set {nodeIf} up");
        }

        _node = new KernelHcn(new KernelHcnOptions
        {
            StateDirectory = _state,
            HostNetnsPath = _netns.PathOf("node"),
            ManagementIp = NatNode,
            NetnsNamePrefix = _netns.Prefix + "k-",
        });

        var nat = await _node.CreateNetworkAsync(Network("natnet", NetworkType.Nat, "10.210.0.0/24", "10.210.0.1"), ct);
        (_n1, _) = await AddPodAsync(nat, "n1", "10.210.0.10", ct,
            EndpointPolicy.Create(new PortMappingPolicySetting { Protocol = ProtocolType.Tcp, ExternalPort = 8088, InternalPort = EchoPort }));
        (_n2, _) = await AddPodAsync(nat, "n2", "10.210.0.11", ct,
            EndpointPolicy.Create(new PortMappingPolicySetting { Protocol = ProtocolType.Tcp, ExternalPort = 8089, InternalPort = EchoPort, Vip = NatNode }),
            EndpointPolicy.Create(new PortMappingPolicySetting { Protocol = ProtocolType.Udp, ExternalPort = 5300, InternalPort = 5353 }));

        var transparent = await _node.CreateNetworkAsync(
            Network("tpnet", NetworkType.Transparent, "192.168.220.0/24", UnderlayHost) with
            {
                Policies = [NetworkPolicy.Create(new NetAdapterNamePolicySetting { NetworkAdapterName = "tp0" })],
            },
            ct);
        (_t1, _t1Endpoint) = await AddPodAsync(transparent, "t1", "192.168.220.50", ct);
        (_t2, _) = await AddPodAsync(transparent, "t2", "192.168.220.51", ct);

        foreach (var (path, name) in new[] { (_n1, "n1"), (_n2, "n2"), (_t1, "t1"), (_t2, "t2") })
        {
            _servers.Add(new EchoServer(path, name, EchoPort));
        }

        _udpServer = new UdpEchoServer(_n2, "n2", 5353);
        _servers.Add(new EchoServer(_netns.PathOf("nat-ul"), "nat-outside", 9000));
        _servers.Add(new EchoServer(_netns.PathOf("tp-ul"), "underlay-host", 9000));
    }

    [OneTimeTearDown]
    public void TearDown()
    {
        foreach (var server in _servers)
        {
            server.Dispose();
        }

        _udpServer?.Dispose();

        _node?.Dispose();

        // Every namespace of this run goes (with its links and tables), also after failures.
        _netns.Dispose();
        Directory.Delete(_state, recursive: true);
    }

    [Test]
    public void Nat_PodToOutsideHost_ArrivesMasqueradedAsTheNode()
    {
        // The outside host has no route to 10.210.0.0/24: an answer proves the source was translated.
        Assert.That(Traffic.Tcp(_n1, NatOutside, 9000), Is.EqualTo($"nat-outside {NatNode}"));
    }

    [Test]
    public void Nat_OutsideHostToHostPort_ReachesThePodWithItsOwnSource()
    {
        Assert.That(Traffic.Tcp(_netns.PathOf("nat-ul"), NatNode, 8088), Is.EqualTo($"n1 {NatOutside}"));
    }

    [Test]
    public void Nat_HostPortBoundToHostIp_ReachesItsPod()
    {
        Assert.That(Traffic.Tcp(_netns.PathOf("nat-ul"), NatNode, 8089), Is.EqualTo($"n2 {NatOutside}"));
    }

    [Test]
    public void Nat_UdpHostPort_ReachesThePodsUdpPort()
    {
        Assert.That(Traffic.UdpExchange(_netns.PathOf("nat-ul"), NatNode, 5300), Is.EqualTo(System.Net.Sockets.SocketError.Success));
    }

    [Test]
    public void Nat_PodToPodOnTheNode_KeepsTheSourceAddress()
    {
        Assert.That(Traffic.Tcp(_n2, "10.210.0.10", EchoPort), Is.EqualTo("n1 10.210.0.11"));
    }

    [Test]
    public void Nat_NetworkTable_MasqueradesTheSubnetExceptToItself()
    {
        var tables = _netns.Nft("node", "list ruleset");

        Assert.That(tables, Does.Contain("ip saddr 10.210.0.0/24 ip daddr != 10.210.0.0/24 masquerade"));
    }

    [Test]
    public void Transparent_UnderlayHostToPod_ReachesThePodAtItsOwnAddress()
    {
        Assert.That(Traffic.Tcp(_netns.PathOf("tp-ul"), "192.168.220.50", EchoPort), Is.EqualTo($"t1 {UnderlayHost}"));
    }

    [Test]
    public void Transparent_PodToUnderlayHost_ArrivesWithThePodsAddress()
    {
        Assert.That(Traffic.Tcp(_t1, UnderlayHost, 9000), Is.EqualTo("underlay-host 192.168.220.50"));
    }

    [Test]
    public void Transparent_TwoPodsOnTheNode_ReachEachOther()
    {
        Assert.That(Traffic.Tcp(_t2, "192.168.220.50", EchoPort), Is.EqualTo("t1 192.168.220.51"));
    }

    [Test]
    public async Task Transparent_PodInterface_IsABridgeModeMacvlanOfTheUnderlayAndVerifiesIntact()
    {
        var link = _netns.Ip("t1", "-d link show eth0");
        var state = await ((IAttachmentVerifier)_node).VerifyAsync(_t1Endpoint.Id, CancellationToken.None);

        Assert.That(link, Does.Contain("macvlan mode bridge"));
        Assert.That(state.IsIntact, Is.True, string.Join("; ", state.Problems));
    }

    [Test]
    public void L2Tunnel_CreateNetwork_RefusedNamingAzureHostNetworking()
    {
        var ex = Assert.ThrowsAsync<HcnException>(() => _node.CreateNetworkAsync(Network("tun", NetworkType.L2Tunnel, "10.230.0.0/24", "10.230.0.1"), CancellationToken.None));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.InvalidNetworkType));
        Assert.That(ex.ToString(), Does.Contain("Azure"));
    }

    private async Task<(string Path, HostComputeEndpoint Endpoint)> AddPodAsync(
        HostComputeNetwork network, string name, string ip, CancellationToken cancellationToken, params EndpointPolicy[] policies)
    {
        var path = _netns.Create(name);
        var endpoint = await _node.CreateEndpointAsync(network.Id, new HostComputeEndpoint
        {
            Name = name,
            IpConfigurations = [new IpConfig { IpAddress = ip, PrefixLength = 24 }],
            Policies = [EndpointPolicy.Create(new PortNamePolicySetting { Name = "eth0" }), .. policies],
        }, cancellationToken);
        var ns = await _node.CreateNamespaceAsync(new HostComputeNamespace
        {
            Type = NamespaceType.Host,
            Resources = [new NamespaceResource { Type = NamespaceResourceType.Container, Data = new() { Id = path } }],
        }, cancellationToken);
        await ((IHcn)_node).AddNamespaceEndpointAsync(ns.Id, endpoint.Id, cancellationToken);
        return (path, endpoint);
    }

    private static HostComputeNetwork Network(string name, NetworkType type, string prefix, string gateway) => new()
    {
        Name = name,
        Type = type,
        Ipams =
        [
            new Ipam
            {
                Type = IpamType.Static,
                Subnets = [new Subnet { IpAddressPrefix = prefix, Routes = [new Route { NextHop = gateway, DestinationPrefix = "0.0.0.0/0" }] }],
            },
        ],
    };
}
