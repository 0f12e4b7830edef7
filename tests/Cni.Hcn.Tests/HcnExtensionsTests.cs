using Cni.Hcn.Errors;
using Cni.Hcn.Model;
using Cni.Hcn.Tests.Fakes;
using Cni.Hcn.Tests.Model;

namespace Cni.Hcn.Tests;

[TestFixture]
public sealed class HcnExtensionsTests
{
    private static readonly HcnException NotFound = new("HcnOpenNamespace", HcnErrorCodes.ElementNotFound);
    private static readonly HcnException Denied = new("HcnOpenNamespace", HcnErrorCodes.AccessDenied);

    [Test]
    [CancelAfter(5000)]
    public async Task TryGet_Exists_ReturnsObject(CancellationToken cancellationToken)
    {
        var hcn = new ScriptedHcn();

        Assert.That((await hcn.TryGetNetworkAsync(GoldenCases.NetworkId, cancellationToken))?.Id, Is.EqualTo(GoldenCases.NetworkId));
        Assert.That((await hcn.TryGetEndpointAsync(GoldenCases.EndpointId1, cancellationToken))?.Id, Is.EqualTo(GoldenCases.EndpointId1));
        Assert.That((await hcn.TryGetNamespaceAsync(GoldenCases.NamespaceId, cancellationToken))?.Id, Is.EqualTo(GoldenCases.NamespaceId));
        Assert.That((await hcn.TryGetLoadBalancerAsync(GoldenCases.EndpointId2, cancellationToken))?.Id, Is.EqualTo(GoldenCases.EndpointId2));
        Assert.That((await hcn.TryGetSdnRouteAsync(GoldenCases.EndpointId2, cancellationToken))?.Id, Is.EqualTo(GoldenCases.EndpointId2));
    }

    [Test]
    [CancelAfter(5000)]
    public async Task TryGet_NotFound_ReturnsNull(CancellationToken cancellationToken)
    {
        var hcn = new ScriptedHcn { Failure = NotFound };

        Assert.That(await hcn.TryGetNetworkAsync(GoldenCases.NetworkId, cancellationToken), Is.Null);
        Assert.That(await hcn.TryGetEndpointAsync(GoldenCases.EndpointId1, cancellationToken), Is.Null);
        Assert.That(await hcn.TryGetNamespaceAsync(GoldenCases.NamespaceId, cancellationToken), Is.Null);
        Assert.That(await hcn.TryGetLoadBalancerAsync(GoldenCases.EndpointId2, cancellationToken), Is.Null);
        Assert.That(await hcn.TryGetSdnRouteAsync(GoldenCases.EndpointId2, cancellationToken), Is.Null);
    }

    [Test]
    public void TryGet_OtherFailure_Throws()
    {
        var hcn = new ScriptedHcn { Failure = Denied };

        Assert.That(() => hcn.TryGetNamespaceAsync(GoldenCases.NamespaceId, CancellationToken.None), Throws.InstanceOf<HcnException>());
    }

    [Test]
    [CancelAfter(5000)]
    public async Task DeleteIfExists_ExistsOrNot_ReportsWhetherDeleted(CancellationToken cancellationToken)
    {
        var present = new ScriptedHcn();
        var gone = new ScriptedHcn { Failure = NotFound };

        Assert.That(await present.DeleteNetworkIfExistsAsync(GoldenCases.NetworkId, cancellationToken), Is.True);
        Assert.That(await present.DeleteEndpointIfExistsAsync(GoldenCases.EndpointId1, cancellationToken), Is.True);
        Assert.That(await present.DeleteNamespaceIfExistsAsync(GoldenCases.NamespaceId, cancellationToken), Is.True);
        Assert.That(await present.DeleteLoadBalancerIfExistsAsync(GoldenCases.EndpointId2, cancellationToken), Is.True);
        Assert.That(await present.DeleteSdnRouteIfExistsAsync(GoldenCases.EndpointId2, cancellationToken), Is.True);
        Assert.That(await gone.DeleteNetworkIfExistsAsync(GoldenCases.NetworkId, cancellationToken), Is.False);
        Assert.That(await gone.DeleteEndpointIfExistsAsync(GoldenCases.EndpointId1, cancellationToken), Is.False);
        Assert.That(await gone.DeleteNamespaceIfExistsAsync(GoldenCases.NamespaceId, cancellationToken), Is.False);
        Assert.That(await gone.DeleteLoadBalancerIfExistsAsync(GoldenCases.EndpointId2, cancellationToken), Is.False);
        Assert.That(await gone.DeleteSdnRouteIfExistsAsync(GoldenCases.EndpointId2, cancellationToken), Is.False);
    }

