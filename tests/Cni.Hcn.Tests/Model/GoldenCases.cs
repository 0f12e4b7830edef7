using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;
using Cni.Hcn.Model.Requests;
using Cni.Hcn.Versioning;

namespace Cni.Hcn.Tests.Model;

/// <summary>
/// The models behind every golden document (written from the fields of hcsshim's hcn/*.go structs and MS-docs
/// HNS_Schema.md, not from the model under test).
/// </summary>
public static class GoldenCases
{
    public static readonly Guid NetworkId = Guid.Parse("c0a8f2d4-1111-2222-3333-444455556666");
    public static readonly Guid EndpointId1 = Guid.Parse("9d1e0c5a-aaaa-bbbb-cccc-000000000001");
    public static readonly Guid EndpointId2 = Guid.Parse("9d1e0c5a-aaaa-bbbb-cccc-000000000002");
    public static readonly Guid NamespaceId = Guid.Parse("5f0b1190-63be-4e0c-b974-bd0f55675a42");

    private static readonly RemoteSubnetRoutePolicySetting RemoteSubnet = new()
    {
        DestinationPrefix = "10.244.3.0/24",
        IsolationId = 4096,
        ProviderAddress = "192.168.0.11",
        DistributedRouterMacAddress = "01-02-03-04-05-06",
    };

    private static readonly AclPolicySetting HcsshimAcl = new()
    {
        Protocols = "6",
        Action = ActionType.Allow,
        Direction = DirectionType.In,
        LocalAddresses = "192.168.100.0/24,10.0.0.21",
        RemoteAddresses = "192.168.100.0/24,10.0.0.21",
        LocalPorts = "80,8080",
        RemotePorts = "80,8080",
        RuleType = RuleType.Switch,
        Priority = 200,
    };

