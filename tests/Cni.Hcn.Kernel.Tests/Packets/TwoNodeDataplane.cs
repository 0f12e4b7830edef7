using Cni.Hcn.Kernel.Tests.Support;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Kernel.Tests.Packets;

/// <summary>
/// The test topology, built only inside namespaces the test creates: an underlay namespace with a bridge
/// (192.168.200.0/24; its own address .100 plays "outside"), two node namespaces plugged into it (.1 and .2), each
/// running its own KernelHcn, and pods as further namespaces. Node 1 and node 2 each have an Overlay network
/// (10.201.N.0/24, VNI 4096, RemoteSubnetRoutes to each other) and an L2Bridge network (10.202.N.0/24, SDN routes to
/// each other via the peer node IP).
/// </summary>
internal sealed class TwoNodeDataplane : IAsyncDisposable
{
    public const string Outside = "192.168.200.100";

    private readonly List<EchoServer> _servers = [];
    private readonly string _stateRoot = Directory.CreateTempSubdirectory("wincni-kernel-pkt-").FullName;

    public TestNetns Netns { get; } = new();

    public KernelHcn Node1 { get; set; } = null!;

    public KernelHcn Node2 { get; private set; } = null!;

    public HostComputeNetwork Overlay1 { get; private set; } = null!;

    public HostComputeNetwork Overlay2 { get; private set; } = null!;

    public HostComputeNetwork Bridge1 { get; private set; } = null!;

    public HostComputeNetwork Bridge2 { get; private set; } = null!;

    public string Node1State => Path.Combine(_stateRoot, "node1");

    /// <summary>Both nodes' <see cref="KernelHcnOptions.DriftCheckInterval"/> (tests of the drift repair shorten it).</summary>
    public TimeSpan DriftCheckInterval { get; init; } = TimeSpan.FromSeconds(5);

    public KernelHcnOptions Node1Options => new()
    {
        StateDirectory = Node1State,
        HostNetnsPath = Netns.PathOf("node1"),
        ManagementIp = "192.168.200.1",
        NetnsNamePrefix = Netns.Prefix + "k1-",
        DriftCheckInterval = DriftCheckInterval,
    };

    public async Task BuildAsync(CancellationToken cancellationToken)
    {
        Netns.Create("ul");
        Netns.Ip("ul", "link add ulbr type bridge");
        Netns.Ip("ul", $"addr add {Outside}/24 dev ulbr");
        Netns.Ip("ul", "link set ulbr up");
        for (var n = 1; n <= 2; n++)
        {
            Netns.Create($"node{n}");
            Netns.Ip("ul", $"link add n{n} type veth peer name ul0 netns {Netns.NameOf($"node{n}")}");
            Netns.Ip("ul", $"link set n{n} master ulbr up");
            Netns.Ip($"node{n}", $"addr add 192.168.200.{n}/24 dev ul0");
            Netns.Ip($"node{n}", "link set ul0 up");
        }

        // "Outside" knows the way back to pods that are not masqueraded (OutBoundNAT exceptions).
        Netns.Ip("ul", "route add 10.201.1.0/24 via 192.168.200.1");
        Netns.Ip("ul", "route add 10.202.1.0/24 via 192.168.200.1");

        Node1 = new KernelHcn(Node1Options);
        Node2 = new KernelHcn(new KernelHcnOptions
        {
            StateDirectory = Path.Combine(_stateRoot, "node2"),
            HostNetnsPath = Netns.PathOf("node2"),
            ManagementIp = "192.168.200.2",
            NetnsNamePrefix = Netns.Prefix + "k2-",
            DriftCheckInterval = DriftCheckInterval,
        });

        Overlay1 = await Node1.CreateNetworkAsync(OverlayNetwork(1), cancellationToken);
        Overlay2 = await Node2.CreateNetworkAsync(OverlayNetwork(2), cancellationToken);
        await ((IHcn)Node1).AddNetworkPoliciesAsync(Overlay1.Id, [RemoteSubnetRoute(Overlay2, 2)], cancellationToken);
        await ((IHcn)Node2).AddNetworkPoliciesAsync(Overlay2.Id, [RemoteSubnetRoute(Overlay1, 1)], cancellationToken);

        Bridge1 = await Node1.CreateNetworkAsync(BridgeNetwork(1), cancellationToken);
        Bridge2 = await Node2.CreateNetworkAsync(BridgeNetwork(2), cancellationToken);
    }

    /// <summary>Creates a pod: a namespace, an endpoint on <paramref name="network"/>, attached; returns the pod's path.</summary>
    public async Task<(string Path, HostComputeEndpoint Endpoint)> AddPodAsync(
        KernelHcn node, HostComputeNetwork network, string name, string ip, CancellationToken cancellationToken, params EndpointPolicy[] policies)
    {
        var path = Netns.Create(name);
        var endpoint = await node.CreateEndpointAsync(network.Id, new HostComputeEndpoint
        {
            Name = name + "_" + network.Name,
            IpConfigurations = [new IpConfig { IpAddress = ip, PrefixLength = 24 }],
            Policies = [EndpointPolicy.Create(new PortNamePolicySetting { Name = "eth0" }), .. policies],
        }, cancellationToken);
        var ns = await node.CreateNamespaceAsync(new HostComputeNamespace
        {
            Type = NamespaceType.Host,
            Resources = [new NamespaceResource { Type = NamespaceResourceType.Container, Data = new() { Id = path } }],
        }, cancellationToken);
        await ((IHcn)node).AddNamespaceEndpointAsync(ns.Id, endpoint.Id, cancellationToken);
        return (path, endpoint);
    }

