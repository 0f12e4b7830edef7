using Cni.Hcn.Model.Policies;
using Cni.Hcn.Tests.Model;

namespace Cni.Hcn.Tests.Model.Policies;

/// <summary>One golden document per network, endpoint and subnet policy type.</summary>
public static class PolicyGoldenCases
{
    public static IEnumerable<GoldenCase> Network()
    {
        yield return N(new SourceMacAddressPolicySetting { SourceMacAddress = "00-15-5D-52-C0-01" });
        yield return N(new NetAdapterNamePolicySetting { NetworkAdapterName = "Ethernet" });
        yield return N(new VSwitchExtensionPolicySetting { ExtensionId = "e9b59cfa-2be1-4b21-828f-b6fbdbddc017", Enable = true });
        yield return N(new DrMacAddressPolicySetting { Address = "00-15-5D-52-C0-00" });
        yield return N(new AutomaticDnsPolicySetting { Enable = true });
        yield return N(new InterfaceConstraintPolicySetting
        {
            InterfaceGuid = "1a2b3c4d-0000-0000-0000-000000000001",
            InterfaceLuid = 1689399632855040,
            InterfaceIndex = 12,
            InterfaceMediaType = 6,
            InterfaceAlias = "Ethernet",
            InterfaceDescription = "Microsoft Hyper-V Network Adapter",
        });
        yield return N(new ProviderAddressPolicySetting { ProviderAddress = "192.168.0.10" });
        yield return N(new RemoteSubnetRoutePolicySetting
        {
            DestinationPrefix = "10.244.3.0/24",
            IsolationId = 4096,
            ProviderAddress = "192.168.0.11",
            DistributedRouterMacAddress = "01-02-03-04-05-06",
        });
        yield return N(new VxlanPortPolicySetting { Port = 4789 });
        yield return N(new HostRoutePolicySetting());
        yield return N(new SetPolicySetting { Id = "set-1", Name = "allowed-pods", PolicyType = SetPolicyType.IpSet, Values = "10.244.1.5,10.244.2.7" });
        yield return N(new L4ProxyPolicySetting
        {
            Ip = "127.0.0.1", Port = "15001", Protocol = ProtocolType.Tcp, Exceptions = ["10.96.0.1"], Destination = "10.244.1.15", OutboundNat = true,
        });
        yield return N(new LayerConstraintPolicySetting { LayerId = "c29ee5f8-0000-4000-8000-000000000001" });
        yield return N(new NetworkAclPolicySetting
        {
            Protocols = "6", Action = ActionType.Block, Direction = DirectionType.Out, RemoteAddresses = "169.254.169.254",
            RemotePorts = "80", RuleType = RuleType.Switch, Priority = 100,
        });
        yield return N(new NeighborDiscoveryPolicySetting
        {
            TargetIpPrefix = "10.244.1.0/24", SenderIpAddress = "10.244.1.1", SenderMacAddress = "00-15-5D-52-C0-00",
        });
    }

