using Cni.Hcn.Kernel.Layout;
using Cni.Hcn.Kernel.Nftables;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Kernel.Tests.Nftables;

[TestFixture]
public sealed class NftRendererTests
{
    private static readonly NetworkLayout Network = NetworkLayout.From(new HostComputeNetwork
    {
        Id = Guid.Parse("11111111-1111-1111-1111-111111111111"),
        Name = "cbr0",
        Type = NetworkType.L2Bridge,
        Ipams = [new Ipam { Subnets = [new Subnet { IpAddressPrefix = "10.244.1.0/24" }] }],
    });

    [Test]
    public void RenderNetwork_NoNatNoPorts_ReturnsNull()
    {
        Assert.That(NftRenderer.RenderNetwork(Network, [Endpoint("10.244.1.5")]), Is.Null);
    }

    [Test]
    public void RenderNetwork_OutboundNat_MasqueradesSourcesExceptExceptionsAndOwnSubnet()
    {
        var nat = EndpointPolicy.Create(new OutboundNatPolicySetting { Exceptions = ["10.96.0.0/12", "10.244.0.0/16", "192.0.2.7"] });

        var text = NftRenderer.RenderNetwork(Network, [Endpoint("10.244.1.5", nat), Endpoint("10.244.1.6", nat), Endpoint("10.244.1.7")]);

        Assert.That(text, Does.StartWith($"table ip {Network.Table} {{\n"));
        Assert.That(text, Does.Contain("type nat hook postrouting priority srcnat; policy accept;"));
        Assert.That(text, Does.Contain("ip saddr { 10.244.1.5, 10.244.1.6 } ip daddr != { 10.96.0.0/12, 10.244.0.0/16, 192.0.2.7 } masquerade"));
        Assert.That(text, Does.Not.Contain("10.244.1.7"));
    }

    [Test]
    public void RenderNetwork_LoopbackDsrOutboundNatBesideTheRealOne_MasqueradesOnlyOutsideTheExceptions()
    {
        // win-cni's loopback DSR is an OutBoundNAT with Destinations: NAT toward the pod itself only, never egress.
        var nat = EndpointPolicy.Create(new OutboundNatPolicySetting { Exceptions = ["10.96.0.0/12", "10.244.0.0/16"] });
        var loopbackDsr = EndpointPolicy.Create(new OutboundNatPolicySetting { Destinations = ["10.244.1.5"] });
        var endpoints = new[] { Endpoint("10.244.1.5", nat, loopbackDsr) };

        var subnetNat = NftRenderer.ChooseSubnetNat(Network, endpoints, previous: null);
        var text = NftRenderer.RenderNetwork(Network, endpoints, subnetNat)!;

        Assert.That(subnetNat, Is.EqualTo("10.96.0.0/12, 10.244.0.0/16"));
        Assert.That(text, Does.Contain("ip daddr != { 10.96.0.0/12, 10.244.0.0/16 } masquerade"));
        Assert.That(text, Does.Not.Contain("ip daddr != { 10.244.1.0/24 }"), "a masquerade with only the own subnet excepted would NAT pod-to-pod traffic across nodes");
    }

    [Test]
    public void RenderNetwork_LoopbackDsrOnly_NoMasquerade()
    {
        var loopbackDsr = EndpointPolicy.Create(new OutboundNatPolicySetting { Destinations = ["10.244.1.5"] });

        Assert.That(NftRenderer.RenderNetwork(Network, [Endpoint("10.244.1.5", loopbackDsr)]), Is.Null);
    }

    [Test]
    public void RenderNetwork_DifferentExceptions_OneRulePerExceptionSet()
    {
        var a = EndpointPolicy.Create(new OutboundNatPolicySetting { Exceptions = ["10.0.0.0/8"] });
        var b = EndpointPolicy.Create(new OutboundNatPolicySetting());

        var text = NftRenderer.RenderNetwork(Network, [Endpoint("10.244.1.5", a), Endpoint("10.244.1.6", b)])!;

        Assert.That(text, Does.Contain("ip saddr { 10.244.1.5 } ip daddr != { 10.0.0.0/8 } masquerade"));
        Assert.That(text, Does.Contain("ip saddr { 10.244.1.6 } ip daddr != { 10.244.1.0/24 } masquerade"));
    }

