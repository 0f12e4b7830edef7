using System.Net;
using System.Net.NetworkInformation;
using Cni.Hcn.Json;
using Cni.Node.Configuration;
using Cni.Node.Networks;

namespace Cni.Node.Tests.Networks;

/// <summary>The network's VLAN, its adapters chosen by name, MAC or subnet, and SET teams.</summary>
public sealed class PodNetworkSpecIsolationTests
{
    private static readonly NodeAddressing Node = new([IPNetwork.Parse("10.244.1.0/24")], IPAddress.Parse("192.0.2.10"));

    private static readonly FakeAdapters Host = new(
    [
        new HostAdapter("lo", null, [IPAddress.Loopback]),
        new HostAdapter("Ethernet", PhysicalAddress.Parse("00-15-5D-01-02-03"), [IPAddress.Parse("192.0.2.10")]),
        new HostAdapter("Ethernet 2", PhysicalAddress.Parse("00-15-5D-01-02-04"), [IPAddress.Parse("198.51.100.7")]),
        new HostAdapter("Ethernet 3", PhysicalAddress.Parse("00-15-5D-01-02-05"), [IPAddress.Parse("198.51.100.8")]),
    ]);

    [Test]
    public void Build_L2BridgeWithVlan_VlanSubnetPolicyAsHnsTakesIt()
    {
        var network = PodNetworkSpec.Build(new NodeOptions { Mode = NetworkMode.L2Bridge, NetworkName = "cbr0", Vlan = 11 }, Node);

        Assert.That(HcnJson.Serialize(network.Ipams![0].Subnets![0]), Is.EqualTo(
            """{"IpAddressPrefix":"10.244.1.0/24","Policies":[{"Type":"VLAN","Settings":{"IsolationId":11}}],"Routes":[{"NextHop":"10.244.1.1","DestinationPrefix":"0.0.0.0/0"}]}"""));
    }

    [Test]
    public void Build_TeamOfTwoAdapters_OneNetAdapterNamePolicyEachInConfigOrder()
    {
        var network = PodNetworkSpec.Build(new NodeOptions { Mode = NetworkMode.L2Bridge }, Node, ["Ethernet 2", "Ethernet 3"]);

        Assert.That(network.Policies!.Select(HcnJson.Serialize), Is.EqualTo(new[]
        {
            """{"Type":"NetAdapterName","Settings":{"NetworkAdapterName":"Ethernet 2"}}""",
            """{"Type":"NetAdapterName","Settings":{"NetworkAdapterName":"Ethernet 3"}}""",
        }));
    }

    [Test]
    public void Compare_VlanChanged_DifferenceNamesVlan()
    {
        var desired = PodNetworkSpec.Build(new NodeOptions { Mode = NetworkMode.L2Bridge, Vlan = 11 }, Node);
        var actual = PodNetworkSpec.Build(new NodeOptions { Mode = NetworkMode.L2Bridge, Vlan = 12 }, Node);

        Assert.That(PodNetworkSpec.Compare(desired, actual).Select(d => (d.Field, d.Desired, d.Actual)), Is.EqualTo(new[] { ("vlan", "11", "12") }));
    }

    [Test]
    public void Compare_TeamMemberMissing_DifferenceNamesAdapters()
    {
        var desired = PodNetworkSpec.Build(new NodeOptions { Mode = NetworkMode.L2Bridge }, Node, ["Ethernet 2", "Ethernet 3"]);
        var actual = PodNetworkSpec.Build(new NodeOptions { Mode = NetworkMode.L2Bridge }, Node, ["Ethernet 2"]);

        Assert.That(PodNetworkSpec.Compare(desired, actual).Select(d => d.Field), Is.EqualTo(new[] { "adapters" }));
    }

    [Test]
    public void Resolve_ByName_NameAsGivenWithoutListing()
    {
        var names = AdapterSelection.Resolve(Options(new AdapterSelector { Name = "vEthernet (x)" }), new FakeAdapters([]));

        Assert.That(names, Is.EqualTo(new[] { "vEthernet (x)" }));
    }

    [Test]
    public void Resolve_ByMac_TheAdapterWithThatMac()
    {
        var names = AdapterSelection.Resolve(Options(new AdapterSelector { MacAddress = PhysicalAddress.Parse("00-15-5D-01-02-04") }), Host);

        Assert.That(names, Is.EqualTo(new[] { "Ethernet 2" }));
    }

    [Test]
    public void Resolve_BySubnet_TheFirstAdapterWithAnAddressInIt()
    {
        var names = AdapterSelection.Resolve(Options(new AdapterSelector { Subnet = IPNetwork.Parse("198.51.100.0/24") }), Host);

        Assert.That(names, Is.EqualTo(new[] { "Ethernet 2" }));
    }

    [Test]
    public void Resolve_MacAndSubnetTeam_BothInOrder()
    {
        var options = Options(
            new AdapterSelector { MacAddress = PhysicalAddress.Parse("00-15-5D-01-02-05") },
            new AdapterSelector { Subnet = IPNetwork.Parse("192.0.2.0/24") });

        Assert.That(AdapterSelection.Resolve(options, Host), Is.EqualTo(new[] { "Ethernet 3", "Ethernet" }));
    }

    [Test]
    public void Resolve_MacMatchesNothing_ErrorNamesTheEntryAndListsAdapters()
    {
        var options = Options(new AdapterSelector { Name = "Ethernet" }, new AdapterSelector { MacAddress = PhysicalAddress.Parse("02-00-00-00-00-09") });

        var error = Assert.Throws<ArgumentException>(() => AdapterSelection.Resolve(options, Host));

        Assert.That(error!.Message, Does.StartWith("adapters[1]: no host adapter has MAC 02-00-00-00-00-09").And.Contain("Ethernet 2 [00-15-5D-01-02-04; 198.51.100.7]"));
    }

    [Test]
    public void Resolve_SubnetMatchesNothing_ErrorNamesTheEntry()
    {
        var error = Assert.Throws<ArgumentException>(() => AdapterSelection.Resolve(Options(new AdapterSelector { Subnet = IPNetwork.Parse("203.0.113.0/24") }), Host));

        Assert.That(error!.Message, Does.StartWith("adapters[0]: no host adapter has an address in 203.0.113.0/24"));
    }

    [Test]
    public void Resolve_TwoSelectorsSameAdapter_ErrorNamesTheSecond()
    {
        var options = Options(new AdapterSelector { Name = "Ethernet 2" }, new AdapterSelector { Subnet = IPNetwork.Parse("198.51.100.0/24") });

        var error = Assert.Throws<ArgumentException>(() => AdapterSelection.Resolve(options, Host));

        Assert.That(error!.Message, Does.StartWith("adapters[1]: subnet 198.51.100.0/24 selects adapter 'Ethernet 2' again"));
    }

    [Test]
    public void Resolve_AdapterNameOnly_ThatName()
    {
        Assert.That(AdapterSelection.Resolve(new NodeOptions { AdapterName = "Ethernet" }, Host), Is.EqualTo(new[] { "Ethernet" }));
        Assert.That(AdapterSelection.Resolve(new NodeOptions(), Host), Is.Empty);
    }

    private static NodeOptions Options(params AdapterSelector[] selectors) => new() { Mode = NetworkMode.L2Bridge, Adapters = selectors };

    private sealed class FakeAdapters(IReadOnlyList<HostAdapter> adapters) : IHostAdapters
    {
        public IReadOnlyList<HostAdapter> List() => adapters;
    }
}
