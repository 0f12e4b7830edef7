using System.Net;
using System.Net.NetworkInformation;
using Cni.Hcn.Kernel.Layout;
using Cni.Hcn.Kernel.Naming;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Kernel.Tests.Layout;

[TestFixture]
public sealed class NetworkLayoutTests
{
    [Test]
    public void From_OverlayWithPolicies_ReadsVniPortProviderMacAndRemoteSubnets()
    {
        var network = new HostComputeNetwork
        {
            Name = "vxlan0",
            Type = NetworkType.Overlay,
            Policies =
            [
                NetworkPolicy.Create(new ProviderAddressPolicySetting { ProviderAddress = "192.168.0.10" }),
                NetworkPolicy.Create(new VxlanPortPolicySetting { Port = 4790 }),
                NetworkPolicy.Create(new DrMacAddressPolicySetting { Address = "0E-2A-00-00-00-01" }),
                NetworkPolicy.Create(new RemoteSubnetRoutePolicySetting
                {
                    DestinationPrefix = "10.244.3.0/24", IsolationId = 4097, ProviderAddress = "192.168.0.11", DistributedRouterMacAddress = "0e:2a:00:00:00:02",
                }),
            ],
            Ipams =
            [
                new Ipam
                {
                    Subnets =
                    [
                        new Subnet
                        {
                            IpAddressPrefix = "10.244.2.0/24",
                            Routes = [new Route { NextHop = "10.244.2.1", DestinationPrefix = "0.0.0.0/0" }],
                            Policies = [SubnetPolicy.Create(new VsidPolicySetting { IsolationId = 4097 })],
                        },
                    ],
                },
            ],
        };

        var layout = NetworkLayout.From(network);

        Assert.That(layout.IsOverlay, Is.True);
        Assert.That(layout.Vni, Is.EqualTo(4097));
        Assert.That(layout.VxlanPort, Is.EqualTo(4790));
        Assert.That(layout.Vxlan, Is.EqualTo("wcni-vx-4097"));
        Assert.That(layout.ProviderAddress, Is.EqualTo(IPAddress.Parse("192.168.0.10")));
        Assert.That(layout.VtepMac, Is.EqualTo(PhysicalAddress.Parse("0E-2A-00-00-00-01")));
        Assert.That(layout.Subnets.Single().Gateway, Is.EqualTo(IPAddress.Parse("10.244.2.1")));
        var remote = layout.RemoteSubnets.Single();
        Assert.That(remote.Prefix, Is.EqualTo(IPNetwork.Parse("10.244.3.0/24")));
        Assert.That(remote.NextHop, Is.EqualTo(IPAddress.Parse("10.244.3.0")));
        Assert.That(remote.Mac, Is.EqualTo(PhysicalAddress.Parse("0E-2A-00-00-00-02")));
        Assert.That(remote.Provider, Is.EqualTo(IPAddress.Parse("192.168.0.11")));
    }

    [Test]
    public void From_L2BridgeWithoutRoutes_GatewayIsFirstHostAndNoVxlan()
    {
        var layout = NetworkLayout.From(new HostComputeNetwork
        {
            Name = "cbr0",
            Type = NetworkType.L2Bridge,
            Ipams = [new Ipam { Subnets = [new Subnet { IpAddressPrefix = "10.244.5.0/24" }] }],
        });

        Assert.That(layout.IsOverlay, Is.False);
        Assert.That(layout.Vxlan, Is.Null);
        Assert.That(layout.Subnets.Single().Gateway, Is.EqualTo(IPAddress.Parse("10.244.5.1")));
        Assert.That(layout.Bridge, Is.EqualTo(DeviceNames.Bridge("cbr0")));
    }

