using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Tests.Memory;

/// <summary>Small documents the MemoryHcn tests build on.</summary>
internal static class MemoryHcnTestData
{
    public static HostComputeNetwork L2Bridge(string name = "cbr0", string net24 = "10.244.1", SubnetFlags flags = SubnetFlags.None, MacPool? macPool = null) => new()
    {
        Name = name,
        Type = NetworkType.L2Bridge,
        MacPool = macPool,
        Ipams =
        [
            new Ipam
            {
                Type = IpamType.Static,
                Subnets =
                [
                    new Subnet
                    {
                        IpAddressPrefix = net24 + ".0/24",
                        Routes = [new Route { NextHop = net24 + ".1", DestinationPrefix = "0.0.0.0/0" }],
                        Flags = flags,
                    },
                ],
            },
        ],
    };

    public static HostComputeNetwork Overlay(string name = "vxlan0", string net24 = "10.244.2") => L2Bridge(name, net24) with
    {
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
                        IpAddressPrefix = net24 + ".0/24",
                        Routes = [new Route { NextHop = net24 + ".1", DestinationPrefix = "0.0.0.0/0" }],
                        Policies = [SubnetPolicy.Create(new VsidPolicySetting { IsolationId = 4096 })],
                    },
                ],
            },
        ],
    };

    public static HostComputeEndpoint Endpoint(string? ip, string name = "pod_eth0", params EndpointPolicy[] policies) => new()
    {
        Name = name,
        IpConfigurations = ip is null ? null : [new IpConfig { IpAddress = ip }],
        Policies = policies.Length == 0 ? null : policies,
    };

    public static EndpointPolicy HostPort(ushort external, ushort internalPort = 80, string? vip = null) =>
        EndpointPolicy.Create(new PortMappingPolicySetting { Protocol = ProtocolType.Tcp, ExternalPort = external, InternalPort = internalPort, Vip = vip });

    public static HostComputeLoadBalancer ClusterIp(Guid backend, string vip, ushort port) => new()
    {
        HostComputeEndpoints = [backend],
        FrontendVips = [vip],
        PortMappings = [new LoadBalancerPortMapping { Protocol = ProtocolType.Tcp, ExternalPort = port, InternalPort = 8080 }],
    };
}
