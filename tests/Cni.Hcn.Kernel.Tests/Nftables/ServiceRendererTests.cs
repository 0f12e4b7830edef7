using System.Net;
using Cni.Hcn.Kernel.Nftables;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Kernel.Tests.Nftables;

[TestFixture]
public sealed class ServiceRendererTests
{
    private static readonly Guid BackendA = Guid.Parse("00000000-0000-0000-0000-00000000000a");
    private static readonly Guid BackendB = Guid.Parse("00000000-0000-0000-0000-00000000000b");
    private static readonly Guid BackendC = Guid.Parse("00000000-0000-0000-0000-00000000000c");
    private static readonly Dictionary<Guid, IPAddress> Addresses = new()
    {
        [BackendA] = IPAddress.Parse("10.244.1.5"),
        [BackendB] = IPAddress.Parse("10.244.2.5"),
        [BackendC] = IPAddress.Parse("10.244.3.5"),
    };

    [Test]
    public void Render_VipThreeBackends_ElementPerBackendInRandomGroupOfThree()
    {
        var lb = LoadBalancer(["10.96.0.10"]) with { HostComputeEndpoints = [BackendA, BackendB, BackendC] };

        var rendering = ServiceRenderer.Render(lb, Address)!;

        Assert.That(rendering.Elements, Is.EqualTo(new[]
        {
            new NftElement(ServiceRenderer.Hairpin, "10.244.1.5 . 10.244.1.5"),
            new NftElement(ServiceRenderer.Hairpin, "10.244.2.5 . 10.244.2.5"),
            new NftElement(ServiceRenderer.Hairpin, "10.244.3.5 . 10.244.3.5"),
            new NftElement("vips_rr_3", "10.96.0.10 . tcp . 80 . 0", "10.244.1.5 . 8080"),
            new NftElement("vips_rr_3", "10.96.0.10 . tcp . 80 . 1", "10.244.2.5 . 8080"),
            new NftElement("vips_rr_3", "10.96.0.10 . tcp . 80 . 2", "10.244.3.5 . 8080"),
        }));
        Assert.That(rendering.Groups, Is.EqualTo(new[] { new BackendGroup(NodePort: false, SourceHash: false, Size: 3) }));
    }

    [Test]
    public void Render_SourceIpDistribution_SourceHashGroup()
    {
        var lb = LoadBalancer(["10.96.0.10"], LoadBalancerDistribution.SourceIP);

        var rendering = ServiceRenderer.Render(lb, Address)!;

        Assert.That(rendering.Elements.Select(e => e.Set).Distinct(), Is.EqualTo(new[] { ServiceRenderer.Hairpin, "vips_sh_2" }));
    }

    [Test]
    public void Render_SourceIpOneBackend_SharesRandomGroupOfOne()
    {
        var lb = LoadBalancer(["10.96.0.10"], LoadBalancerDistribution.SourceIP) with { HostComputeEndpoints = [BackendA] };

        Assert.That(ServiceRenderer.Render(lb, Address)!.Elements.Single(e => e.Value is not null).Set, Is.EqualTo("vips_rr_1"));
    }

    [Test]
    public void Render_NoVip_NodePortGroupAndMasqueradeElement()
    {
        var lb = LoadBalancer([]);

        var rendering = ServiceRenderer.Render(lb, Address)!;

        Assert.That(rendering.Elements, Is.EqualTo(new[]
        {
            new NftElement(ServiceRenderer.Hairpin, "10.244.1.5 . 10.244.1.5"),
            new NftElement(ServiceRenderer.Hairpin, "10.244.2.5 . 10.244.2.5"),
            new NftElement(ServiceRenderer.NodePortsMasquerade, "tcp . 80"),
            new NftElement("nodeports_rr_2", "tcp . 80 . 0", "10.244.1.5 . 8080"),
            new NftElement("nodeports_rr_2", "tcp . 80 . 1", "10.244.2.5 . 8080"),
        }));
    }

    [Test]
    public void Render_DsrNodePort_NotInMasqueradeSet()
    {
        var lb = LoadBalancer([]) with { Flags = LoadBalancerFlags.EnableDirectServerReturn };

        Assert.That(ServiceRenderer.Render(lb, Address)!.Elements.Select(e => e.Set), Has.None.EqualTo(ServiceRenderer.NodePortsMasquerade));
    }

    [Test]
    public void Render_IlbAndLocalRoutedVip_IlbSetAndLocalSetBesidesBackends()
    {
        var lb = LoadBalancer(["10.96.0.10"], flags: LoadBalancerPortMappingFlags.EnableInternalLoadBalancer | LoadBalancerPortMappingFlags.LocalRoutedVip);

        var sets = ServiceRenderer.Render(lb, Address)!.Elements.Select(e => e.Set).Distinct();

        Assert.That(sets, Is.EqualTo(new[] { ServiceRenderer.Hairpin, ServiceRenderer.VipsIlb, ServiceRenderer.VipsLocal, "vips_rr_2" }));
    }

