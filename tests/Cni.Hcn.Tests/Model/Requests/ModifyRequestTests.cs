using Cni.Hcn.Json;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;
using Cni.Hcn.Model.Requests;

namespace Cni.Hcn.Tests.Model.Requests;

/// <summary>The modify-request envelopes: factories, typed settings accessors and equality.</summary>
[TestFixture]
public sealed class ModifyRequestTests
{
    private static readonly RemoteSubnetRoutePolicySetting Route = new()
    {
        DestinationPrefix = "10.244.3.0/24", IsolationId = 4096, ProviderAddress = "192.168.0.11", DistributedRouterMacAddress = "01-02-03-04-05-06",
    };

    [Test]
    public void GetPolicyRequest_NetworkPolicyRequest_ReturnsTypedPolicies()
    {
        var request = ModifyNetworkSettingRequest.ForPolicies(RequestType.Add, [NetworkPolicy.Create(Route)]);

        var policies = request.GetPolicyRequest()!.Policies!;

        Assert.That(policies, Has.Count.EqualTo(1));
        Assert.That(policies[0].Type, Is.EqualTo(NetworkPolicyType.RemoteSubnetRoute));
        Assert.That(policies[0].Settings, Is.EqualTo(Route));
        Assert.That(request.GetDns(), Is.Null);
        Assert.That(request.GetExtensionRequest(), Is.Null);
    }

    [Test]
    public void GetDns_DnsRequest_ReturnsDns()
    {
        var request = ModifyNetworkSettingRequest.ForDns(new Dns { Domain = "cluster.local" });

        Assert.That(request.RequestType, Is.EqualTo(RequestType.Update));
        Assert.That(request.GetDns()?.Domain, Is.EqualTo("cluster.local"));
        Assert.That(request.GetPolicyRequest(), Is.Null);
    }

    [Test]
    public void GetExtensionRequest_ExtensionDocument_IsRead()
    {
        var request = HcnJson.Deserialize<ModifyNetworkSettingRequest>(
            """{"ResourceType":"Extension","RequestType":"Update","Settings":{"Id":"e9b59cfa-2be1-4b21-828f-b6fbdbddc017","IsEnabled":true}}""")!;

        Assert.That(request.GetExtensionRequest(), Is.EqualTo(new NetworkExtensionRequest { Id = Guid.Parse("e9b59cfa-2be1-4b21-828f-b6fbdbddc017"), IsEnabled = true }));
    }

    [Test]
    public void GetPolicyRequest_EndpointPolicyRequest_ReturnsTypedPolicies()
    {
        var acl = new AclPolicySetting { Action = ActionType.Block, Direction = DirectionType.Out, RemoteAddresses = "169.254.169.254" };
        var request = ModifyEndpointSettingRequest.ForPolicies(RequestType.Update, [EndpointPolicy.Create(acl)]);

        Assert.That(request.ResourceType, Is.EqualTo(EndpointResourceType.Policy));
        Assert.That(request.GetPolicyRequest()!.Policies![0].Settings, Is.EqualTo(acl));
        Assert.That(request.GetPortRequest(), Is.Null);
    }

    [Test]
    public void GetPortRequest_PortDocument_IsRead()
    {
        var request = HcnJson.Deserialize<ModifyEndpointSettingRequest>(
            """{"ResourceType":"Port","RequestType":"Add","Settings":{"PortId":"9d1e0c5a-aaaa-bbbb-cccc-000000000001","VirtualNicName":"nic"}}""")!;

        Assert.That(request.GetPortRequest(), Is.EqualTo(new VmEndpointRequest { PortId = GoldenCases.EndpointId1, VirtualNicName = "nic" }));
    }

    [Test]
    public void GetEndpointRequest_NamespaceAttach_ReturnsEndpointId()
    {
        var request = ModifyNamespaceSettingRequest.ForEndpoint(RequestType.Add, GoldenCases.EndpointId1);

        Assert.That(request.GetEndpointRequest()?.EndpointId, Is.EqualTo(GoldenCases.EndpointId1));
        Assert.That(request.GetContainerRequest(), Is.Null);
    }

