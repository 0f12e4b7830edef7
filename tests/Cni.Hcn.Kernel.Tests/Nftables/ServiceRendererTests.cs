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
    public void Render_VipThreeBackends_RoundRobinCascadeInOwnChain()
    {
        var lb = LoadBalancer(["10.96.0.10"]) with { HostComputeEndpoints = [BackendA, BackendB, BackendC] };

        var rendering = ServiceRenderer.Render(lb, Address)!;

        Assert.That(rendering.Chain, Is.EqualTo($"lb-{lb.Id:N}"));
        Assert.That(rendering.Rules, Is.EqualTo(new[]
        {
            "tcp dport 80 numgen inc mod 3 0 dnat to 10.244.1.5:8080",
            "tcp dport 80 numgen inc mod 2 0 dnat to 10.244.2.5:8080",
            "tcp dport 80 dnat to 10.244.3.5:8080",
        }));
        Assert.That(rendering.Elements, Is.EqualTo(new[] { new NftElement(ServiceRenderer.Vips, "10.96.0.10 . tcp . 80", $"goto lb-{lb.Id:N}") }));
    }

    [Test]
    public void Render_SourceIpDistribution_FixedSeedJhashPerBackend()
    {
        var lb = LoadBalancer(["10.96.0.10"], LoadBalancerDistribution.SourceIP);

        var rules = ServiceRenderer.Render(lb, Address)!.Rules;

        Assert.That(rules, Is.EqualTo(new[]
        {
            "tcp dport 80 jhash ip saddr mod 2 seed 0x0 0 dnat to 10.244.1.5:8080",
            "tcp dport 80 dnat to 10.244.2.5:8080",
        }));
    }

    [Test]
    public void Render_NoVip_NodePortElementAndMasqueradeMark()
    {
        var lb = LoadBalancer([]);

        var rendering = ServiceRenderer.Render(lb, Address)!;

        Assert.That(rendering.Elements, Is.EqualTo(new[] { new NftElement(ServiceRenderer.NodePorts, "tcp . 80", $"goto lb-{lb.Id:N}") }));
        Assert.That(rendering.Rules[0], Is.EqualTo("tcp dport 80 meta mark set meta mark | 0x00004000"));
    }

    [Test]
    public void Render_DsrNodePort_NotMarkedForMasquerade()
    {
        var lb = LoadBalancer([]) with { Flags = LoadBalancerFlags.EnableDirectServerReturn };

        Assert.That(ServiceRenderer.Render(lb, Address)!.Rules, Has.None.Contains("meta mark"));
    }

    [Test]
    public void Render_IlbAndLocalRoutedVip_IlbMapAndLocalMap()
    {
        var lb = LoadBalancer(["10.96.0.10"], flags: LoadBalancerPortMappingFlags.EnableInternalLoadBalancer | LoadBalancerPortMappingFlags.LocalRoutedVip);

        var maps = ServiceRenderer.Render(lb, Address)!.Elements.Select(e => e.Map);

        Assert.That(maps, Is.EqualTo(new[] { ServiceRenderer.VipsIlb, ServiceRenderer.VipsLocal }));
    }

    [Test]
    public void Render_IlbNodePort_IlbNodePortMap()
    {
        var lb = LoadBalancer([], flags: LoadBalancerPortMappingFlags.EnableInternalLoadBalancer);

        Assert.That(ServiceRenderer.Render(lb, Address)!.Elements.Single().Map, Is.EqualTo(ServiceRenderer.NodePortsIlb));
    }

    [Test]
    public void Render_NoKnownBackend_RejectsTcpWithResetAndUdpWithIcmp()
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

        Assert.That(rendering.Rules, Is.EqualTo(new[] { "tcp dport 80 reject with tcp reset", "udp dport 53 reject" }));
        Assert.That(rendering.Elements.Select(e => e.Key), Is.EqualTo(new[] { "10.96.0.10 . tcp . 80", "10.96.0.10 . udp . 53" }));
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
    public void RenderTable_OneLoadBalancer_SharedMapsDispatchToItsChain()
    {
        var lb = LoadBalancer(["10.96.0.10"]);

        var text = ServiceRenderer.RenderTable([ServiceRenderer.Render(lb, Address)!]);

        Assert.That(text, Does.Contain($"map vips {{\n\t\ttype ipv4_addr . inet_proto . inet_service : verdict\n\t\telements = {{ 10.96.0.10 . tcp . 80 : goto lb-{lb.Id:N} }}\n\t}}"));
        Assert.That(text, Does.Contain("ip daddr . meta l4proto . th dport vmap @vips\n"));
        Assert.That(text, Does.Contain("iifname \"wcni-br-*\" fib daddr type local meta l4proto . th dport vmap @nodeports_ilb\n"));
        Assert.That(text, Does.Contain($"chain lb-{lb.Id:N} {{\n\t\ttcp dport 80 numgen inc mod 2 0 dnat to 10.244.1.5:8080\n"));
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
}
