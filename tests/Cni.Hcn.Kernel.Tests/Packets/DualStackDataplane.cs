using Cni.Hcn.Kernel.Tests.Support;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Kernel.Tests.Packets;

/// <summary>
/// A dual-stack topology, built only inside namespaces the test creates: an underlay namespace with a bridge
/// (192.168.210.0/24 and fd00:210::/64; its own addresses .100 / ::100 play "outside"), two node namespaces plugged
/// into it (.1/::1 and .2/::2), each running its own KernelHcn, and pods as further namespaces. Each node has a
/// dual-stack Overlay network (10.221.N.0/24 + fd00:221:0:N::/64, VNI 4096 over the IPv4 underlay, RemoteSubnetRoutes
/// of both families to the other node) and a dual-stack L2Bridge network laid out as wincnid makes it
/// (10.222.N.0/24 + fd00:222:0:N::/64, a host endpoint .2/::2 on the node, pods routed through it, SDN routes of both
/// families to the other node's pod CIDRs via its underlay addresses).
/// </summary>
internal sealed class DualStackDataplane : IAsyncDisposable
{
    public const string Outside = "192.168.210.100";
    public const string Outside6 = "fd00:210::100";

    private readonly List<EchoServer> _servers = [];
    private readonly string _stateRoot = Directory.CreateTempSubdirectory("wincni-kernel-dual-").FullName;

    public TestNetns Netns { get; } = new();

    public KernelHcn Node1 { get; set; } = null!;

    public KernelHcn Node2 { get; private set; } = null!;

    public HostComputeNetwork Overlay1 { get; private set; } = null!;

    public HostComputeNetwork Overlay2 { get; private set; } = null!;

    public HostComputeNetwork Bridge1 { get; private set; } = null!;

    public HostComputeNetwork Bridge2 { get; private set; } = null!;

    public KernelHcnOptions Node1Options => Options(1);

    public async Task BuildAsync(CancellationToken cancellationToken)
    {
        Netns.Create("ul");
        Netns.Ip("ul", "link add ulbr type bridge");
        Netns.Ip("ul", $"addr add {Outside}/24 dev ulbr");
        Netns.Ip("ul", $"-6 addr add {Outside6}/64 dev ulbr nodad");
        Netns.Ip("ul", "link set ulbr up");
        for (var n = 1; n <= 2; n++)
        {
            Netns.Create($"node{n}");
            Netns.Ip("ul", $"link add n{n} type veth peer name ul0 netns {Netns.NameOf($"node{n}")}");
            Netns.Ip("ul", $"link set n{n} master ulbr up");
            Netns.Ip($"node{n}", $"addr add 192.168.210.{n}/24 dev ul0");
            Netns.Ip($"node{n}", $"-6 addr add fd00:210::{n}/64 dev ul0 nodad");
            Netns.Ip($"node{n}", "link set ul0 up");
        }

        Node1 = new KernelHcn(Options(1));
        Node2 = new KernelHcn(Options(2));

        Overlay1 = await Node1.CreateNetworkAsync(OverlayNetwork(1), cancellationToken);
        Overlay2 = await Node2.CreateNetworkAsync(OverlayNetwork(2), cancellationToken);
        await ((IHcn)Node1).AddNetworkPoliciesAsync(Overlay1.Id, RemoteSubnetRoutes(Overlay2, 2), cancellationToken);
        await ((IHcn)Node2).AddNetworkPoliciesAsync(Overlay2.Id, RemoteSubnetRoutes(Overlay1, 1), cancellationToken);

        Bridge1 = await Node1.CreateNetworkAsync(BridgeNetwork(1), cancellationToken);
        Bridge2 = await Node2.CreateNetworkAsync(BridgeNetwork(2), cancellationToken);
        var host1 = await AddHostEndpointAsync(Node1, Bridge1, 1, cancellationToken);
        var host2 = await AddHostEndpointAsync(Node2, Bridge2, 2, cancellationToken);
        await AddPeerRoutesAsync(Node1, host1, 2, cancellationToken);
        await AddPeerRoutesAsync(Node2, host2, 1, cancellationToken);
        await UnderlaySettledAsync(cancellationToken);
    }