    /// <summary>
    /// Adds node 3 configured by hand exactly as flannel's Linux VXLAN backend does (bridge cni0, <c>flannel.4096</c>
    /// with its subnet's .0 address, route + permanent neighbour + FDB entry towards node 1), with one pod
    /// 10.201.3.10, and tells node 1 about it with a RemoteSubnetRoute; returns the pod's path.
    /// </summary>
    public async Task<string> AddFlannelNodeAsync(CancellationToken cancellationToken)
    {
        const string FlannelMac = "02:00:00:00:00:03";
        var node1Mac = Overlay1.Policies!.Select(p => p.GetSettings<DrMacAddressPolicySetting>()).OfType<DrMacAddressPolicySetting>().Single().Address!
            .Replace('-', ':').ToLowerInvariant();
        Netns.Create("node3");
        Netns.Ip("ul", $"link add n3 type veth peer name ul0 netns {Netns.NameOf("node3")}");
        Netns.Ip("ul", "link set n3 master ulbr up");
        string[] node3 =
        [
            "addr add 192.168.200.3/24 dev ul0", "link set ul0 up",
            "link add cni0 type bridge", "addr add 10.201.3.1/24 dev cni0", "link set cni0 up",
            "link add flannel.4096 type vxlan id 4096 local 192.168.200.3 dev ul0 dstport 4789 nolearning",
            $"link set flannel.4096 address {FlannelMac}", "addr add 10.201.3.0/32 dev flannel.4096", "link set flannel.4096 up",
            "route add 10.201.1.0/24 via 10.201.1.0 dev flannel.4096 onlink",
            $"neigh add 10.201.1.0 lladdr {node1Mac} dev flannel.4096 nud permanent",
        ];
        foreach (var command in node3)
        {
            Netns.Ip("node3", command);
        }

        KernelTestGuard.Run("bridge", $"-n {Netns.NameOf("node3")} fdb append {node1Mac} dev flannel.4096 dst 192.168.200.1");
        KernelTestGuard.Run("nsenter", $"--net={Netns.PathOf("node3")} sysctl -qw net.ipv4.ip_forward=1");
        var pod = Netns.Create("f3");
        Netns.Ip("node3", $"link add vethf3 type veth peer name eth0 netns {Netns.NameOf("f3")}");
        Netns.Ip("node3", "link set vethf3 master cni0 up");
        Netns.Ip("f3", "addr add 10.201.3.10/24 dev eth0");
        Netns.Ip("f3", "link set eth0 up");
        Netns.Ip("f3", "route add default via 10.201.3.1");

        await ((IHcn)Node1).AddNetworkPoliciesAsync(Overlay1.Id,
        [
            NetworkPolicy.Create(new RemoteSubnetRoutePolicySetting
            {
                DestinationPrefix = "10.201.3.0/24", IsolationId = 4096, ProviderAddress = "192.168.200.3", DistributedRouterMacAddress = FlannelMac,
            }),
        ], cancellationToken);
        return pod;
    }

    public EchoServer Serve(string netnsPath, string name, int port)
    {
        var server = new EchoServer(netnsPath, name, port);
        _servers.Add(server);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            server.Dispose();
        }

        Node1?.Dispose();
        Node2?.Dispose();

        // Every namespace (and with it every link and nftables table) of this run goes, also after failures.
        Netns.Dispose();
        Directory.Delete(_stateRoot, recursive: true);
        await Task.CompletedTask;
    }

    private static HostComputeNetwork OverlayNetwork(int n) => new()
    {
        Name = "ovl",
        Type = NetworkType.Overlay,
        Ipams =
        [
            new Ipam
            {
                Type = IpamType.Static,
                Subnets =
                [
                    new Subnet
                    {
                        IpAddressPrefix = $"10.201.{n}.0/24",
                        Routes = [new Route { NextHop = $"10.201.{n}.1", DestinationPrefix = "0.0.0.0/0" }],
                        Policies = [SubnetPolicy.Create(new VsidPolicySetting { IsolationId = 4096 })],
                    },
                ],
            },
        ],
    };

    private static HostComputeNetwork BridgeNetwork(int n) => new()
    {
        Name = "l2b",
        Type = NetworkType.L2Bridge,
        Ipams =
        [
            new Ipam
            {
                Type = IpamType.Static,
                Subnets = [new Subnet { IpAddressPrefix = $"10.202.{n}.0/24", Routes = [new Route { NextHop = $"10.202.{n}.1", DestinationPrefix = "0.0.0.0/0" }] }],
            },
        ],
    };

    private static NetworkPolicy RemoteSubnetRoute(HostComputeNetwork remote, int n) => NetworkPolicy.Create(new RemoteSubnetRoutePolicySetting
    {
        DestinationPrefix = $"10.201.{n}.0/24",
        IsolationId = 4096,
        ProviderAddress = $"192.168.200.{n}",
        DistributedRouterMacAddress = remote.Policies!.Select(p => p.GetSettings<DrMacAddressPolicySetting>()).OfType<DrMacAddressPolicySetting>().Single().Address!,
    });
}