    public static IEnumerable<GoldenCase> Objects()
    {
        yield return GoldenCase.Of("network-l2bridge.json", new HostComputeNetwork
        {
            Name = "cbr0",
            Type = NetworkType.L2Bridge,
            Policies = [NetworkPolicy.Create(new NetAdapterNamePolicySetting { NetworkAdapterName = "Ethernet" })],
            MacPool = new(),
            Dns = new(),
            Ipams =
            [
                new Ipam
                {
                    Type = IpamType.Static,
                    Subnets = [new Subnet { IpAddressPrefix = "10.244.1.0/24", Routes = [new Route { NextHop = "10.244.1.2", DestinationPrefix = "0.0.0.0/0" }] }],
                },
            ],
            Health = new() { Extra = new() },
        });

        yield return GoldenCase.Of("network-overlay.json", new HostComputeNetwork
        {
            Name = "vxlan0",
            Type = NetworkType.Overlay,
            Policies =
            [
                NetworkPolicy.Create(new ProviderAddressPolicySetting { ProviderAddress = "192.168.0.10" }),
                NetworkPolicy.Create(new VxlanPortPolicySetting { Port = 4789 }),
            ],
            MacPool = new(),
            Dns = new(),
            Ipams =
            [
                new Ipam
                {
                    Type = IpamType.Static,
                    Subnets =
                    [
                        new Subnet
                        {
                            IpAddressPrefix = "10.244.2.0/24",
                            Policies = [SubnetPolicy.Create(new VsidPolicySetting { IsolationId = 4096 })],
                            Routes = [new Route { NextHop = "10.244.2.1", DestinationPrefix = "0.0.0.0/0" }],
                        },
                    ],
                },
            ],
            Flags = NetworkFlags.EnableNonPersistent,
            Health = new() { Extra = new() },
        });

        yield return GoldenCase.Of("network-queried.json", new HostComputeNetwork
        {
            Id = NetworkId,
            Name = "vxlan0",
            Type = NetworkType.Overlay,
            Policies =
            [
                NetworkPolicy.Create(new VxlanPortPolicySetting { Port = 4789 }),
                NetworkPolicy.Create(RemoteSubnet),
                NetworkPolicy.Create(new HostRoutePolicySetting()),
                NetworkPolicy.Create(new DrMacAddressPolicySetting { Address = "00-15-5D-52-C0-00" }),
            ],
            MacPool = new() { Ranges = [new MacRange { StartMacAddress = "00-15-5D-52-C0-00", EndMacAddress = "00-15-5D-52-CF-FF" }] },
            Dns = new() { Domain = "cluster.local", Search = ["svc.cluster.local"], ServerList = ["10.96.0.10"], Options = ["ndots:5"] },
            Ipams =
            [
                new Ipam
                {
                    Type = IpamType.Static,
                    Subnets =
                    [
                        new Subnet
                        {
                            IpAddressPrefix = "10.244.2.0/24",
                            Policies = [SubnetPolicy.Create(new VsidPolicySetting { IsolationId = 4096 })],
                            Routes = [new Route { NextHop = "10.244.2.1", DestinationPrefix = "0.0.0.0/0", Metric = 256 }],
                            Flags = SubnetFlags.DoNotReserveGatewayAddress,
                        },
                    ],
                },
            ],
            Flags = NetworkFlags.EnableNonPersistent | NetworkFlags.DisableHostPort,
        });

        yield return GoldenCase.Of("endpoint-pod.json", new HostComputeEndpoint
        {
            Name = "pod-eth0",
            HostComputeNetwork = NetworkId,
            Policies =
            [
                EndpointPolicy.Create(new OutboundNatPolicySetting { Exceptions = ["10.244.0.0/16", "10.96.0.0/12", "192.168.0.0/24"] }),
                EndpointPolicy.Create(new SdnRoutePolicySetting { DestinationPrefix = "10.96.0.0/12", NeedEncap = true }),
                EndpointPolicy.Create(new SdnRoutePolicySetting { DestinationPrefix = "192.168.0.10/32", NeedEncap = true }),
                EndpointPolicy.Create(new PortMappingPolicySetting
                {
                    Protocol = ProtocolType.Tcp, InternalPort = 80, ExternalPort = 8080, Flags = NatFlags.LocalRoutedVip,
                }),
            ],
            IpConfigurations = [new IpConfig { IpAddress = "10.244.1.15", PrefixLength = 24 }],
            Dns = new() { Search = ["svc.cluster.local"], ServerList = ["10.96.0.10"] },
            Routes = [new Route { NextHop = "10.244.1.2", DestinationPrefix = "0.0.0.0/0" }],
            Health = new() { Extra = new() },
        });

        yield return GoldenCase.Of("endpoint-remote.json", new HostComputeEndpoint
        {
            IpConfigurations = [new IpConfig { IpAddress = "10.244.3.7" }],
            MacAddress = "00-15-5D-52-C0-07",
            Flags = EndpointFlags.RemoteEndpoint,
            Policies = [EndpointPolicy.Create(new ProviderAddressPolicySetting { ProviderAddress = "192.168.0.11" })],
        });

        yield return GoldenCase.Of("endpoint-queried.json", new HostComputeEndpoint
        {
            Id = EndpointId1,
            Name = "0123456789ab_wincni",
            HostComputeNetwork = NetworkId,
            HostComputeNamespace = NamespaceId,
            IpConfigurations =
            [
                new IpConfig { IpAddress = "10.244.1.15", PrefixLength = 24 },
                new IpConfig { IpAddress = "fd00:10:244:1::f", PrefixLength = 64 },
            ],
            Routes =
            [
                new Route { NextHop = "10.244.1.1", DestinationPrefix = "0.0.0.0/0" },
                new Route { NextHop = "fd00:10:244:1::1", DestinationPrefix = "::/0" },
            ],
            MacAddress = "00-15-5D-52-C0-0F",
            Flags = EndpointFlags.EnableLowInterfaceMetric,
        });

        yield return GoldenCase.Of("loadbalancer-clusterip.json", new HostComputeLoadBalancer
        {
            HostComputeEndpoints = [EndpointId1, EndpointId2],
            SourceVip = "10.244.1.4",
            FrontendVips = ["10.96.0.20"],
            PortMappings =
            [
                new LoadBalancerPortMapping
                {
                    Protocol = ProtocolType.Tcp, InternalPort = 8080, ExternalPort = 80, DistributionType = LoadBalancerDistribution.SourceIP,
                },
            ],
            Flags = LoadBalancerFlags.EnableDirectServerReturn,
        });

        yield return GoldenCase.Of("loadbalancer-nodeport.json", new HostComputeLoadBalancer
        {
            HostComputeEndpoints = [EndpointId1],
            SourceVip = "10.244.1.4",
            PortMappings =
            [
                new LoadBalancerPortMapping
                {
                    Protocol = ProtocolType.Udp, InternalPort = 53, ExternalPort = 30053,
                    Flags = LoadBalancerPortMappingFlags.LocalRoutedVip | LoadBalancerPortMappingFlags.VipExternalIP,
                },
            ],
        });

        yield return GoldenCase.Of("loadbalancer-dsr.json", new HostComputeLoadBalancer
        {
            Id = Guid.Parse("2b4f4a1e-0000-4000-8000-00000000abcd"),
            HostComputeEndpoints = [EndpointId1],
            SourceVip = "10.0.0.1",
            FrontendVips = ["1.1.1.2", "1.1.1.3"],
            PortMappings =
            [
                new LoadBalancerPortMapping
                {
                    Protocol = ProtocolType.Tcp, InternalPort = 8080, ExternalPort = 80, Flags = LoadBalancerPortMappingFlags.EnablePreserveDip,
                },
            ],
            HostComputeNetwork = NetworkId,
            Flags = LoadBalancerFlags.EnableDirectServerReturn,
        });

        yield return GoldenCase.Of("namespace-create.json", new HostComputeNamespace { Type = NamespaceType.HostDefault });

        yield return GoldenCase.Of("namespace-create-ready.json", new HostComputeNamespace { Type = NamespaceType.Host, ReadyOnCreate = true });

        yield return GoldenCase.Of("namespace-queried.json", new HostComputeNamespace
        {
            Id = NamespaceId,
            NamespaceId = 5,
            Type = NamespaceType.HostDefault,
            Resources =
            [
                NamespaceResource.ForEndpoint(EndpointId1),
                new NamespaceResource { Type = NamespaceResourceType.Container, Data = new() { Id = "0123456789abcdef" } },
            ],
        });

        yield return GoldenCase.Of("sdnroute.json", new HostComputeRoute
        {
            HostComputeEndpoints = [EndpointId1],
            Routes =
            [
                new SdnRoutePolicySetting { DestinationPrefix = "169.254.169.254/24", NextHop = "127.10.0.34" },
                new SdnRoutePolicySetting { DestinationPrefix = "10.96.0.0/12", NextHop = "10.244.1.1", NeedEncap = true },
            ],
        });

        yield return GoldenCase.Of("query-default.json", new HostComputeQuery());
        yield return GoldenCase.Of("query-by-id.json", HostComputeQuery.ById(NetworkId));
        yield return GoldenCase.Of("query-by-name.json", HostComputeQuery.ByName("vxlan0"));
        yield return GoldenCase.Of("query-endpoints-of-network.json", HostComputeQuery.EndpointsOfNetwork(NetworkId));
        yield return GoldenCase.Of("query-default-namespace.json", HostComputeQuery.DefaultNamespace());

        yield return GoldenCase.Of("hns-version.json", new HcnVersion(15, 4));
    }