    [Test]
    public void Render_IlbNodePort_IlbNodePortSet()
    {
        var lb = LoadBalancer([], flags: LoadBalancerPortMappingFlags.EnableInternalLoadBalancer);

        Assert.That(ServiceRenderer.Render(lb, Address)!.Elements, Does.Contain(new NftElement(ServiceRenderer.NodePortsIlb, "tcp . 80")));
    }

    [Test]
    public void Render_NoKnownBackend_RejectElementsOnly()
    {
        var lb = LoadBalancer(["10.96.0.10"]) with
        {
            HostComputeEndpoints = null,
            PortMappings =
            [
                new LoadBalancerPortMapping { Protocol = ProtocolType.Tcp, ExternalPort = 80, InternalPort = 8080 },
                new LoadBalancerPortMapping { Protocol = ProtocolType.Udp, ExternalPort = 53, InternalPort = 5353 },
            ],
        };

        var rendering = ServiceRenderer.Render(lb, Address)!;

        Assert.That(rendering.Elements, Is.EqualTo(new[]
        {
            new NftElement(ServiceRenderer.RejectVips, "10.96.0.10 . tcp . 80"),
            new NftElement(ServiceRenderer.RejectVips, "10.96.0.10 . udp . 53"),
        }));
        Assert.That(rendering.Groups, Is.Empty);
    }

    [Test]
    public void Render_NoBackendDropWithoutBackends_DropElementsNotReject()
    {
        var vip = LoadBalancer(["10.96.0.10"]) with { HostComputeEndpoints = null, DropWithoutBackends = true };
        var nodePort = LoadBalancer([]) with { HostComputeEndpoints = null, DropWithoutBackends = true };

        Assert.That(ServiceRenderer.Render(vip, Address)!.Elements, Is.EqualTo(new[] { new NftElement(ServiceRenderer.DropVips, "10.96.0.10 . tcp . 80") }));
        Assert.That(ServiceRenderer.Render(nodePort, Address)!.Elements, Is.EqualTo(new[] { new NftElement(ServiceRenderer.DropNodePorts, "tcp . 80") }));
    }

    [Test]
    public void Render_BackendsAndDropWithoutBackends_ForwardsAsUsual()
    {
        var lb = LoadBalancer(["10.96.0.10"]) with { HostComputeEndpoints = [BackendA], DropWithoutBackends = true };

        Assert.That(ServiceRenderer.Render(lb, Address)!.Elements.Select(e => e.Set), Has.None.EqualTo(ServiceRenderer.DropVips));
    }

    [Test]
    public void Render_TwoVipsSameMappingTwice_ElementPerVipAndBackendFirstMappingWins()
    {
        var lb = LoadBalancer(["10.96.0.11", "10.96.0.10"]) with
        {
            HostComputeEndpoints = [BackendA],
            PortMappings =
            [
                new LoadBalancerPortMapping { Protocol = ProtocolType.Tcp, ExternalPort = 80, InternalPort = 8080 },
                new LoadBalancerPortMapping { Protocol = ProtocolType.Tcp, ExternalPort = 80, InternalPort = 9090 },
            ],
        };

        var rendering = ServiceRenderer.Render(lb, Address)!;

        Assert.That(rendering.Elements, Is.EqualTo(new[]
        {
            new NftElement(ServiceRenderer.Hairpin, "10.244.1.5 . 10.244.1.5"),
            new NftElement("vips_rr_1", "10.96.0.10 . tcp . 80 . 0", "10.244.1.5 . 8080"),
            new NftElement("vips_rr_1", "10.96.0.11 . tcp . 80 . 0", "10.244.1.5 . 8080"),
        }));
    }

    [Test]
    public void Render_OneRemoteBackend_HairpinPairForTheLocalOneOnly()
    {
        var lb = LoadBalancer(["10.96.0.10"]);

        var rendering = ServiceRenderer.Render(lb, Address, id => id == BackendA)!;

        Assert.That(rendering.Elements.Where(e => e.Set == ServiceRenderer.Hairpin), Is.EqualTo(new[] { new NftElement(ServiceRenderer.Hairpin, "10.244.1.5 . 10.244.1.5") }));
        Assert.That(rendering.Elements.Count(e => e.Set == "vips_rr_2"), Is.EqualTo(2));
    }

