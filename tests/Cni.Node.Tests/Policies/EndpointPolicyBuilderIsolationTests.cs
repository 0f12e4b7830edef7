using System.Net;
using Cni.Hcn.Json;
using Cni.Hcn.Model.Policies;
using Cni.Node.Configuration;
using Cni.Node.Policies;
using Cni.Spec.Capabilities;

namespace Cni.Node.Tests.Policies;

/// <summary>OutBoundNAT on/off and extra exceptions, the endpoint VLAN, and firewall defaults as ACL policies.</summary>
public sealed class EndpointPolicyBuilderIsolationTests
{
    private static readonly IPNetwork[] Cluster = [IPNetwork.Parse("10.244.0.0/16")];
    private static readonly IPNetwork[] Services = [IPNetwork.Parse("10.96.0.0/12")];

    [Test]
    public void Build_OutboundNatOff_NoOutboundNatPolicy()
    {
        var policies = EndpointPolicyBuilder.Build(Inputs() with { OutboundNat = new OutboundNatOptions { Enabled = false } });

        Assert.That(policies.Select(p => p.Type), Has.None.EqualTo(EndpointPolicyType.OutBoundNat));
        Assert.That(policies.Select(p => p.Type), Has.Some.EqualTo(EndpointPolicyType.SdnRoute), "the service routes stay");
    }

    [Test]
    public void Build_OutboundNatExtraExceptions_MergedAfterClusterAndServiceCidrsPerFamily()
    {
        var inputs = Inputs() with
        {
            OutboundNat = new OutboundNatOptions { Exceptions = [IPNetwork.Parse("172.16.0.0/12"), IPNetwork.Parse("fd00:1::/64"), IPNetwork.Parse("10.96.0.0/12")] },
        };

        var nat = EndpointPolicyBuilder.Build(inputs)[0];

        Assert.That(HcnJson.Serialize(nat), Is.EqualTo(
            """{"Type":"OutBoundNAT","Settings":{"Exceptions":["10.244.0.0/16","10.96.0.0/12","172.16.0.0/12","192.0.2.10/32"]}}"""));
    }

    [Test]
    public void Build_EndpointVlan_VlanPolicyWithIsolationId()
    {
        var policies = EndpointPolicyBuilder.Build(Inputs() with { Vlan = 100 });

        Assert.That(policies.Select(HcnJson.Serialize), Has.One.EqualTo("""{"Type":"VLAN","Settings":{"IsolationId":100}}"""));
    }

    [TestCase(0)]
    [TestCase(4095)]
    public void Build_EndpointVlanOutOfRange_ErrorNamesVlan(int vlan)
    {
        var error = Assert.Throws<EndpointPolicyException>(() => EndpointPolicyBuilder.Build(Inputs() with { Vlan = vlan }));

        Assert.That(error!.Message, Does.Contain("VLAN").And.Contain("1-4094"));
    }

    [Test]
    public void Build_FirewallDefaultsAllow_NoAclPolicies()
    {
        var policies = EndpointPolicyBuilder.Build(Inputs());

        Assert.That(policies.Select(p => p.Type), Has.None.EqualTo(EndpointPolicyType.Acl));
    }

    [Test]
    public void Build_InboundBlockWithAllowList_AllowsAtPriority1000ThenNodeAndHostPortsThenBlockAt65000()
    {
        var inputs = Inputs() with
        {
            PortMappings = [new PortMapping { HostPort = 8080, ContainerPort = 80, Protocol = "tcp" }],
            Firewall = new FirewallOptions
            {
                Inbound = new FirewallDirectionOptions
                {
                    Default = FirewallAction.Block,
                    Allow = [new FirewallRule { Remote = [IPNetwork.Parse("10.244.0.0/16")], Protocol = "tcp", Ports = [80, 443] }],
                },
            },
        };

        var acls = EndpointPolicyBuilder.Build(inputs).Where(p => p.Type == EndpointPolicyType.Acl).Select(HcnJson.Serialize).ToList();

        Assert.That(acls, Is.EqualTo(new[]
        {
            """{"Type":"ACL","Settings":{"Protocols":"6","Action":"Allow","Direction":"In","RemoteAddresses":"10.244.0.0/16","LocalPorts":"80,443","RuleType":"Switch","Priority":1000}}""",
            """{"Type":"ACL","Settings":{"Action":"Allow","Direction":"In","RemoteAddresses":"192.0.2.10/32","RuleType":"Switch","Priority":1000}}""",
            """{"Type":"ACL","Settings":{"Protocols":"6","Action":"Allow","Direction":"In","LocalPorts":"80","RuleType":"Switch","Priority":1000}}""",
            """{"Type":"ACL","Settings":{"Action":"Block","Direction":"In","RuleType":"Switch","Priority":65000}}""",
        }));
    }

    [Test]
    public void Build_OutboundBlockWithIcmpAndUdpAllow_RemotePortsAndPerFamilyIcmp()
    {
        var inputs = Inputs() with
        {
            PodAddresses = [IPAddress.Parse("10.244.1.5"), IPAddress.Parse("fd00::5")],
            Mode = NetworkMode.L2Bridge,
            Firewall = new FirewallOptions
            {
                Outbound = new FirewallDirectionOptions
                {
                    Default = FirewallAction.Block,
                    Allow = [new FirewallRule { Protocol = "udp", Ports = [53] }, new FirewallRule { Protocol = "icmp" }],
                },
            },
        };

        var acls = EndpointPolicyBuilder.Build(inputs).Where(p => p.Type == EndpointPolicyType.Acl).Select(HcnJson.Serialize).ToList();

        Assert.That(acls, Is.EqualTo(new[]
        {
            """{"Type":"ACL","Settings":{"Protocols":"17","Action":"Allow","Direction":"Out","RemotePorts":"53","RuleType":"Switch","Priority":1000}}""",
            """{"Type":"ACL","Settings":{"Protocols":"1","Action":"Allow","Direction":"Out","RuleType":"Switch","Priority":1000}}""",
            """{"Type":"ACL","Settings":{"Protocols":"58","Action":"Allow","Direction":"Out","RuleType":"Switch","Priority":1000}}""",
            """{"Type":"ACL","Settings":{"Action":"Block","Direction":"Out","RuleType":"Switch","Priority":65000}}""",
        }));
    }

    [Test]
    public void Build_VlanAndAcls_BeforePortNameWhichStaysLast()
    {
        var inputs = Inputs() with
        {
            Vlan = 7,
            InterfaceName = "eth0",
            Firewall = new FirewallOptions { Inbound = new FirewallDirectionOptions { Default = FirewallAction.Block } },
        };

        var types = EndpointPolicyBuilder.Build(inputs).Select(p => p.Type.ToString()).ToList();

        Assert.That(types.SkipWhile(t => t != "VLAN"), Is.EqualTo(new[] { "VLAN", "ACL", "ACL", "PortName" }));
    }

    private static EndpointPolicyInputs Inputs() => new()
    {
        Mode = NetworkMode.L2Bridge,
        ClusterCidrs = Cluster,
        ServiceCidrs = Services,
        NodeIp = IPAddress.Parse("192.0.2.10"),
        PodAddresses = [IPAddress.Parse("10.244.1.5")],
    };
}