    public static IEnumerable<GoldenCase> Requests()
    {
        yield return GoldenCase.Of(
            "modify-network-add-remotesubnetroute.json",
            ModifyNetworkSettingRequest.ForPolicies(RequestType.Add, [NetworkPolicy.Create(RemoteSubnet)]));
        yield return GoldenCase.Of(
            "modify-network-remove-remotesubnetroute.json",
            ModifyNetworkSettingRequest.ForPolicies(RequestType.Remove, [NetworkPolicy.Create(RemoteSubnet)]));
        yield return GoldenCase.Of(
            "modify-network-add-hostroute.json",
            ModifyNetworkSettingRequest.ForPolicies(RequestType.Add, [NetworkPolicy.Create(new HostRoutePolicySetting())]));
        yield return GoldenCase.Of(
            "modify-network-dns.json",
            ModifyNetworkSettingRequest.ForDns(new Dns { Domain = "cluster.local", ServerList = ["10.96.0.10"] }));
        yield return GoldenCase.Of(
            "modify-endpoint-update-acl.json",
            ModifyEndpointSettingRequest.ForPolicies(RequestType.Update, [EndpointPolicy.Create(HcsshimAcl)]));
        yield return GoldenCase.Of(
            "modify-network-extension.json",
            ModifyNetworkSettingRequest.ForExtension(Guid.Parse("e9b59cfa-2be1-4b21-828f-b6fbdbddc017"), isEnabled: true));
        yield return GoldenCase.Of(
            "modify-network-add-subnet.json",
            ModifyNetworkSettingRequest.ForSubnets(
                RequestType.Add,
                [
                    new Subnet
                    {
                        IpAddressPrefix = "10.244.9.0/24",
                        Routes = [new Route { NextHop = "10.244.9.1", DestinationPrefix = "0.0.0.0/0" }],
                        IpSubnets = [new IpSubnet { IpAddressPrefix = "10.244.9.0/25", Flags = IpSubnetFlags.ReserveNetworkAddress }],
                    },
                ]));
        yield return GoldenCase.Of(
            "modify-network-add-ipsubnet.json",
            ModifyNetworkSettingRequest.ForIpSubnets(
                RequestType.Add,
                Guid.Parse("0b2e6c55-0000-4000-8000-000000000009"),
                [
                    new IpSubnet
                    {
                        Id = "0b2e6c55-0000-4000-8000-00000000000a",
                        IpAddressPrefix = "10.244.9.128/25",
                        Flags = IpSubnetFlags.EnableBroadcast | IpSubnetFlags.ReserveNetworkAddress,
                    },
                ]));
        yield return GoldenCase.Of(
            "modify-endpoint-add-port.json",
            ModifyEndpointSettingRequest.ForPort(
                RequestType.Add,
                new VmEndpointRequest
                {
                    PortId = Guid.Parse("7f3e1a22-0000-4000-8000-000000000001"),
                    VirtualNicName = "uvm-nic-0",
                    VirtualMachineId = Guid.Parse("3c2d1b0a-0000-4000-8000-000000000002"),
                }));
        yield return GoldenCase.Of("modify-endpoint-remove-port.json", ModifyEndpointSettingRequest.ForPort(RequestType.Remove, new VmEndpointRequest()));
        yield return GoldenCase.Of(
            "modify-endpoint-add-l4wfpproxy.json",
            ModifyEndpointSettingRequest.ForPolicies(
                RequestType.Add,
                [
                    EndpointPolicy.Create(new L4WfpProxyPolicySetting
                    {
                        InboundProxyPort = "80",
                        OutboundProxyPort = "81",
                        FilterTuple = new() { Protocols = "6", RemoteAddresses = "10.0.0.4", Priority = 8 },
                        InboundExceptions = new() { IpAddressExceptions = ["12.0.1.12"], PortExceptions = ["8181"] },
                        OutboundExceptions = new() { IpAddressExceptions = ["10.0.1.12"], PortExceptions = ["81"] },
                    }),
                ]));
        yield return GoldenCase.Of(
            "modify-namespace-add-endpoint.json",
            ModifyNamespaceSettingRequest.ForEndpoint(RequestType.Add, EndpointId1));
        yield return GoldenCase.Of(
            "modify-namespace-remove-endpoint.json",
            ModifyNamespaceSettingRequest.ForEndpoint(RequestType.Remove, EndpointId1));
    }
}