    [Test]
    public void RenderTable_TwoLoadBalancersSameBackends_HairpinPairOncePostroutingMasqueradesIt()
    {
        var text = ServiceRenderer.RenderTable(
        [
            ServiceRenderer.Render(LoadBalancer(["10.96.0.10"]), Address)!,
            ServiceRenderer.Render(LoadBalancer(["10.96.0.11"]), Address)!,
        ]);

        Assert.That(text, Does.Contain("\tset hairpin {\n\t\ttype ipv4_addr . ipv4_addr\n\t\telements = { 10.244.1.5 . 10.244.1.5,\n\t\t\t10.244.2.5 . 10.244.2.5 }\n"));
        Assert.That(text, Does.Contain("\t\tct status dnat ip saddr . ip daddr @hairpin masquerade\n"));
    }

    [Test]
    public void Render_Ipv6LoadBalancer_ReturnsNull()
    {
        var ipv6 = LoadBalancer(["fd00::10"]);
        var ipv6NodePort = LoadBalancer([]) with { Flags = LoadBalancerFlags.IPv6 };

        Assert.That(ServiceRenderer.Render(ipv6, Address), Is.Null);
        Assert.That(ServiceRenderer.Render(ipv6NodePort, Address), Is.Null);
    }

    [Test]
    public void ChainRules_GroupsOfBothKinds_RejectsThenAJumpPerGroupOfThatKindBySize()
    {
        BackendGroup[] groups = [new(false, false, 3), new(false, true, 2), new(true, false, 1), new(false, false, 2)];

        var vips = ServiceRenderer.ChainRules(nodePort: false, groups);
        var nodePorts = ServiceRenderer.ChainRules(nodePort: true, groups);

        Assert.That(vips, Is.EqualTo(new[]
        {
            "ip daddr . meta l4proto . th dport @drop_vips drop",
            "ip daddr . meta l4proto . th dport @reject_vips meta l4proto tcp reject with tcp reset",
            "ip daddr . meta l4proto . th dport @reject_vips reject",
            "jump vips_rr_2",
            "jump vips_sh_2",
            "jump vips_rr_3",
        }));
        Assert.That(nodePorts, Is.EqualTo(new[]
        {
            "fib daddr type != local return",
            "ip daddr 127.0.0.0/8 return",
            "meta l4proto . th dport @nodeports_masq meta mark set meta mark | 0x00004000",
            "meta l4proto . th dport @drop_nodeports drop",
            "meta l4proto . th dport @reject_nodeports meta l4proto tcp reject with tcp reset",
            "meta l4proto . th dport @reject_nodeports reject",
            "jump nodeports_rr_1",
        }));
    }

    [Test]
    public void RenderTable_OneLoadBalancer_GroupMapWithElementsAndStaticDispatch()
    {
        var lb = LoadBalancer(["10.96.0.10"]);

        var text = ServiceRenderer.RenderTable([ServiceRenderer.Render(lb, Address)!]);

        Assert.That(text, Does.Contain(
            "\tmap vips_rr_2 {\n\t\ttypeof ip daddr . meta l4proto . th dport . numgen random mod 2 : ip daddr . th dport\n" +
            "\t\telements = { 10.96.0.10 . tcp . 80 . 0 : 10.244.1.5 . 8080,\n\t\t\t10.96.0.10 . tcp . 80 . 1 : 10.244.2.5 . 8080 }\n\t}"));
        Assert.That(text, Does.Contain("\tchain vips_rr_2 {\n\t\tdnat ip to ip daddr . meta l4proto . th dport . numgen random mod 2 map @vips_rr_2\n\t}"));
        Assert.That(text, Does.Contain("\t\tjump vips_rr_2\n"));
        Assert.That(text, Does.Contain("\tset reject_vips {\n\t\ttype ipv4_addr . inet_proto . inet_service\n\t}"));
        Assert.That(text, Does.Contain("iifname != \"wcni-br-*\" ip daddr . meta l4proto . th dport @vips_ilb return\n\t\tjump vips\n"));
        Assert.That(text, Does.Contain("ip daddr . meta l4proto . th dport @vips_local jump vips\n"));
        Assert.That(text, Does.Not.Contain("vmap").And.Not.Contain("goto"));
    }

    [Test]
    public void FamilyOf_FlagsAndVips_Ipv6ForTheFlagOrIpv6VipsOnly()
    {
        Assert.That(ServiceRenderer.FamilyOf(LoadBalancer(["10.96.0.10"])), Is.SameAs(NftFamily.Ip));
        Assert.That(ServiceRenderer.FamilyOf(LoadBalancer([])), Is.SameAs(NftFamily.Ip), "a NodePort without the flag");
        Assert.That(ServiceRenderer.FamilyOf(LoadBalancer(["fd00::10"])), Is.SameAs(NftFamily.Ip6));
        Assert.That(ServiceRenderer.FamilyOf(LoadBalancer([]) with { Flags = LoadBalancerFlags.IPv6 }), Is.SameAs(NftFamily.Ip6), "an IPv6 NodePort");
        Assert.That(ServiceRenderer.FamilyOf(LoadBalancer(["fd00::10"]) with { Flags = LoadBalancerFlags.IPv6 }), Is.SameAs(NftFamily.Ip6));
        Assert.That(ServiceRenderer.FamilyOf(LoadBalancer(["10.96.0.10"]) with { Flags = LoadBalancerFlags.IPv6 }), Is.Null, "flag and VIPs disagree");
    }

