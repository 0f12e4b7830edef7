using Cni.Hcn.Kernel.Layout;
using Cni.Hcn.Kernel.Nftables;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Kernel.Tests.Nftables;

/// <summary>A NAT network's table: its subnet is masqueraded like WinNAT's NetNat prefix, with or without endpoints.</summary>
[TestFixture]
public sealed class NftRendererNatNetworkTests
{
    private static NetworkLayout Layout(NetworkType type) => NetworkLayout.From(new HostComputeNetwork
    {
        Id = Guid.Parse("22222222-2222-2222-2222-222222222222"),
        Name = "nat",
        Type = type,
        Ipams = [new Ipam { Subnets = [new Subnet { IpAddressPrefix = "10.210.0.0/24" }] }],
    });

    [Test]
    public void RenderNetwork_NatNetworkWithoutEndpoints_MasqueradesTheSubnetFromTheBridgeExceptToItself()
    {
        var network = Layout(NetworkType.Nat);

        var text = NftRenderer.RenderNetwork(network, []);

        Assert.That(text, Does.Contain($"iifname \"{network.Bridge}\" ip saddr {{ 10.210.0.0/24 }} ip daddr != {{ 10.210.0.0/24 }} masquerade"));
    }

    [Test]
    public void RenderNetwork_L2BridgeWithoutPolicies_NoTable()
    {
        Assert.That(NftRenderer.RenderNetwork(Layout(NetworkType.L2Bridge), []), Is.Null);
    }

    [Test]
    public void From_TransparentWithAdapter_NoBridgeRoleAndTheUnderlayNamed()
    {
        var layout = NetworkLayout.From(new HostComputeNetwork
        {
            Name = "ext",
            Type = NetworkType.Transparent,
            Policies = [NetworkPolicy.Create(new NetAdapterNamePolicySetting { NetworkAdapterName = "eth1" })],
            Ipams = [new Ipam { Subnets = [new Subnet { IpAddressPrefix = "192.168.50.0/24", Routes = [new Route { NextHop = "192.168.50.254", DestinationPrefix = "0.0.0.0/0" }] }] }],
        });

        Assert.That(layout.IsTransparent, Is.True);
        Assert.That(layout.Underlay, Is.EqualTo("eth1"));
        Assert.That(layout.Subnets.Single().Gateway.ToString(), Is.EqualTo("192.168.50.254"));
    }
}