    public static IEnumerable<GoldenCase> Endpoint()
    {
        yield return E(new PortMappingPolicySetting
        {
            Protocol = ProtocolType.Udp, InternalPort = 53, ExternalPort = 5353, Vip = "192.168.0.10", Flags = NatFlags.LocalRoutedVip,
        });
        yield return E(new AclPolicySetting
        {
            Id = "allow-http", Protocols = "6", Action = ActionType.Allow, Direction = DirectionType.In,
            LocalAddresses = "192.168.100.0/24,10.0.0.21", RemoteAddresses = "192.168.100.0/24,10.0.0.21",
            LocalPorts = "80,8080", RemotePorts = "80,8080", RuleType = RuleType.Switch, Priority = 200,
        });
        yield return E(new QosPolicySetting { MaximumOutgoingBandwidthInBytes = 125000000 });
        yield return Raw(EndpointPolicyType.L2Driver, "{}");
        yield return E(new OutboundNatPolicySetting
        {
            VirtualIP = "192.168.0.10", Exceptions = ["10.244.0.0/16", "10.96.0.0/12"], Destinations = ["10.244.1.15"],
            Flags = NatFlags.IPv6, MaxPortPoolUsage = 1024,
        });
        yield return E(new SdnRoutePolicySetting { DestinationPrefix = "10.96.0.0/12", NextHop = "10.244.1.1", NeedEncap = true, AutomaticEndpointMonitor = true });
        yield return E(new L4ProxyPolicySetting { Port = "15001", Exceptions = ["10.96.0.1", "10.96.0.10"], Destination = "10.244.1.15" });
        yield return E(new L4WfpProxyPolicySetting
        {
            InboundProxyPort = "80",
            OutboundProxyPort = "81",
            FilterTuple = new() { Protocols = "6", RemoteAddresses = "10.0.0.4", Priority = 8 },
            InboundExceptions = new() { IpAddressExceptions = ["12.0.1.12"], PortExceptions = ["8181"] },
            OutboundExceptions = new() { IpAddressExceptions = ["10.0.1.12"], PortExceptions = ["81"] },
        });
        yield return E(new PortNamePolicySetting { Name = "pod-eth0-port" });
        yield return E(new EncapOverheadPolicySetting { Overhead = 50 });
        yield return E(new IovPolicySetting { IovOffloadWeight = 100, QueuePairsRequested = 4, InterruptModeration = IovInterruptModeration.Medium });
        yield return E(new ProviderAddressPolicySetting { ProviderAddress = "192.168.0.11" });
        yield return E(new InterfaceConstraintPolicySetting { InterfaceIndex = 12, InterfaceAlias = "vEthernet (Ethernet)" });
        yield return E(new TierAclPolicySetting
        {
            Name = "TierIn1",
            Direction = DirectionType.In,
            Order = 1001,
            TierAclRules =
            [
                new TierAclRule
                {
                    Id = "TierIn1Rule1", Protocols = "6", TierAclRuleAction = ActionType.Pass, LocalAddresses = "10.0.0.21",
                    RemoteAddresses = "10.0.0.0/8", LocalPorts = "80", RemotePorts = "80", Priority = 2001,
                },
                new TierAclRule { Id = "TierIn1Rule2", TierAclRuleAction = ActionType.Block, Priority = 2100 },
            ],
        });
        yield return Raw(EndpointPolicyType.Encryption, "{}");
        yield return E(new VlanPolicySetting { IsolationId = 100 });
        yield return E(new InterfaceParametersPolicySetting { Mtu = 1450 });
    }

    public static IEnumerable<GoldenCase> Subnet()
    {
        yield return S(new VlanPolicySetting { IsolationId = 100 });
        yield return S(new VsidPolicySetting { IsolationId = 4096 });
    }

    private static GoldenCase N<T>(T settings)
        where T : PolicySetting, INetworkPolicySetting
    {
        var policy = NetworkPolicy.Create(settings);
        return GoldenCase.Of($"network-policy-{policy.Type}.json", policy);
    }

    private static GoldenCase E<T>(T settings)
        where T : PolicySetting, IEndpointPolicySetting
    {
        var policy = EndpointPolicy.Create(settings);
        return GoldenCase.Of($"endpoint-policy-{policy.Type}.json", policy);
    }

    private static GoldenCase S<T>(T settings)
        where T : PolicySetting, ISubnetPolicySetting
    {
        var policy = SubnetPolicy.Create(settings);
        return GoldenCase.Of($"subnet-policy-{policy.Type}.json", policy);
    }

    private static GoldenCase Raw(EndpointPolicyType type, string settingsJson)
    {
        using var document = System.Text.Json.JsonDocument.Parse(settingsJson);
        var policy = new EndpointPolicy { Type = type, Settings = new RawPolicySetting(document.RootElement.Clone()) };
        return GoldenCase.Of($"endpoint-policy-{type}.json", policy);
    }
}