    [Test]
    public void RenderNetwork_SubnetNat_TextDoesNotDependOnHowManyPodsShareIt()
    {
        var nat = EndpointPolicy.Create(new OutboundNatPolicySetting { Exceptions = ["10.96.0.0/12"] });
        var host = Endpoint("10.244.1.2");
        var key = NftRenderer.ChooseSubnetNat(Network, [host, Endpoint("10.244.1.5", nat)], previous: null);

        var one = NftRenderer.RenderNetwork(Network, [host, Endpoint("10.244.1.5", nat)], key);
        var three = NftRenderer.RenderNetwork(Network, [host, Endpoint("10.244.1.5", nat), Endpoint("10.244.1.6", nat), Endpoint("10.244.1.9", nat)], key);
        var none = NftRenderer.RenderNetwork(Network, [host], key);

        Assert.That(key, Is.EqualTo("10.96.0.0/12, 10.244.1.0/24"));
        Assert.That(three, Is.EqualTo(one));
        Assert.That(none, Is.EqualTo(one));
        Assert.That(one, Does.Contain(
            $"iifname \"{Network.Bridge}\" ip saddr {{ 10.244.1.0/24 }} ip saddr != {{ 10.244.1.2 }} ip daddr != {{ 10.96.0.0/12, 10.244.1.0/24 }} masquerade"));
    }

    [Test]
    public void RenderNetwork_SubnetNat_EndpointsWithoutNatOrWithOtherExceptionsExcludedAndListed()
    {
        var common = EndpointPolicy.Create(new OutboundNatPolicySetting { Exceptions = ["10.96.0.0/12"] });
        var other = EndpointPolicy.Create(new OutboundNatPolicySetting { Exceptions = ["192.0.2.0/24"] });
        HostComputeEndpoint[] endpoints =
        [
            Endpoint("10.244.1.5", common), Endpoint("10.244.1.6", common), Endpoint("10.244.1.7"), Endpoint("10.244.1.8", other),
            Endpoint("10.250.0.9", common),
        ];
        var key = NftRenderer.ChooseSubnetNat(Network, endpoints, previous: null);

        var text = NftRenderer.RenderNetwork(Network, endpoints, key)!;

        Assert.That(key, Is.EqualTo("10.96.0.0/12, 10.244.1.0/24"));
        Assert.That(text, Does.Contain("ip saddr != { 10.244.1.7, 10.244.1.8 } ip daddr != { 10.96.0.0/12, 10.244.1.0/24 } masquerade"));
        Assert.That(text, Does.Contain("ip saddr { 10.244.1.8 } ip daddr != { 10.244.1.0/24, 192.0.2.0/24 } masquerade"));

        // An address outside the network's subnets is not covered by the subnet rule, so it stays listed.
        Assert.That(text, Does.Contain("ip saddr { 10.250.0.9 } ip daddr != { 10.96.0.0/12, 10.244.1.0/24 } masquerade"));
        Assert.That(text, Does.Not.Contain("10.244.1.5").And.Not.Contain("10.244.1.6"));
    }

    [Test]
    public void ChooseSubnetNat_PreviousStillUsedOrNoNatLeft_KeepsPrevious()
    {
        var a = EndpointPolicy.Create(new OutboundNatPolicySetting { Exceptions = ["10.0.0.0/8"] });
        var b = EndpointPolicy.Create(new OutboundNatPolicySetting());
        var previous = "10.0.0.0/8";

        Assert.That(NftRenderer.ChooseSubnetNat(Network, [Endpoint("10.244.1.5", a), Endpoint("10.244.1.6", b), Endpoint("10.244.1.7", b)], previous), Is.EqualTo(previous));
        Assert.That(NftRenderer.ChooseSubnetNat(Network, [Endpoint("10.244.1.7")], previous), Is.EqualTo(previous));
        Assert.That(NftRenderer.ChooseSubnetNat(Network, [Endpoint("10.244.1.6", b)], previous), Is.EqualTo("10.244.1.0/24"));
        Assert.That(NftRenderer.ChooseSubnetNat(Network, [Endpoint("10.244.1.7")], previous: null), Is.Null);
    }