    [Test]
    public void ForContainer_NamespaceRequest_WritesContainerId()
    {
        var request = ModifyNamespaceSettingRequest.ForContainer(RequestType.Add, "abc123");

        Assert.That(
            HcnJson.Serialize(request),
            Is.EqualTo("""{"ResourceType":"Container","RequestType":"Add","Settings":{"ContainerId":"abc123"}}"""));
        Assert.That(request.GetContainerRequest()?.ContainerId, Is.EqualTo("abc123"));
        Assert.That(request.GetEndpointRequest(), Is.Null);
    }

    [Test]
    public void Equals_SameSettingsBuiltTwice_AreEqual()
    {
        var first = ModifyNetworkSettingRequest.ForPolicies(RequestType.Remove, [NetworkPolicy.Create(Route)]);
        var second = HcnJson.Deserialize<ModifyNetworkSettingRequest>(HcnJson.Serialize(first))!;

        Assert.That(second, Is.EqualTo(first));
        Assert.That(second.GetHashCode(), Is.EqualTo(first.GetHashCode()));
        Assert.That(second with { RequestType = RequestType.Add }, Is.Not.EqualTo(first));
    }

    [Test]
    public void Equals_NamespaceAndEndpointRequests_CompareSettings()
    {
        Assert.That(
            ModifyNamespaceSettingRequest.ForEndpoint(RequestType.Add, GoldenCases.EndpointId1),
            Is.EqualTo(ModifyNamespaceSettingRequest.ForEndpoint(RequestType.Add, GoldenCases.EndpointId1)));
        Assert.That(
            ModifyNamespaceSettingRequest.ForEndpoint(RequestType.Add, GoldenCases.EndpointId1),
            Is.Not.EqualTo(ModifyNamespaceSettingRequest.ForEndpoint(RequestType.Add, GoldenCases.EndpointId2)));
        var policy = EndpointPolicy.Create(new QosPolicySetting { MaximumOutgoingBandwidthInBytes = 1 });
        Assert.That(
            ModifyEndpointSettingRequest.ForPolicies(RequestType.Add, [policy]),
            Is.EqualTo(ModifyEndpointSettingRequest.ForPolicies(RequestType.Add, [policy])));
    }

    [Test]
    public void Serialize_RequestWithoutSettings_OmitsSettings()
    {
        var request = new ModifyEndpointSettingRequest { ResourceType = EndpointResourceType.Port, RequestType = RequestType.Remove };

        Assert.That(HcnJson.Serialize(request), Is.EqualTo("""{"ResourceType":"Port","RequestType":"Remove"}"""));
        Assert.That(request.GetPortRequest(), Is.Null);
    }

    [Test]
    public void GetSubnetRequests_SubnetAndIpSubnetRequests_AreRead()
    {
        var subnets = ModifyNetworkSettingRequest.ForSubnets(RequestType.Add, [new Subnet { IpAddressPrefix = "10.0.0.0/24" }]);
        var ipSubnets = ModifyNetworkSettingRequest.ForIpSubnets(RequestType.Remove, GoldenCases.NetworkId, [new IpSubnet { IpAddressPrefix = "10.0.0.0/25" }]);

        Assert.That(subnets.GetSubnetRequest()!.Subnets![0].IpAddressPrefix, Is.EqualTo("10.0.0.0/24"));
        Assert.That(subnets.GetIpSubnetRequest(), Is.Null);
        Assert.That(ipSubnets.GetIpSubnetRequest()!.SubnetId, Is.EqualTo(GoldenCases.NetworkId));
        Assert.That(ipSubnets.GetIpSubnetRequest()!.IpSubnets![0].IpAddressPrefix, Is.EqualTo("10.0.0.0/25"));
        Assert.That(ipSubnets.GetSubnetRequest(), Is.Null);
    }
}
