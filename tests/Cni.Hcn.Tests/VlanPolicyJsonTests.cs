using Cni.Hcn.Json;
using Cni.Hcn.Memory;
using Cni.Hcn.Errors;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Tests;

/// <summary>The VLAN policy as an endpoint policy (HNS schema 2.4) beside its subnet form.</summary>
[TestFixture]
public sealed class VlanPolicyJsonTests
{
    [Test]
    public void Serialize_EndpointVlan_TypeVlanWithIsolationId()
    {
        var policy = EndpointPolicy.Create(new VlanPolicySetting { IsolationId = 11 });

        Assert.That(HcnJson.Serialize(policy), Is.EqualTo("""{"Type":"VLAN","Settings":{"IsolationId":11}}"""));
    }

    [Test]
    public void Deserialize_EndpointVlan_TypedSettings()
    {
        var policy = HcnJson.Deserialize<EndpointPolicy>("""{"Type":"VLAN","Settings":{"IsolationId":11}}""");

        Assert.That(policy!.GetSettings<VlanPolicySetting>()?.IsolationId, Is.EqualTo(11u));
    }

    [Test]
    public void Serialize_SubnetVlan_SameSettings()
    {
        Assert.That(HcnJson.Serialize(SubnetPolicy.Create(new VlanPolicySetting { IsolationId = 11 })), Is.EqualTo("""{"Type":"VLAN","Settings":{"IsolationId":11}}"""));
    }

    [TestCase(0u)]
    [TestCase(4095u)]
    public async Task CreateEndpoint_VlanOutOfRange_InvalidPolicy(uint vlan)
    {
        var hcn = new MemoryHcn();
        var network = await hcn.CreateNetworkAsync(new HostComputeNetwork
        {
            Name = "n",
            Type = NetworkType.L2Bridge,
            Ipams = [new Ipam { Type = IpamType.Static, Subnets = [new Subnet { IpAddressPrefix = "10.1.0.0/24" }] }],
        }, CancellationToken.None);

        var error = Assert.ThrowsAsync<HcnException>(() => hcn.CreateEndpointAsync(network.Id, new HostComputeEndpoint
        {
            Name = "e",
            IpConfigurations = [new IpConfig { IpAddress = "10.1.0.5" }],
            Policies = [EndpointPolicy.Create(new VlanPolicySetting { IsolationId = vlan })],
        }, CancellationToken.None));

        Assert.That(error!.HResult, Is.EqualTo(HcnErrorCodes.InvalidPolicy));
        Assert.That(error.Message, Does.Contain("outside 1-4094"));
    }
}
