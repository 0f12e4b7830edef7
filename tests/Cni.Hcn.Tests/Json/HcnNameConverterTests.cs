using Cni.Hcn.Json;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;
using Cni.Hcn.Model.Requests;

namespace Cni.Hcn.Tests.Json;

/// <summary>String-valued HCN enums: exact wire strings, case-insensitive equality, unknown values kept.</summary>
[TestFixture]
public sealed class HcnNameConverterTests
{
    [TestCase("NAT")]
    [TestCase("L2Bridge")]
    [TestCase("Overlay")]
    [TestCase("ConstrainedICS")]
    public void NetworkType_KnownValue_RoundTripsExactly(string wire)
    {
        var network = HcnJson.Deserialize<HostComputeNetwork>($$"""{"Type":"{{wire}}"}""")!;

        Assert.That(HcnJson.Serialize(network), Does.Contain($"\"Type\":\"{wire}\""));
    }

    [Test]
    public void Equals_DifferentCase_AreEqualWithSameHash()
    {
        var lower = EndpointPolicyType.FromValue("outboundnat");

        Assert.That(lower, Is.EqualTo(EndpointPolicyType.OutBoundNat));
        Assert.That(lower == EndpointPolicyType.OutBoundNat, Is.True);
        Assert.That(lower != EndpointPolicyType.Acl, Is.True);
        Assert.That(lower.GetHashCode(), Is.EqualTo(EndpointPolicyType.OutBoundNat.GetHashCode()));
        Assert.That(lower.Equals((object)EndpointPolicyType.OutBoundNat), Is.True);
    }

    [Test]
    public void Default_HasNoValueAndPrintsEmpty()
    {
        Assert.That(default(NetworkType).Value, Is.Null);
        Assert.That(default(NetworkType).ToString(), Is.Empty);
        Assert.That(default(NetworkType).GetHashCode(), Is.Zero);
        Assert.That(default(NetworkType), Is.Not.EqualTo(NetworkType.Nat));
    }

    [Test]
    public void Constructor_Null_Throws()
    {
        Assert.That(() => new NetworkType(null!), Throws.ArgumentNullException);
    }

    [Test]
    public void Read_UnknownValue_IsKept()
    {
        var ns = HcnJson.Deserialize<HostComputeNamespace>("""{"Type":"FutureKind"}""")!;

        Assert.That(ns.Type.Value, Is.EqualTo("FutureKind"));
        Assert.That(HcnJson.Serialize(ns), Does.Contain("\"Type\":\"FutureKind\""));
    }

    [Test]
    public void Read_Number_IsItsText()
    {
        var request = HcnJson.Deserialize<ModifyNetworkSettingRequest>("""{"ResourceType":0,"RequestType":1.5}""")!;

        Assert.That(request.ResourceType.Value, Is.EqualTo("0"));
        Assert.That(request.RequestType.Value, Is.EqualTo("1.5"));
    }

    [Test]
    public void Read_Null_IsDefault()
    {
        var ns = HcnJson.Deserialize<HostComputeNamespace>("""{"Type":null}""")!;

        Assert.That(ns.Type, Is.EqualTo(default(NamespaceType)));
    }

    [Test]
    public void Read_Object_Throws()
    {
        Assert.That(
            () => HcnJson.Deserialize<HostComputeNamespace>("""{"Type":{}}"""),
            Throws.InstanceOf<System.Text.Json.JsonException>());
    }

    [Test]
    public void WireStrings_MatchTheReference()
    {
        Assert.That(
            new[]
            {
                EndpointPolicyType.OutBoundNat.Value, EndpointPolicyType.L4WfpProxy.Value, EndpointPolicyType.SdnRoute.Value,
                EndpointPolicyType.Acl.Value, EndpointPolicyType.Qos.Value, EndpointPolicyType.Iov.Value,
                NetworkPolicyType.AutomaticDns.Value, NetworkPolicyType.NetworkAcl.Value, SetPolicyType.NestedIpSet.Value,
                SubnetPolicyType.Vsid.Value, NetworkResourceType.Dns.Value, NetworkResourceType.IpSubnet.Value, NetworkType.Ics.Value,
            },
            Is.EqualTo(new[]
            {
                "OutBoundNAT", "L4WFPPROXY", "SDNRoute", "ACL", "QOS", "Iov", "AutomaticDNS", "NetworkACL", "NESTEDIPSET", "VSID",
                "DNS", "IPSubnet", "ICS",
            }));
    }
}
