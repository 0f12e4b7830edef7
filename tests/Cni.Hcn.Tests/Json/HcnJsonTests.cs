using Cni.Hcn.Json;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;
using Cni.Hcn.Tests.Json;

namespace Cni.Hcn.Tests.Json;

/// <summary>Go <c>omitempty</c> semantics on write and the always-written members of the reference tables.</summary>
[TestFixture]
public sealed class HcnJsonTests
{
    [Test]
    public void Serialize_EmptyNetwork_WritesOnlyTypeAndSchemaVersion()
    {
        var json = HcnJson.Serialize(new HostComputeNetwork());

        Assert.That(json, Is.EqualTo("""{"Type":"NAT","SchemaVersion":{"Major":2,"Minor":0}}"""));
    }

    [Test]
    public void Serialize_EmptyEndpointLoadBalancerNamespaceRoute_WritesOnlySchemaVersion()
    {
        const string expected = """{"SchemaVersion":{"Major":2,"Minor":0}}""";

        Assert.That(HcnJson.Serialize(new HostComputeEndpoint()), Is.EqualTo(expected));
        Assert.That(HcnJson.Serialize(new HostComputeLoadBalancer()), Is.EqualTo(expected));
        Assert.That(HcnJson.Serialize(new HostComputeNamespace()), Is.EqualTo(expected));
        Assert.That(HcnJson.Serialize(new HostComputeRoute()), Is.EqualTo(expected));
    }

    [Test]
    public void Serialize_EmptyStringsAndEmptyArrays_AreOmitted()
    {
        var endpoint = new HostComputeEndpoint
        {
            Name = string.Empty,
            MacAddress = string.Empty,
            Policies = [],
            IpConfigurations = [],
            Routes = [],
            Dns = new() { Domain = string.Empty, Search = [], ServerList = [] },
            SchemaVersion = null!,
        };

        Assert.That(HcnJson.Serialize(endpoint), Is.EqualTo("""{"Dns":{},"SchemaVersion":{"Major":2,"Minor":0}}"""));
    }

    [Test]
    public void Serialize_ZeroNumbersFalseBoolsAndEmptyGuids_AreOmitted()
    {
        var mapping = new LoadBalancerPortMapping();
        var route = new SdnRoutePolicySetting { NeedEncap = false };

        Assert.That(HcnJson.Serialize(mapping), Is.EqualTo("{}"));
        Assert.That(HcnJson.Serialize(route), Is.EqualTo("{}"));
    }

    [Test]
    public void Serialize_DefaultRemoteSubnetRoute_WritesAllFourMembers()
    {
        var json = HcnJson.Serialize(new RemoteSubnetRoutePolicySetting());

        Assert.That(
            json,
            Is.EqualTo("""{"DestinationPrefix":"","IsolationId":0,"ProviderAddress":"","DistributedRouterMacAddress":""}"""));
    }

    [TestCase(typeof(VxlanPortPolicySetting), """{"Port":0}""")]
    [TestCase(typeof(QosPolicySetting), """{"MaximumOutgoingBandwidthInBytes":0}""")]
    [TestCase(typeof(VsidPolicySetting), """{"IsolationId":0}""")]
    [TestCase(typeof(VlanPolicySetting), """{"IsolationId":0}""")]
    [TestCase(typeof(SetPolicySetting), """{"Id":"","Name":"","PolicyType":"","Values":""}""")]
    [TestCase(typeof(L4ProxyPolicySetting), """{"Destination":""}""")]
    [TestCase(typeof(AclPolicySetting), """{"Action":"","Direction":""}""")]
    [TestCase(typeof(NetworkAclPolicySetting), """{"Action":"","Direction":""}""")]
    [TestCase(typeof(TierAclPolicySetting), """{"Name":"","Direction":"","Order":0}""")]
    [TestCase(typeof(TierAclRule), """{"TierAclRuleAction":""}""")]
    [TestCase(typeof(L4WfpProxyPolicySetting), """{"FilterTuple":{},"InboundExceptions":{},"OutboundExceptions":{}}""")]
    [TestCase(typeof(NamespaceResource), """{"Type":"","Data":{"ID":""}}""")]
    [TestCase(typeof(SchemaVersion), """{"Major":0,"Minor":0}""")]
    public void Serialize_DefaultSettings_WritesAlwaysEmittedMembers(Type type, string expected)
    {
        var value = Activator.CreateInstance(type)!;

        var json = System.Text.Json.JsonSerializer.Serialize(value, HcnJson.Options.GetTypeInfo(type));

        Assert.That(json, Is.EqualTo(expected));
    }