    [Test]
    public void RenderNetwork_PortMappings_DnatWithAndWithoutVipFromOutsideAndNode()
    {
        var any = EndpointPolicy.Create(new PortMappingPolicySetting { Protocol = ProtocolType.Tcp, ExternalPort = 8080, InternalPort = 80 });
        var vip = EndpointPolicy.Create(new PortMappingPolicySetting { Protocol = ProtocolType.Udp, ExternalPort = 5353, InternalPort = 53, Vip = "192.0.2.10" });

        var text = NftRenderer.RenderNetwork(Network, [Endpoint("10.244.1.5", any, vip)])!;

        Assert.That(text, Does.Contain("fib daddr type local tcp dport 8080 dnat to 10.244.1.5:80"));
        Assert.That(text, Does.Contain("ip daddr 192.0.2.10 udp dport 5353 dnat to 10.244.1.5:53"));
        Assert.That(text, Does.Contain("type nat hook prerouting priority dstnat; policy accept;\n\t\tjump hostports"));
        Assert.That(text, Does.Contain("type nat hook output priority -100; policy accept;\n\t\tjump hostports"));
    }

    [Test]
    public void NormalizePrefixes_OverlapsAddressesAndIpv6_KeepsCoveringIpv4Only()
    {
        var result = NftRenderer.NormalizePrefixes(["10.244.1.0/24", "10.244.0.0/16", "192.0.2.1", "192.0.2.1/32", "fd00::/8", "junk", "10.96.0.0/12"]);

        Assert.That(result, Is.EqualTo(new[] { "10.96.0.0/12", "10.244.0.0/16", "192.0.2.1" }));
    }

    [Test]
    public void BuildBatch_ReplaceAndDelete_CreatesDeletesAndRewritesEachTable()
    {
        var batch = NftRunner.BuildBatch(new Dictionary<string, string?> { ["wincni_b"] = null, ["wincni_a"] = "table ip wincni_a {\n}\n" });

        Assert.That(batch, Is.EqualTo("table ip wincni_a\ndelete table ip wincni_a\ntable ip wincni_a {\n}\ntable ip wincni_b\ndelete table ip wincni_b\n"));
    }

    [Test]
    public void RenderNetwork_DualStack_EachFamilysOutboundNatInItsOwnTable()
    {
        var nat4 = EndpointPolicy.Create(new OutboundNatPolicySetting { Exceptions = ["10.244.0.0/16", "10.96.0.0/12"] });
        var nat6 = EndpointPolicy.Create(new OutboundNatPolicySetting { Exceptions = ["fd00:244::/56", "fd00:96::/112"], Flags = NatFlags.IPv6 });
        var endpoints = new[] { DualEndpoint("10.244.1.5", "fd00:244:0:1::5", nat4, nat6), DualEndpoint("10.244.1.6", "fd00:244:0:1::6") };

        var ip = NftRenderer.RenderNetwork(DualNetwork, endpoints)!;
        var ip6 = NftRenderer.RenderNetwork(DualNetwork, endpoints, family: NftFamily.Ip6)!;

        Assert.That(ip, Does.StartWith($"table ip {DualNetwork.Table} {{\n"));
        Assert.That(ip, Does.Contain("\t\tip saddr { 10.244.1.5 } ip daddr != { 10.96.0.0/12, 10.244.0.0/16 } masquerade\n"));
        Assert.That(ip, Does.Not.Contain("fd00").And.Not.Contain("ip6"), "the IPv6 policy adds nothing to the IPv4 table");
        Assert.That(ip6, Does.StartWith($"table ip6 {DualNetwork.Table} {{\n"));
        Assert.That(ip6, Does.Contain("\t\tip6 saddr { fd00:244:0:1::5 } ip6 daddr != { fd00:96::/112, fd00:244::/56 } masquerade\n"));
        Assert.That(ip6, Does.Not.Contain("10.244").And.Not.Contain(" ip "));
    }

