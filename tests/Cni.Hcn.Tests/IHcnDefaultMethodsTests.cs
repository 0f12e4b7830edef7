using Cni.Hcn.Errors;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;
using Cni.Hcn.Model.Requests;
using Cni.Hcn.Tests.Fakes;
using Cni.Hcn.Tests.Model;
using Cni.Hcn.Versioning;

namespace Cni.Hcn.Tests;

/// <summary>IHcn's default methods turn into the documented modify requests and feature sets.</summary>
[TestFixture]
public sealed class IHcnDefaultMethodsTests
{
    private static readonly NetworkPolicy HostRoute = NetworkPolicy.Create(new HostRoutePolicySetting());
    private static readonly EndpointPolicy PortMapping = EndpointPolicy.Create(new PortMappingPolicySetting { Protocol = ProtocolType.Tcp, InternalPort = 80, ExternalPort = 8080 });

    [TestCase("Add")]
    [TestCase("Remove")]
    [TestCase("Update")]
    [CancelAfter(5000)]
    public async Task NetworkPolicies_EachRequestType_SendsPolicyModify(string requestType, CancellationToken cancellationToken)
    {
        var scripted = new ScriptedHcn();
        IHcn hcn = scripted;

        var task = requestType switch
        {
            "Add" => hcn.AddNetworkPoliciesAsync(GoldenCases.NetworkId, [HostRoute], cancellationToken),
            "Remove" => hcn.RemoveNetworkPoliciesAsync(GoldenCases.NetworkId, [HostRoute], cancellationToken),
            _ => hcn.UpdateNetworkPoliciesAsync(GoldenCases.NetworkId, [HostRoute], cancellationToken),
        };
        var network = await task;

        Assert.That(network.Id, Is.EqualTo(GoldenCases.NetworkId));
        Assert.That(
            scripted.Requests,
            Is.EqualTo(new object[] { ModifyNetworkSettingRequest.ForPolicies(RequestType.FromValue(requestType), [HostRoute]) }));
    }

    [TestCase("Add")]
    [TestCase("Remove")]
    [TestCase("Update")]
    [CancelAfter(5000)]
    public async Task EndpointPolicies_EachRequestType_SendsPolicyModify(string requestType, CancellationToken cancellationToken)
    {
        var scripted = new ScriptedHcn();
        IHcn hcn = scripted;

        var task = requestType switch
        {
            "Add" => hcn.AddEndpointPoliciesAsync(GoldenCases.EndpointId1, [PortMapping], cancellationToken),
            "Remove" => hcn.RemoveEndpointPoliciesAsync(GoldenCases.EndpointId1, [PortMapping], cancellationToken),
            _ => hcn.UpdateEndpointPoliciesAsync(GoldenCases.EndpointId1, [PortMapping], cancellationToken),
        };
        await task;

        var request = (ModifyEndpointSettingRequest)scripted.Requests.Single();
        Assert.That(request.RequestType, Is.EqualTo(RequestType.FromValue(requestType)));
        Assert.That(request.GetPolicyRequest()!.Policies![0].Settings, Is.EqualTo(PortMapping.Settings));
    }

    [Test]
    [CancelAfter(5000)]
    public async Task AddAndRemoveNamespaceEndpoint_SendEndpointAddAndRemove(CancellationToken cancellationToken)
    {
        var scripted = new ScriptedHcn();
        IHcn hcn = scripted;

        await hcn.AddNamespaceEndpointAsync(GoldenCases.NamespaceId, GoldenCases.EndpointId1, cancellationToken);
        await hcn.RemoveNamespaceEndpointAsync(GoldenCases.NamespaceId, GoldenCases.EndpointId1, cancellationToken);

        Assert.That(
            scripted.Requests,
            Is.EqualTo(new object[]
            {
                ModifyNamespaceSettingRequest.ForEndpoint(RequestType.Add, GoldenCases.EndpointId1),
                ModifyNamespaceSettingRequest.ForEndpoint(RequestType.Remove, GoldenCases.EndpointId1),
            }));
    }

    [Test]
    [CancelAfter(5000)]
    public async Task GetFeaturesAsync_VersionKnown_DerivesFeatures(CancellationToken cancellationToken)
    {
        IHcn hcn = new ScriptedHcn { Version = () => new HcnVersion(12, 0) };

        var features = await hcn.GetFeaturesAsync(cancellationToken);

        Assert.That(features, Is.EqualTo(HcnFeatures.FromVersion(new HcnVersion(12, 0))));
        Assert.That(features.SessionAffinity, Is.True);
    }

    [Test]
    [CancelAfter(5000)]
    public async Task GetFeaturesAsync_VersionQueryFails_IsNone(CancellationToken cancellationToken)
    {
        IHcn hcn = new ScriptedHcn();

        Assert.That(await hcn.GetFeaturesAsync(cancellationToken), Is.SameAs(HcnFeatures.None));
    }
}
