using System.Net;
using Cni.Hcn.Json;
using Cni.Hcn.Model.Policies;
using Cni.Node.Configuration;
using Cni.Node.Policies;
using Cni.Spec.Capabilities;

namespace Cni.Node.Tests.Policies;

/// <summary>Endpoint policies of the nat, transparent and l2tunnel modes.</summary>
public sealed class EndpointPolicyModeTests
{
    private static EndpointPolicyInputs Inputs(NetworkMode mode, params PortMapping[] mappings) => new()
    {
        Mode = mode,
        ClusterCidrs = [IPNetwork.Parse("10.244.0.0/16")],
        ServiceCidrs = [IPNetwork.Parse("10.96.0.0/12")],
        NodeIp = IPAddress.Parse("192.0.2.10"),
        PodAddresses = [IPAddress.Parse("10.244.1.5")],
        PortMappings = mappings,
    };

    [Test]
    public void Build_NatWithHostPorts_ServiceRouteAndPortMappingsButNoOutboundNat()
    {
        var policies = EndpointPolicyBuilder.Build(Inputs(
            NetworkMode.Nat,
            new PortMapping { HostPort = 8080, ContainerPort = 80, Protocol = "tcp" },
            new PortMapping { HostPort = 5353, ContainerPort = 53, Protocol = "udp", HostIp = "192.0.2.10" }));

        Assert.That(Json(policies), Is.EqualTo(
            """[{"Type":"SDNRoute","Settings":{"DestinationPrefix":"10.96.0.0/12","NeedEncap":true}},"""
            + """{"Type":"PortMapping","Settings":{"Protocol":6,"InternalPort":80,"ExternalPort":8080}},"""
            + """{"Type":"PortMapping","Settings":{"Protocol":17,"InternalPort":53,"ExternalPort":5353,"VIP":"192.0.2.10"}}]"""));
    }

    [TestCase(NetworkMode.Transparent)]
    [TestCase(NetworkMode.L2Tunnel)]
    public void Build_TransparentOrL2Tunnel_NoNatAndNoServiceRoute(NetworkMode mode)
    {
        var policies = EndpointPolicyBuilder.Build(Inputs(mode) with { InterfaceName = "eth0" });

        Assert.That(Json(policies), Is.EqualTo("""[{"Type":"PortName","Settings":{"Name":"eth0"}}]"""));
    }

    private static string Json(IReadOnlyList<EndpointPolicy> policies) => "[" + string.Join(",", policies.Select(HcnJson.Serialize)) + "]";
}