    [Test]
    public void RenderNetwork_DualStackSubnetRule_Ip6SubnetAndOtherEndpointsExcluded()
    {
        var nat6 = EndpointPolicy.Create(new OutboundNatPolicySetting { Exceptions = ["fd00:244::/56"], Flags = NatFlags.IPv6 });
        var endpoints = new[] { DualEndpoint("10.244.1.5", "fd00:244:0:1::5", nat6), DualEndpoint("10.244.1.6", "fd00:244:0:1::6") };
        var key = NftRenderer.ChooseSubnetNat(DualNetwork, endpoints, previous: null, NftFamily.Ip6);

        var ip6 = NftRenderer.RenderNetwork(DualNetwork, endpoints, key, NftFamily.Ip6)!;

        Assert.That(key, Is.EqualTo("fd00:244::/56"), "the network's own IPv6 subnet is inside the exception");
        Assert.That(NftRenderer.ChooseSubnetNat(DualNetwork, endpoints, previous: null), Is.Null, "no IPv4 OutBoundNAT");
        Assert.That(ip6, Does.Contain($"\t\tiifname \"{DualNetwork.Bridge}\" ip6 saddr {{ fd00:244:0:1::/64 }} ip6 saddr != {{ fd00:244:0:1::6 }} ip6 daddr != {{ fd00:244::/56 }} masquerade\n"));
    }

    [Test]
    public void RenderNetwork_HostVnic_BridgedFramesToItUntrackedAndSubnetRuleMatchesIt()
    {
        var nat = EndpointPolicy.Create(new OutboundNatPolicySetting { Exceptions = ["10.244.0.0/16"] });
        var vnic = Endpoint("10.244.1.2") with { Id = Guid.Parse("0a000000-0000-0000-0000-000000000001"), MacAddress = "00-15-5D-00-00-02" };
        var endpoints = new[] { vnic, Endpoint("10.244.1.5", nat) };
        var key = NftRenderer.ChooseSubnetNat(Network, endpoints, previous: null);

        var text = NftRenderer.RenderNetwork(Network, endpoints, key, hostVnics: [vnic])!;
        var without = NftRenderer.RenderNetwork(Network, endpoints, key)!;

        Assert.That(text, Does.Contain(
            $"\tchain raw_prerouting {{\n\t\ttype filter hook prerouting priority raw; policy accept;\n\t\tiifname \"{Network.Bridge}\" ether daddr {{ 00:15:5d:00:00:02 }} notrack\n\t}}\n"));
        Assert.That(text, Does.Contain($"\t\tiifname {{ \"{Network.Bridge}\", \"{Naming.DeviceNames.PeerVeth(vnic.Id)}\" }} ip saddr {{ 10.244.1.0/24 }} ip saddr != {{ 10.244.1.2 }}"));
        Assert.That(without, Does.Contain($"\t\tiifname \"{Network.Bridge}\" ip saddr {{ 10.244.1.0/24 }}"), "unchanged without a host vNIC");
        Assert.That(without, Does.Not.Contain("notrack"));
    }

