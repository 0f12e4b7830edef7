using System.Net;
using Cni.Hcn.Json;
using Cni.Hcn.Model.Policies;
using Cni.Node.Configuration;
using Cni.Node.Policies;
using Cni.Spec.Capabilities;

namespace Cni.Node.Tests.Policies;

public sealed class EndpointPolicyBuilderTests
{
    private static readonly IPNetwork[] Cluster = [IPNetwork.Parse("10.244.0.0/16")];
    private static readonly IPNetwork[] Services = [IPNetwork.Parse("10.96.0.0/12")];
    private static readonly IPAddress NodeIp = IPAddress.Parse("192.0.2.10");
    private static readonly IPAddress PodIp = IPAddress.Parse("10.244.1.5");

    [Test]
    public void Build_L2Bridge_NatExceptionsServiceRouteAndNodeRoute()
    {
        var policies = EndpointPolicyBuilder.Build(Inputs(NetworkMode.L2Bridge));

        Assert.That(Json(policies), Is.EqualTo(
            """[{"Type":"OutBoundNAT","Settings":{"Exceptions":["10.244.0.0/16","10.96.0.0/12","192.0.2.10/32"]}},"""
            + """{"Type":"SDNRoute","Settings":{"DestinationPrefix":"10.96.0.0/12","NeedEncap":true}},"""
            + """{"Type":"SDNRoute","Settings":{"DestinationPrefix":"192.0.2.10/32","NeedEncap":true}}]"""));
    }

    [Test]
    public void Build_Overlay_ProviderAddressAndNoNodeRoute()
    {
        var policies = EndpointPolicyBuilder.Build(Inputs(NetworkMode.Overlay));

        Assert.That(Json(policies), Is.EqualTo(
            """[{"Type":"OutBoundNAT","Settings":{"Exceptions":["10.244.0.0/16","10.96.0.0/12","192.0.2.10/32"]}},"""
            + """{"Type":"SDNRoute","Settings":{"DestinationPrefix":"10.96.0.0/12","NeedEncap":true}},"""
            + """{"Type":"ProviderAddress","Settings":{"ProviderAddress":"192.0.2.10"}}]"""));
    }

    [Test]
    public void Build_InterfaceName_PortNamePolicyLast()
    {
        var without = EndpointPolicyBuilder.Build(Inputs(NetworkMode.L2Bridge));
        var with = EndpointPolicyBuilder.Build(Inputs(NetworkMode.L2Bridge) with { InterfaceName = "net1" });

        Assert.That(with, Has.Count.EqualTo(without.Count + 1));
        Assert.That(HcnJson.Serialize(with[^1]), Is.EqualTo("""{"Type":"PortName","Settings":{"Name":"net1"}}"""));
        Assert.That(without.Select(p => p.Type), Has.None.EqualTo(EndpointPolicyType.PortName), "no PortName unless the dataplane names interfaces");
    }

    [TestCase(NetworkMode.Overlay)]
    [TestCase(NetworkMode.L2Bridge)]
    public void Build_DsrOn_AddsLoopbackOutboundNatForThePodAddressLast(NetworkMode mode)
    {
        var without = EndpointPolicyBuilder.Build(Inputs(mode));
        var with = EndpointPolicyBuilder.Build(Inputs(mode) with { Dsr = true });

        Assert.That(with, Has.Count.EqualTo(without.Count + 1));
        Assert.That(HcnJson.Serialize(with[^1]), Is.EqualTo("""{"Type":"OutBoundNAT","Settings":{"Destinations":["10.244.1.5"]}}"""));
    }

    [Test]
    public void ValidatePortMappings_HostIpOfAFamilyThePodLacks_NamesTheField()
    {
        PortMapping[] mappings = [new PortMapping { HostPort = 80, ContainerPort = 80, HostIp = "2001:db8::1" }];

        var failure = Assert.Throws<EndpointPolicyException>(() => EndpointPolicyBuilder.ValidatePortMappings(mappings, [System.Net.Sockets.AddressFamily.InterNetwork]));

        Assert.That(failure!.Message, Does.StartWith("runtimeConfig.portMappings[0].hostIP: "));
    }

    [Test]
    public void ValidatePortMappings_ValidMappings_DoesNotThrow()
    {
        PortMapping[] mappings = [new PortMapping { HostPort = 8080, ContainerPort = 80, Protocol = "udp", HostIp = "192.0.2.10" }];

        Assert.That(() => EndpointPolicyBuilder.ValidatePortMappings(mappings, [System.Net.Sockets.AddressFamily.InterNetwork]), Throws.Nothing);
    }

