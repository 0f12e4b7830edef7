using Cni.Hcn.Errors;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Tests.Contract;

public abstract partial class HcnContractTests
{
    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task CreateSdnRouteAsync_ForAnEndpoint_AssignsIdAndKeepsRoutes(CancellationToken cancellationToken)
    {
        var net24 = NextSubnet();
        var network = await CreateL2BridgeAsync(net24, cancellationToken);
        var endpoint = await CreateEndpointAsync(network, net24 + ".50", cancellationToken);

        var route = await CreateSdnRouteAsync(new HostComputeRoute
        {
            HostComputeEndpoints = [endpoint.Id],
            Routes = [new SdnRoutePolicySetting { DestinationPrefix = "169.254.169.254/32", NextHop = net24 + ".1" }],
        }, cancellationToken);
        var read = await Hcn.GetSdnRouteAsync(route.Id, cancellationToken);

        Assert.That(route.Id, Is.Not.EqualTo(Guid.Empty));
        Assert.That(read.HostComputeEndpoints, Is.EqualTo(new[] { endpoint.Id }));
        Assert.That(read.Routes?.Select(r => r.DestinationPrefix), Is.EqualTo(new[] { "169.254.169.254/32" }));
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public void CreateSdnRouteAsync_NoEndpoints_ThrowsInvalidParameter(CancellationToken cancellationToken)
    {
        var ex = Assert.ThrowsAsync<HcnException>(() => CreateSdnRouteAsync(new HostComputeRoute
        {
            Routes = [new SdnRoutePolicySetting { DestinationPrefix = "169.254.169.254/32" }],
        }, cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.InvalidParameter), ex.Message);
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task DeleteSdnRouteAsync_Existing_RemovesIt(CancellationToken cancellationToken)
    {
        var net24 = NextSubnet();
        var network = await CreateL2BridgeAsync(net24, cancellationToken);
        var endpoint = await CreateEndpointAsync(network, net24 + ".51", cancellationToken);
        var route = await CreateSdnRouteAsync(new HostComputeRoute
        {
            HostComputeEndpoints = [endpoint.Id],
            Routes = [new SdnRoutePolicySetting { DestinationPrefix = "169.254.169.254/32", NextHop = net24 + ".1" }],
        }, cancellationToken);

        await Hcn.DeleteSdnRouteAsync(route.Id, cancellationToken);

        var ex = Assert.ThrowsAsync<HcnException>(() => Hcn.GetSdnRouteAsync(route.Id, cancellationToken));
        Assert.That(ex!.IsNotFound, Is.True);
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public void DeleteSdnRouteAsync_UnknownId_ThrowsNotFound(CancellationToken cancellationToken)
    {
        var ex = Assert.ThrowsAsync<HcnException>(() => Hcn.DeleteSdnRouteAsync(Guid.NewGuid(), cancellationToken));

        Assert.That(ex!.IsNotFound, Is.True, ex.Message);
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task GetVersionAsync_Always_ReportsAVersionWithV2Api(CancellationToken cancellationToken)
    {
        var version = await Hcn.GetVersionAsync(cancellationToken);
        var features = await Hcn.GetFeaturesAsync(cancellationToken);

        Assert.That(version.Major, Is.GreaterThanOrEqualTo(9u));
        Assert.That(features.ApiV2, Is.True);
    }
}
