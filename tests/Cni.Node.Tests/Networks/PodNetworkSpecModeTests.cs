using System.Net;
using Cni.Hcn.Json;
using Cni.Hcn.Model;
using Cni.Node.Configuration;
using Cni.Node.Networks;

namespace Cni.Node.Tests.Networks;

/// <summary>The HCN documents of the nat, transparent and l2tunnel modes, byte for byte as HNS takes them (hcn-schema.md §NetworkType).</summary>
public sealed class PodNetworkSpecModeTests
{
    private static readonly NodeAddressing Node = new([IPNetwork.Parse("10.244.1.0/24")], IPAddress.Parse("192.0.2.10"));

    internal static readonly StaticPoolOptions Pool = new()
    {
        Subnet = IPNetwork.Parse("192.168.50.0/24"),
        Gateway = IPAddress.Parse("192.168.50.254"),
        RangeStart = IPAddress.Parse("192.168.50.100"),
        RangeEnd = IPAddress.Parse("192.168.50.149"),
    };

    [Test]
    public void Build_Nat_TypeNatSubnetViaDotOneAndNoAdapter()
    {
        // A NAT network is internal: an adapterName (meant for external modes) is not put on it.
        var options = new NodeOptions { Mode = NetworkMode.Nat, NetworkName = "nat", AdapterName = "Ethernet" };

        var network = PodNetworkSpec.Build(options, Node);

        Assert.That(HcnJson.Serialize(network), Is.EqualTo(
            """
            {"Name":"nat","Type":"NAT","Ipams":[{"Type":"Static","Subnets":[{"IpAddressPrefix":"10.244.1.0/24","Routes":[{"NextHop":"10.244.1.1","DestinationPrefix":"0.0.0.0/0"}]}]}],"SchemaVersion":{"Major":2,"Minor":0}}
            """));
    }

    [Test]
    public void Build_Transparent_StaticPoolSubnetPhysicalGatewayAndAdapter()
    {
        var options = new NodeOptions
        {
            Mode = NetworkMode.Transparent, NetworkName = "ext", AdapterName = "Ethernet", StaticPool = Pool, PodCidrs = [Pool.Subnet],
        };

        var network = PodNetworkSpec.Build(options, Node with { PodCidrs = [Pool.Subnet] });

        Assert.That(HcnJson.Serialize(network), Is.EqualTo(
            """
            {"Name":"ext","Type":"Transparent","Policies":[{"Type":"NetAdapterName","Settings":{"NetworkAdapterName":"Ethernet"}}],"Ipams":[{"Type":"Static","Subnets":[{"IpAddressPrefix":"192.168.50.0/24","Routes":[{"NextHop":"192.168.50.254","DestinationPrefix":"0.0.0.0/0"}]}]}],"SchemaVersion":{"Major":2,"Minor":0}}
            """));
    }

    [Test]
    public void Build_L2Tunnel_L2BridgeDocumentWithTypeL2Tunnel()
    {
        var options = new NodeOptions { Mode = NetworkMode.L2Tunnel, NetworkName = "azure", AdapterName = "Ethernet" };

        var network = PodNetworkSpec.Build(options, Node);

        Assert.That(HcnJson.Serialize(network), Is.EqualTo(
            """
            {"Name":"azure","Type":"L2Tunnel","Policies":[{"Type":"NetAdapterName","Settings":{"NetworkAdapterName":"Ethernet"}}],"Ipams":[{"Type":"Static","Subnets":[{"IpAddressPrefix":"10.244.1.0/24","Routes":[{"NextHop":"10.244.1.1","DestinationPrefix":"0.0.0.0/0"}]}]}],"SchemaVersion":{"Major":2,"Minor":0}}
            """));
    }

    [Test]
    public void Compare_NatNetworkReadBackWithoutType_Adopted()
    {
        // HNS omits the type of a NAT network when it reports one (hcsshim hcn/hcnnetwork.go presets NAT before reading).
        var options = new NodeOptions { Mode = NetworkMode.Nat, NetworkName = "nat" };
        var desired = PodNetworkSpec.Build(options, Node);
        var reported = HcnJson.Deserialize<HostComputeNetwork>(HcnJson.Serialize(desired).Replace("\"Type\":\"NAT\",", string.Empty, StringComparison.Ordinal))!;

        Assert.That(PodNetworkSpec.Compare(desired, reported), Is.Empty);
    }

    [TestCase(NetworkMode.L2Bridge, "L2Bridge")]
    [TestCase(NetworkMode.Overlay, "Overlay")]
    [TestCase(NetworkMode.Nat, "NAT")]
    [TestCase(NetworkMode.Transparent, "Transparent")]
    [TestCase(NetworkMode.L2Tunnel, "L2Tunnel")]
    public void TypeOf_EveryMode_HcnTypeString(NetworkMode mode, string expected)
    {
        Assert.That(PodNetworkSpec.TypeOf(mode).Value, Is.EqualTo(expected));
    }
}