    [Test]
    public void DeleteIfExists_OtherFailure_Throws()
    {
        var hcn = new ScriptedHcn { Failure = Denied };

        Assert.That(() => hcn.DeleteEndpointIfExistsAsync(GoldenCases.EndpointId1, CancellationToken.None), Throws.InstanceOf<HcnException>());
    }

    [Test]
    [CancelAfter(5000)]
    public async Task FindNetworkByName_QueriesByNameAndChecksTheResult(CancellationToken cancellationToken)
    {
        var hcn = new ScriptedHcn { Networks = [new HostComputeNetwork { Name = "other" }, new HostComputeNetwork { Name = "CBR0", Id = GoldenCases.NetworkId }] };

        var network = await hcn.FindNetworkByNameAsync("cbr0", cancellationToken);

        Assert.That(network?.Id, Is.EqualTo(GoldenCases.NetworkId));
        Assert.That(hcn.Queries.Single()?.GetFilter().Name, Is.EqualTo("cbr0"));
        Assert.That(await hcn.FindNetworkByNameAsync("missing", cancellationToken), Is.Null);
    }

    [Test]
    [CancelAfter(5000)]
    public async Task FindEndpointsByName_ReturnsEveryMatch(CancellationToken cancellationToken)
    {
        var hcn = new ScriptedHcn
        {
            Endpoints = [new HostComputeEndpoint { Name = "c1_wincni" }, new HostComputeEndpoint { Name = "c2_wincni" }, new HostComputeEndpoint { Name = "c1_wincni" }],
        };

        Assert.That(await hcn.FindEndpointsByNameAsync("c1_wincni", cancellationToken), Has.Count.EqualTo(2));
    }

    [TestCase(unchecked((int)0x80070490))]
    [TestCase(unchecked((int)0x803B0002))]
    [TestCase(unchecked((int)0x803B0034))]
    [CancelAfter(5000)]
    public async Task TryRemoveNamespaceEndpoint_NothingToDetach_ReturnsFalse(int hresult, CancellationToken cancellationToken)
    {
        var hcn = new ScriptedHcn { Failure = new HcnException("HcnModifyNamespace", hresult) };

        Assert.That(await hcn.TryRemoveNamespaceEndpointAsync(GoldenCases.NamespaceId, GoldenCases.EndpointId1, cancellationToken), Is.False);
    }

    [Test]
    [CancelAfter(5000)]
    public async Task TryRemoveNamespaceEndpoint_Attached_ReturnsTrue(CancellationToken cancellationToken)
    {
        var hcn = new ScriptedHcn();

        Assert.That(await hcn.TryRemoveNamespaceEndpointAsync(GoldenCases.NamespaceId, GoldenCases.EndpointId1, cancellationToken), Is.True);
    }

    [Test]
    public void TryRemoveNamespaceEndpoint_OtherFailure_Throws()
    {
        var hcn = new ScriptedHcn { Failure = Denied };

        Assert.That(
            () => hcn.TryRemoveNamespaceEndpointAsync(GoldenCases.NamespaceId, GoldenCases.EndpointId1, CancellationToken.None),
            Throws.InstanceOf<HcnException>());
    }
}
