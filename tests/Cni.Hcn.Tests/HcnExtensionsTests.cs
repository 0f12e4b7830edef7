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
    public async Task DeleteIfExists_ExistsOrNot_ReportsWhetherDeleted(CancellationToken cancellationToken)
    {
        var present = new ScriptedHcn();
        var gone = new ScriptedHcn { Failure = NotFound };

        Assert.That(await present.DeleteEndpointIfExistsAsync(GoldenCases.EndpointId1, cancellationToken), Is.True);
        Assert.That(await present.DeleteSdnRouteIfExistsAsync(GoldenCases.EndpointId2, cancellationToken), Is.True);
        Assert.That(await gone.DeleteEndpointIfExistsAsync(GoldenCases.EndpointId1, cancellationToken), Is.False);
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
}