    [Test]
    public void Build_PortMappings_TcpUdpAndHostIp()
    {
        var inputs = Inputs(NetworkMode.Overlay) with
        {
            PortMappings =
            [
                new PortMapping { HostPort = 8080, ContainerPort = 80, Protocol = "tcp" },
                new PortMapping { HostPort = 5353, ContainerPort = 53, Protocol = "udp", HostIp = "192.0.2.10" },
                new PortMapping { HostPort = 9000, ContainerPort = 9000, Protocol = "tcp", HostIp = "0.0.0.0" },
            ],
        };

        var mappings = EndpointPolicyBuilder.Build(inputs).Where(p => p.Type == EndpointPolicyType.PortMapping).Select(HcnJson.Serialize).ToList();

        Assert.That(mappings, Is.EqualTo(new[]
        {
            """{"Type":"PortMapping","Settings":{"Protocol":6,"InternalPort":80,"ExternalPort":8080}}""",
            """{"Type":"PortMapping","Settings":{"Protocol":17,"InternalPort":53,"ExternalPort":5353,"VIP":"192.0.2.10"}}""",
            """{"Type":"PortMapping","Settings":{"Protocol":6,"InternalPort":9000,"ExternalPort":9000}}""",
        }));
    }

    [Test]
    public void Build_DualStackL2Bridge_IPv6NatRoutesAndDuplicatedPortMapping()
    {
        var inputs = new EndpointPolicyInputs
        {
            Mode = NetworkMode.L2Bridge,
            ClusterCidrs = [IPNetwork.Parse("10.244.0.0/16"), IPNetwork.Parse("fd00:10:244::/56")],
            ServiceCidrs = [IPNetwork.Parse("10.96.0.0/12"), IPNetwork.Parse("fd00:10:96::/112")],
            NodeIp = NodeIp,
            PodAddresses = [PodIp, IPAddress.Parse("fd00:10:244:1::5")],
            PortMappings = [new PortMapping { HostPort = 8080, ContainerPort = 80 }],
        };

        var policies = EndpointPolicyBuilder.Build(inputs).Select(HcnJson.Serialize).ToList();

        Assert.That(policies, Is.EqualTo(new[]
        {
            """{"Type":"OutBoundNAT","Settings":{"Exceptions":["10.244.0.0/16","10.96.0.0/12","192.0.2.10/32"]}}""",
            """{"Type":"OutBoundNAT","Settings":{"Exceptions":["fd00:10:244::/56","fd00:10:96::/112"],"Flags":2}}""",
            """{"Type":"SDNRoute","Settings":{"DestinationPrefix":"10.96.0.0/12","NeedEncap":true}}""",
            """{"Type":"SDNRoute","Settings":{"DestinationPrefix":"fd00:10:96::/112","NeedEncap":true}}""",
            """{"Type":"SDNRoute","Settings":{"DestinationPrefix":"192.0.2.10/32","NeedEncap":true}}""",
            """{"Type":"PortMapping","Settings":{"Protocol":6,"InternalPort":80,"ExternalPort":8080}}""",
            """{"Type":"PortMapping","Settings":{"Protocol":6,"InternalPort":80,"ExternalPort":8080,"Flags":2}}""",
        }));
    }

    [Test]
    public void Build_DualStackWithDsr_LoopbackPerFamily()
    {
        var inputs = new EndpointPolicyInputs
        {
            Mode = NetworkMode.L2Bridge,
            PodAddresses = [PodIp, IPAddress.Parse("fd00:10:244:1::5")],
            Dsr = true,
        };

        var loopback = EndpointPolicyBuilder.Build(inputs)
            .Select(p => p.GetSettings<OutboundNatPolicySetting>())
            .Where(s => s?.Destinations is not null)
            .Select(s => (s!.Destinations![0], s.Flags))
            .ToList();

        Assert.That(loopback, Is.EqualTo(new[] { ("10.244.1.5", NatFlags.None), ("fd00:10:244:1::5", NatFlags.IPv6) }));
    }

