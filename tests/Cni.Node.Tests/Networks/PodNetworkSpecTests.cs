using System.Net;
using Cni.Hcn.Json;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;
using Cni.Node.Configuration;
using Cni.Node.Ipam;
using Cni.Node.Networks;

namespace Cni.Node.Tests.Networks;

public sealed class PodNetworkSpecTests
{
    private static readonly NodeAddressing Node = new([IPNetwork.Parse("10.244.1.0/24")], IPAddress.Parse("192.0.2.10"));

    [Test]
    public void Build_L2Bridge_SubnetGatewayAndAdapter()
    {
        var options = new NodeOptions { Mode = NetworkMode.L2Bridge, NetworkName = "cbr0", AdapterName = "Ethernet" };

        var network = PodNetworkSpec.Build(options, Node);

        Assert.That(HcnJson.Serialize(network), Is.EqualTo(
            """
            {"Name":"cbr0","Type":"L2Bridge","Policies":[{"Type":"NetAdapterName","Settings":{"NetworkAdapterName":"Ethernet"}}],"Ipams":[{"Type":"Static","Subnets":[{"IpAddressPrefix":"10.244.1.0/24","Routes":[{"NextHop":"10.244.1.1","DestinationPrefix":"0.0.0.0/0"}]}]}],"SchemaVersion":{"Major":2,"Minor":0}}
            """));
    }

    [Test]
    public void Build_Overlay_FlannelsDocumentSubnetVsidOnly()
    {
        // flannel-io/flannel pkg/backend/vxlan/device_windows.go: the subnet (default route via .1, VSID policy) and
        // nothing else; HNS adds ProviderAddress and DrMacAddress, HostRoute comes later by a modify.
        var options = new NodeOptions { Mode = NetworkMode.Overlay, NetworkName = "vxlan0", Vxlan = new VxlanOptions { Vni = 4097 } };

        var network = PodNetworkSpec.Build(options, Node);

        Assert.That(HcnJson.Serialize(network), Is.EqualTo(
            """
            {"Name":"vxlan0","Type":"Overlay","Ipams":[{"Type":"Static","Subnets":[{"IpAddressPrefix":"10.244.1.0/24","Policies":[{"Type":"VSID","Settings":{"IsolationId":4097}}],"Routes":[{"NextHop":"10.244.1.1","DestinationPrefix":"0.0.0.0/0"}]}]}],"SchemaVersion":{"Major":2,"Minor":0}}
            """));
    }

    [Test]
    public void Build_OverlayWithAdapterAndOtherPort_NetAdapterNameAndVxlanPortOnly()
    {
        var options = new NodeOptions { Mode = NetworkMode.Overlay, NetworkName = "vxlan0", AdapterName = "Ethernet 2", Vxlan = new VxlanOptions { Port = 4790 } };

        var network = PodNetworkSpec.Build(options, Node);

        Assert.That(network.Policies!.Select(HcnJson.Serialize), Is.EqualTo(new[]
        {
            """{"Type":"NetAdapterName","Settings":{"NetworkAdapterName":"Ethernet 2"}}""",
            """{"Type":"VxlanPort","Settings":{"Port":4790}}""",
        }));
    }

    [Test]
    public void Build_DualStackL2Bridge_OneSubnetPerFamily()
    {
        var node = Node with { PodCidrs = [IPNetwork.Parse("10.244.1.0/24"), IPNetwork.Parse("fd00:10:244:1::/64")] };

        var network = PodNetworkSpec.Build(new NodeOptions { Mode = NetworkMode.L2Bridge }, node);

        var routes = network.Ipams![0].Subnets!.Select(s => (s.IpAddressPrefix, s.Routes![0].NextHop, s.Routes[0].DestinationPrefix)).ToList();
        Assert.That(routes, Is.EqualTo(new[] { ("10.244.1.0/24", "10.244.1.1", "0.0.0.0/0"), ("fd00:10:244:1::/64", "fd00:10:244:1::1", "::/0") }));
    }

    [Test]
    public void Compare_SameSpecPlusHnsAddedDetails_NoDifference()
    {
        var options = new NodeOptions { Mode = NetworkMode.Overlay };
        var desired = PodNetworkSpec.Build(options, Node with { NodeIp = null });
        var actual = desired with
        {
            Id = Guid.NewGuid(),
            Policies = [NetworkPolicy.Create(new ProviderAddressPolicySetting { ProviderAddress = "192.0.2.99" }), NetworkPolicy.Create(new DrMacAddressPolicySetting { Address = "00-15-5D-00-00-01" })],
        };

        Assert.That(PodNetworkSpec.Compare(desired, actual), Is.Empty);
    }

    [Test]
    public void Compare_DifferentVniCidrAndType_NamesEachConfigKey()
    {
        var desired = PodNetworkSpec.Build(new NodeOptions { Mode = NetworkMode.Overlay }, Node);
        var otherVni = PodNetworkSpec.Build(new NodeOptions { Mode = NetworkMode.Overlay, Vxlan = new VxlanOptions { Vni = 5000 } }, Node);
        var otherCidr = PodNetworkSpec.Build(new NodeOptions { Mode = NetworkMode.Overlay }, Node with { PodCidrs = [IPNetwork.Parse("10.244.9.0/24")] });
        var otherType = PodNetworkSpec.Build(new NodeOptions { Mode = NetworkMode.L2Bridge }, Node);

        Assert.Multiple(() =>
        {
            Assert.That(PodNetworkSpec.Compare(desired, otherVni).Select(d => d.ToString()), Is.EqualTo(new[] { "vxlan.vni: config wants 4096, network has 5000" }));
            Assert.That(PodNetworkSpec.Compare(desired, otherCidr).Select(d => d.Field), Is.EqualTo(new[] { "podCIDRs" }));
            Assert.That(PodNetworkSpec.Compare(desired, otherType).Select(d => d.Field), Has.Member("mode"));
        });
    }

    [Test]
    public void Compare_OtherPortOrProviderAddress_OnlyThePortIsADifference()
    {
        // The provider address is HNS's to choose (flannel never sets it); the port is the config's.
        var desired = PodNetworkSpec.Build(new NodeOptions { Mode = NetworkMode.Overlay }, Node);
        var actual = PodNetworkSpec.Build(new NodeOptions { Mode = NetworkMode.Overlay, Vxlan = new VxlanOptions { Port = 8472 } }, Node) with
        {
            Policies = [NetworkPolicy.Create(new VxlanPortPolicySetting { Port = 8472 }), NetworkPolicy.Create(new ProviderAddressPolicySetting { ProviderAddress = "192.0.2.11" })],
        };

        Assert.That(PodNetworkSpec.Compare(desired, actual).Select(d => d.ToString()), Is.EqualTo(new[] { "vxlan.port: config wants 4789, network has 8472" }));
    }
}