    [Test]
    public void From_DualStackOverlay_KeepsBothSubnetsAndIpv6RemoteSubnetsOverTheIpv4Underlay()
    {
        var layout = NetworkLayout.From(new HostComputeNetwork
        {
            Name = "o",
            Type = NetworkType.Overlay,
            Policies =
            [
                NetworkPolicy.Create(new RemoteSubnetRoutePolicySetting
                {
                    DestinationPrefix = "fd00:244:3::/64", IsolationId = 4096, ProviderAddress = "192.0.2.11", DistributedRouterMacAddress = "0e:2a:00:00:00:02",
                }),
            ],
            Ipams =
            [
                new Ipam
                {
                    Subnets =
                    [
                        new Subnet { IpAddressPrefix = "10.244.2.0/24" },
                        new Subnet { IpAddressPrefix = "fd00:244:2::/64", Routes = [new Route { NextHop = "fd00:244:2::1", DestinationPrefix = "::/0" }] },
                    ],
                },
            ],
        });

        Assert.That(layout.Subnets.Select(s => s.Gateway), Is.EqualTo(new[] { IPAddress.Parse("10.244.2.1"), IPAddress.Parse("fd00:244:2::1") }));
        Assert.That(layout.HasIpv6, Is.True);
        var remote = layout.RemoteSubnets.Single();
        Assert.That(remote.NextHop, Is.EqualTo(IPAddress.Parse("fd00:244:3::")), "flannel's layout: the remote subnet's network address, onlink");
        Assert.That(remote.Provider, Is.EqualTo(IPAddress.Parse("192.0.2.11")));
    }

    [Test]
    public void From_Ipv6SubnetWithoutRoutes_GatewayIsFirstHost()
    {
        var layout = NetworkLayout.From(new HostComputeNetwork
        {
            Name = "cbr0",
            Type = NetworkType.L2Bridge,
            Ipams = [new Ipam { Subnets = [new Subnet { IpAddressPrefix = "fd00:244:5::/64" }] }],
        });

        Assert.That(layout.Subnets.Single().Gateway, Is.EqualTo(IPAddress.Parse("fd00:244:5::1")));
    }

    [Test]
    public void From_OverlayDefaults_Vni4096Port4789()
    {
        var layout = NetworkLayout.From(new HostComputeNetwork { Name = "o", Type = NetworkType.Overlay });

        Assert.That(layout.Vni, Is.EqualTo(4096));
        Assert.That(layout.VxlanPort, Is.EqualTo(4789));
    }

    [Test]
    public void From_RemoteSubnetWithMulticastMac_ProgramsRouteOnly()
    {
        var layout = NetworkLayout.From(new HostComputeNetwork
        {
            Name = "o",
            Type = NetworkType.Overlay,
            Policies =
            [
                NetworkPolicy.Create(new RemoteSubnetRoutePolicySetting
                {
                    DestinationPrefix = "10.250.3.0/24", IsolationId = 4096, ProviderAddress = "192.0.2.11", DistributedRouterMacAddress = "01-02-03-04-05-06",
                }),
            ],
        });

        Assert.That(layout.RemoteSubnets.Single().Mac, Is.Null);
    }

    [TestCase("0e-2a-00-00-00-01")]
    [TestCase("0E:2A:00:00:00:01")]
    [TestCase("0E2A00000001")]
    public void ParseMac_AnyCommonForm_Parses(string text)
    {
        Assert.That(NetworkLayout.ParseMac(text), Is.EqualTo(PhysicalAddress.Parse("0E-2A-00-00-00-01")));
    }

    [Test]
    public void DefaultVtepMac_SameKey_StableLocallyAdministeredUnicast()
    {
        var mac = NetworkLayout.DefaultVtepMac("a");

        Assert.That(NetworkLayout.DefaultVtepMac("a"), Is.EqualTo(mac));
        Assert.That(NetworkLayout.DefaultVtepMac("b"), Is.Not.EqualTo(mac));
        Assert.That(NetworkLayout.ParseMac(mac)!.GetAddressBytes()[0] & 0x03, Is.EqualTo(0x02));
    }
}