    [Test]
    public void RenderNetwork_Ipv6PortMappings_OnlyInIp6TableWithBracketedTarget()
    {
        var tcp = EndpointPolicy.Create(new PortMappingPolicySetting { Protocol = ProtocolType.Tcp, ExternalPort = 8080, InternalPort = 80 });
        var tcp6 = EndpointPolicy.Create(new PortMappingPolicySetting { Protocol = ProtocolType.Tcp, ExternalPort = 8080, InternalPort = 80, Flags = NatFlags.IPv6 });
        var vip6 = EndpointPolicy.Create(new PortMappingPolicySetting { Protocol = ProtocolType.Udp, ExternalPort = 5353, InternalPort = 53, Vip = "2001:db8::10" });
        var endpoints = new[] { DualEndpoint("10.244.1.5", "fd00:244:0:1::5", tcp, tcp6, vip6) };

        var ip = NftRenderer.RenderNetwork(DualNetwork, endpoints)!;
        var ip6 = NftRenderer.RenderNetwork(DualNetwork, endpoints, family: NftFamily.Ip6)!;

        Assert.That(ip, Does.Contain("\t\tfib daddr type local tcp dport 8080 dnat to 10.244.1.5:80\n\t}"), "one IPv4 rule");
        Assert.That(ip6, Does.Contain("\t\tfib daddr type local tcp dport 8080 dnat to [fd00:244:0:1::5]:80\n"));
        Assert.That(ip6, Does.Contain("\t\tip6 daddr 2001:db8::10 udp dport 5353 dnat to [fd00:244:0:1::5]:53\n"));
    }

    [Test]
    public void RenderNetwork_Ipv4OnlyNetworkAndEndpoints_NoIp6Table()
    {
        var nat = EndpointPolicy.Create(new OutboundNatPolicySetting { Exceptions = ["10.244.0.0/16"] });

        Assert.That(NftRenderer.RenderNetwork(Network, [Endpoint("10.244.1.5", nat)], family: NftFamily.Ip6), Is.Null);
        Assert.That(NftRenderer.ChooseSubnetNat(Network, [Endpoint("10.244.1.5", nat)], previous: null, NftFamily.Ip6), Is.Null);
    }

    [Test]
    public void NormalizePrefixes_Ip6_KeepsCoveringIpv6Only()
    {
        var result = NftRenderer.NormalizePrefixes(["fd00:244:0:1::/64", "fd00:244::/56", "fd00::5", "fd00::5/128", "10.0.0.0/8", "junk"], NftFamily.Ip6);

        Assert.That(result, Is.EqualTo(new[] { "fd00::5", "fd00:244::/56" }));
    }

    [Test]
    public void BuildBatch_Ip6Key_CreatesDeletesAndRewritesTheIp6Table()
    {
        var batch = NftRunner.BuildBatch(new Dictionary<string, string?> { ["ip6 wincni_a"] = "table ip6 wincni_a {\n}\n", ["wincni_a"] = null });

        Assert.That(batch, Is.EqualTo("table ip6 wincni_a\ndelete table ip6 wincni_a\ntable ip6 wincni_a {\n}\ntable ip wincni_a\ndelete table ip wincni_a\n"));
    }

    private static readonly NetworkLayout DualNetwork = NetworkLayout.From(new HostComputeNetwork
    {
        Id = Guid.Parse("11111111-1111-1111-1111-111111111112"),
        Name = "dual",
        Type = NetworkType.L2Bridge,
        Ipams = [new Ipam { Subnets = [new Subnet { IpAddressPrefix = "10.244.1.0/24" }, new Subnet { IpAddressPrefix = "fd00:244:0:1::/64" }] }],
    });

    private static HostComputeEndpoint DualEndpoint(string ip, string ip6, params EndpointPolicy[] policies) => new()
    {
        Id = Guid.NewGuid(),
        IpConfigurations = [new IpConfig { IpAddress = ip, PrefixLength = 24 }, new IpConfig { IpAddress = ip6, PrefixLength = 64 }],
        Policies = policies,
    };

    private static HostComputeEndpoint Endpoint(string ip, params EndpointPolicy[] policies) => new()
    {
        Id = Guid.NewGuid(),
        IpConfigurations = [new IpConfig { IpAddress = ip, PrefixLength = 24 }],
        Policies = policies,
    };
}