    [Test]
    public void Render_Ipv6VipInIp6Table_ElementsWithIpv6BackendsAndHairpin()
    {
        var lb = LoadBalancer(["fd00:96::10"]) with { Flags = LoadBalancerFlags.IPv6 };

        var rendering = ServiceRenderer.Render(lb, Address6, isLocal: id => id == BackendA, NftFamily.Ip6)!;

        Assert.That(rendering.Elements, Is.EqualTo(new[]
        {
            new NftElement(ServiceRenderer.Hairpin, "fd00:244:1::5 . fd00:244:1::5"),
            new NftElement("vips_rr_2", "fd00:96::10 . tcp . 80 . 0", "fd00:244:1::5 . 8080"),
            new NftElement("vips_rr_2", "fd00:96::10 . tcp . 80 . 1", "fd00:244:2::5 . 8080"),
        }));
        Assert.That(ServiceRenderer.Render(lb, Address6, null, NftFamily.Ip), Is.Null, "not in the ip table");
        Assert.That(ServiceRenderer.Render(LoadBalancer(["10.96.0.10"]), Address, null, NftFamily.Ip6), Is.Null, "an IPv4 load balancer is not in the ip6 table");
    }

    [Test]
    public void Render_Ipv6NodePortWithoutBackends_RejectsAndHasNoConntrackFrontends()
    {
        var lb = LoadBalancer([]) with { Flags = LoadBalancerFlags.IPv6, HostComputeEndpoints = [] };

        var rendering = ServiceRenderer.Render(lb, Address6, null, NftFamily.Ip6)!;

        Assert.That(rendering.Elements, Is.EqualTo(new[] { new NftElement(ServiceRenderer.RejectNodePorts, "tcp . 80") }));
        Assert.That(rendering.Frontends, Is.Empty);
    }

    [Test]
    public void RenderTable_Ip6_SameLayoutInIp6Words()
    {
        var lb = LoadBalancer(["fd00:96::10"], LoadBalancerDistribution.SourceIP) with { Flags = LoadBalancerFlags.IPv6 };

        var text = ServiceRenderer.RenderTable([ServiceRenderer.Render(lb, Address6, null, NftFamily.Ip6)!], NftFamily.Ip6);

        Assert.That(text, Does.StartWith("table ip6 wincni_services {\n"));
        Assert.That(text, Does.Contain("\tset reject_vips {\n\t\ttype ipv6_addr . inet_proto . inet_service\n\t}"));
        Assert.That(text, Does.Contain("\tset hairpin {\n\t\ttype ipv6_addr . ipv6_addr\n"));
        Assert.That(text, Does.Contain("typeof ip6 daddr . meta l4proto . th dport . numgen random mod 2 : ip6 daddr . th dport"));
        Assert.That(text, Does.Contain("dnat ip6 to ip6 daddr . meta l4proto . th dport . jhash ip6 saddr mod 2 seed 0x0 map @vips_sh_2"));
        Assert.That(text, Does.Contain("\t\tip6 daddr ::1 return\n"));
        Assert.That(text, Does.Contain("iifname != \"wcni-br-*\" ip6 daddr . meta l4proto . th dport @vips_ilb return"));
        Assert.That(text, Does.Contain("ct status dnat ip6 saddr . ip6 daddr @hairpin masquerade"));
        Assert.That(text, Does.Not.Contain(" ip daddr").And.Not.Contain("ipv4_addr"));
    }

    internal static HostComputeLoadBalancer LoadBalancer(
        string[] vips, LoadBalancerDistribution distribution = LoadBalancerDistribution.None,
        LoadBalancerPortMappingFlags flags = LoadBalancerPortMappingFlags.None, Guid? id = null) => new()
        {
            Id = id ?? Guid.Parse("22222222-2222-2222-2222-222222222222"),
            HostComputeEndpoints = [BackendA, BackendB],
            FrontendVips = vips,
            PortMappings = [new LoadBalancerPortMapping { Protocol = ProtocolType.Tcp, ExternalPort = 80, InternalPort = 8080, DistributionType = distribution, Flags = flags }],
        };

    internal static IPAddress? Address(Guid id) => Addresses.GetValueOrDefault(id);

    internal static IPAddress? Address6(Guid id) => Addresses.GetValueOrDefault(id) is { } v4
        ? IPAddress.Parse($"fd00:244:{v4.GetAddressBytes()[2]}::{v4.GetAddressBytes()[3]}")
        : null;
}