    /// <summary>
    /// Creates a dual-stack pod: a namespace, an endpoint with an IPv4 and an IPv6 address on <paramref name="network"/>
    /// (on L2Bridge with wincnid's routes via the host endpoint .2 / ::2; on Overlay none, so the subnets' gateways
    /// are used), attached; returns the pod's path.
    /// </summary>
    public async Task<(string Path, HostComputeEndpoint Endpoint)> AddPodAsync(
        KernelHcn node, HostComputeNetwork network, string name, string ip, string ip6, CancellationToken cancellationToken, params EndpointPolicy[] policies)
    {
        var path = Netns.Create(name);
        var bridge = network.Type == NetworkType.L2Bridge;
        var endpoint = await node.CreateEndpointAsync(network.Id, new HostComputeEndpoint
        {
            Name = name + "_" + network.Name,
            IpConfigurations = [new IpConfig { IpAddress = ip, PrefixLength = 24 }, new IpConfig { IpAddress = ip6, PrefixLength = 64 }],
            Routes = bridge
                ?
                [
                    new Route { DestinationPrefix = "0.0.0.0/0", NextHop = HostEndpointOf(ip) },
                    new Route { DestinationPrefix = "::/0", NextHop = HostEndpointOf(ip6) },
                ]
                : null,
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

    /// <summary>
    /// Waits until the underlay's link-local addresses (made by this test a moment ago) have passed duplicate address
    /// detection: a node solicits its next hops from its link-local address, so until then forwarded IPv6 is dropped.
    /// (A real node's uplink has been up for long; KernelHcn's own devices skip DAD.)
    /// </summary>
    private async Task UnderlaySettledAsync(CancellationToken cancellationToken)
    {
        for (var i = 0; i < 50; i++)
        {
            var pending = Netns.Ip("ul", "-6 -o addr show tentative") + Netns.Ip("node1", "-6 -o addr show dev ul0 tentative")
                + Netns.Ip("node2", "-6 -o addr show dev ul0 tentative");
            if (string.IsNullOrWhiteSpace(pending))
            {
                return;
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>The host endpoint's address of the pod subnet holding <paramref name="ip"/>: .2 or ::2.</summary>
    private static string HostEndpointOf(string ip)
    {
        var address = System.Net.IPAddress.Parse(ip);
        var bytes = address.GetAddressBytes();
        if (bytes.Length == 16)
        {
            Array.Clear(bytes, 8, 8);
            bytes[15] = 2;
        }
        else
        {
            bytes[3] = 2;
        }

        return new System.Net.IPAddress(bytes).ToString();
    }

    private KernelHcnOptions Options(int n) => new()
    {
        StateDirectory = Path.Combine(_stateRoot, $"node{n}"),
        HostNetnsPath = Netns.PathOf($"node{n}"),
        ManagementIp = $"192.168.210.{n}",
        NetnsNamePrefix = Netns.Prefix + $"d{n}-",
    };

    /// <summary>wincnid's L2Bridge host endpoint: .2 and ::2 on the node (a host vNIC), the pods' next hop.</summary>
    private static async Task<HostComputeEndpoint> AddHostEndpointAsync(KernelHcn node, HostComputeNetwork network, int n, CancellationToken cancellationToken)
    {
        var host = await node.CreateEndpointAsync(network.Id, new HostComputeEndpoint
        {
            Name = "host_" + network.Name,
            IpConfigurations = [new IpConfig { IpAddress = $"10.222.{n}.2", PrefixLength = 24 }, new IpConfig { IpAddress = $"fd00:222:0:{n}::2", PrefixLength = 64 }],
        }, cancellationToken);
        var ns = await node.CreateNamespaceAsync(new HostComputeNamespace { Type = NamespaceType.HostDefault }, cancellationToken);
        await ((IHcn)node).AddNamespaceEndpointAsync(ns.Id, host.Id, cancellationToken);
        return host;
    }

    /// <summary>L2Bridge peers: the other node's pod CIDRs of both families via its underlay address of that family.</summary>
    private static Task<HostComputeRoute> AddPeerRoutesAsync(KernelHcn node, HostComputeEndpoint host, int peer, CancellationToken cancellationToken) =>
        node.CreateSdnRouteAsync(new HostComputeRoute
        {
            HostComputeEndpoints = [host.Id],
            Routes =
            [
                new SdnRoutePolicySetting { DestinationPrefix = $"10.222.{peer}.0/24", NextHop = $"192.168.210.{peer}" },
                new SdnRoutePolicySetting { DestinationPrefix = $"fd00:222:0:{peer}::/64", NextHop = $"fd00:210::{peer}" },
            ],
        }, cancellationToken);

    private static HostComputeNetwork OverlayNetwork(int n) => new()
    {
        Name = "ovl",
        Type = NetworkType.Overlay,
        Policies = [NetworkPolicy.Create(new ProviderAddressPolicySetting { ProviderAddress = $"192.168.210.{n}" })],
        Ipams =
        [
            new Ipam
            {
                Type = IpamType.Static,
                Subnets =
                [
                    new Subnet
                    {
                        IpAddressPrefix = $"10.221.{n}.0/24",
                        Routes = [new Route { NextHop = $"10.221.{n}.1", DestinationPrefix = "0.0.0.0/0" }],
                        Policies = [SubnetPolicy.Create(new VsidPolicySetting { IsolationId = 4096 })],
                    },
                    new Subnet
                    {
                        IpAddressPrefix = $"fd00:221:0:{n}::/64",
                        Routes = [new Route { NextHop = $"fd00:221:0:{n}::1", DestinationPrefix = "::/0" }],
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
                Subnets =
                [
                    new Subnet { IpAddressPrefix = $"10.222.{n}.0/24", Routes = [new Route { NextHop = $"10.222.{n}.1", DestinationPrefix = "0.0.0.0/0" }] },
                    new Subnet { IpAddressPrefix = $"fd00:222:0:{n}::/64", Routes = [new Route { NextHop = $"fd00:222:0:{n}::1", DestinationPrefix = "::/0" }] },
                ],
            },
        ],
    };

    private static NetworkPolicy[] RemoteSubnetRoutes(HostComputeNetwork remote, int n)
    {
        var mac = remote.Policies!.Select(p => p.GetSettings<DrMacAddressPolicySetting>()).OfType<DrMacAddressPolicySetting>().Single().Address!;
        return
        [
            NetworkPolicy.Create(new RemoteSubnetRoutePolicySetting
            {
                DestinationPrefix = $"10.221.{n}.0/24", IsolationId = 4096, ProviderAddress = $"192.168.210.{n}", DistributedRouterMacAddress = mac,
            }),
            NetworkPolicy.Create(new RemoteSubnetRoutePolicySetting
            {
                DestinationPrefix = $"fd00:221:0:{n}::/64", IsolationId = 4096, ProviderAddress = $"192.168.210.{n}", DistributedRouterMacAddress = mac,
            }),
        ];
    }
}