    [Test]
    public void Serialize_PolicyWithoutSettings_OmitsSettings()
    {
        var policy = new NetworkPolicy { Type = NetworkPolicyType.HostRoute };

        Assert.That(HcnJson.Serialize(policy), Is.EqualTo("""{"Type":"HostRoute"}"""));
    }

    [Test]
    public void Serialize_HostRoutePolicy_WritesEmptySettingsObject()
    {
        var policy = NetworkPolicy.Create(new HostRoutePolicySetting());

        Assert.That(HcnJson.Serialize(policy), Is.EqualTo("""{"Type":"HostRoute","Settings":{}}"""));
    }

    [Test]
    public void Serialize_Flags_AreNumbers()
    {
        var network = new HostComputeNetwork { Flags = NetworkFlags.EnableNonPersistent | NetworkFlags.EnableIov };

        Assert.That(HcnJson.Serialize(network), Does.Contain("\"Flags\":8200"));
    }

    [Test]
    public void Serialize_Guid_IsLowerCaseDashedForm()
    {
        var endpoint = new HostComputeEndpoint { Id = Guid.Parse("5F0B1190-63BE-4E0C-B974-BD0F55675A42") };

        Assert.That(HcnJson.Serialize(endpoint), Does.StartWith("""{"ID":"5f0b1190-63be-4e0c-b974-bd0f55675a42","""));
    }

    [Test]
    public void Serialize_SdnRouteRoutes_UsesChosenArrayName()
    {
        var route = new HostComputeRoute { Routes = [new SdnRoutePolicySetting { NextHop = "10.0.0.1" }] };

        Assert.That(HcnJson.Serialize(route), Does.Contain("\"" + HcnSchemaChoices.SdnRouteArrayName + "\":["));
        Assert.That(HcnJson.Serialize(route), Does.Not.Contain(HcnSchemaChoices.SdnRouteArrayAlternateName));
    }

    [Test]
    public void Serialize_L4ProxyExceptions_UsesChosenNames()
    {
        var proxy = new L4ProxyPolicySetting { Exceptions = ["10.0.0.1"], OutboundNat = true, Destination = "d" };

        Assert.That(
            HcnJson.Serialize(proxy),
            Is.EqualTo($$"""{"{{HcnSchemaChoices.L4ProxyExceptionsName}}":["10.0.0.1"],"Destination":"d","{{HcnSchemaChoices.L4ProxyOutboundNatName}}":true}"""));
    }

    [Test]
    public void SerializeToElement_Request_EmbedsSettingsAsObject()
    {
        var element = HcnJson.SerializeToElement(new Cni.Hcn.Model.Requests.NamespaceEndpointRequest { EndpointId = Guid.Empty });

        Assert.That(element.ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Object));
    }

    [Test]
    public void GetTypeInfo_TypeOutsideTheModel_Throws()
    {
        Assert.That(() => HcnJson.GetTypeInfo<Uri>(), Throws.InstanceOf<NotSupportedException>());
    }

    [Test]
    public void RawEquals_ReorderedMembers_AreEqual()
    {
        using var left = System.Text.Json.JsonDocument.Parse("""{"a":1,"b":[1,2]}""");
        using var right = System.Text.Json.JsonDocument.Parse("""{ "b": [1, 2], "a": 1 }""");

        Assert.That(HcnJson.RawEquals(left.RootElement, right.RootElement), Is.True);
        Assert.That(HcnJson.RawEquals(null, null), Is.True);
        Assert.That(HcnJson.RawEquals(left.RootElement, null), Is.False);
    }

    [Test]
    public void Normalize_GoldenHelper_IgnoresOrderAndWhitespace()
    {
        Assert.That(GoldenJson.Normalize("""{"b":1, "a":{"d":2,"c":3}}"""), Is.EqualTo(GoldenJson.Normalize("""{"a":{"c":3,"d":2},"b":1}""")));
    }

    [Test]
    public void JsonEquals_SameDocumentDifferentListInstances_IsTrue()
    {
        var left = new HostComputeNetwork { Name = "n", Policies = [NetworkPolicy.Create(new VxlanPortPolicySetting { Port = 4789 })] };
        var right = new HostComputeNetwork { Name = "n", Policies = new List<NetworkPolicy> { NetworkPolicy.Create(new VxlanPortPolicySetting { Port = 4789 }) } };

        Assert.That(left, Is.Not.EqualTo(right));
        Assert.That(HcnJson.JsonEquals(left, right), Is.True);
        Assert.That(HcnJson.JsonEquals(left, right with { Name = "m" }), Is.False);
    }
}