    [Test]
    public void Build_NodeIpUnknown_NoNodeRouteNoProviderAddress()
    {
        var bridge = EndpointPolicyBuilder.Build(Inputs(NetworkMode.L2Bridge) with { NodeIp = null });
        var overlay = EndpointPolicyBuilder.Build(Inputs(NetworkMode.Overlay) with { NodeIp = null });

        Assert.That(Json(bridge), Does.Not.Contain("192.0.2.10"));
        Assert.That(overlay.Select(p => p.Type), Has.No.Member(EndpointPolicyType.ProviderAddress));
    }

    [Test]
    public void Build_SameInputs_SameDocuments()
    {
        var inputs = Inputs(NetworkMode.Overlay) with { Dsr = true, PortMappings = [new PortMapping { HostPort = 1, ContainerPort = 2 }] };

        var first = Json(EndpointPolicyBuilder.Build(inputs));
        var second = Json(EndpointPolicyBuilder.Build(inputs));

        Assert.That(second, Is.EqualTo(first));
    }

    [Test]
    public void Build_OverlappingCidrs_ExceptionsAreDistinct()
    {
        var inputs = Inputs(NetworkMode.Overlay) with { ClusterCidrs = [IPNetwork.Parse("10.96.0.0/12")] };

        var nat = EndpointPolicyBuilder.Build(inputs)[0].GetSettings<OutboundNatPolicySetting>()!;

        Assert.That(nat.Exceptions, Is.EqualTo(new[] { "10.96.0.0/12", "192.0.2.10/32" }));
    }

    private static IEnumerable<TestCaseData> BadPortMappings()
    {
        yield return new TestCaseData(new PortMapping { HostPort = 80, ContainerPort = 80, Protocol = "sctp" }, "runtimeConfig.portMappings[0].protocol").SetName("Build_SctpMapping_ThrowsNamingProtocol");
        yield return new TestCaseData(new PortMapping { HostPort = 0, ContainerPort = 80 }, "runtimeConfig.portMappings[0].hostPort").SetName("Build_HostPortZero_ThrowsNamingHostPort");
        yield return new TestCaseData(new PortMapping { HostPort = 80, ContainerPort = 70000 }, "runtimeConfig.portMappings[0].containerPort").SetName("Build_ContainerPortTooLarge_ThrowsNamingContainerPort");
        yield return new TestCaseData(new PortMapping { HostPort = 80, ContainerPort = 80, HostIp = "not-an-ip" }, "runtimeConfig.portMappings[0].hostIP").SetName("Build_BadHostIp_ThrowsNamingHostIp");
        yield return new TestCaseData(new PortMapping { HostPort = 80, ContainerPort = 80, HostIp = "2001:db8::1" }, "runtimeConfig.portMappings[0].hostIP").SetName("Build_IPv6HostIpOnIPv4Pod_ThrowsNamingHostIp");
    }

    [TestCaseSource(nameof(BadPortMappings))]
    public void Build_BadPortMapping_ThrowsNamingTheField(PortMapping mapping, string field)
    {
        var inputs = Inputs(NetworkMode.Overlay) with { PortMappings = [mapping] };

        var ex = Assert.Throws<EndpointPolicyException>(() => EndpointPolicyBuilder.Build(inputs));

        Assert.That(ex!.Field, Is.EqualTo(field));
        Assert.That(ex.Message, Does.StartWith(field + ": "));
    }

    [Test]
    public void Build_IPv6PodOnOverlay_ThrowsNamingPodAddresses()
    {
        var inputs = Inputs(NetworkMode.Overlay) with { PodAddresses = [IPAddress.Parse("fd00::5")] };

        var ex = Assert.Throws<EndpointPolicyException>(() => EndpointPolicyBuilder.Build(inputs));

        Assert.That(ex!.Field, Is.EqualTo("podAddresses"));
    }

    [Test]
    public void Build_NoPodAddress_Throws()
    {
        Assert.That(() => EndpointPolicyBuilder.Build(Inputs(NetworkMode.Overlay) with { PodAddresses = [] }), Throws.TypeOf<EndpointPolicyException>());
    }

    private static EndpointPolicyInputs Inputs(NetworkMode mode) => new()
    {
        Mode = mode,
        ClusterCidrs = Cluster,
        ServiceCidrs = Services,
        NodeIp = NodeIp,
        PodAddresses = [PodIp],
    };

    private static string Json(IReadOnlyList<EndpointPolicy> policies) => "[" + string.Join(",", policies.Select(HcnJson.Serialize)) + "]";
}
