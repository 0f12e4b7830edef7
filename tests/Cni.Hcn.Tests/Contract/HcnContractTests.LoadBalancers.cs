using Cni.Hcn.Errors;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Tests.Contract;

public abstract partial class HcnContractTests
{
    private async Task<(HostComputeEndpoint A, HostComputeEndpoint B)> TwoBackendsAsync(CancellationToken cancellationToken)
    {
        var net24 = NextSubnet();
        var network = await CreateL2BridgeAsync(net24, cancellationToken);
        var a = await CreateEndpointAsync(network, net24 + ".40", cancellationToken);
        var b = await CreateEndpointAsync(network, net24 + ".41", cancellationToken);
        return (a, b);
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task CreateLoadBalancerAsync_ClusterIp_AssignsIdAndKeepsSettings(CancellationToken cancellationToken)
    {
        var (a, b) = await TwoBackendsAsync(cancellationToken);

        var lb = await CreateLoadBalancerAsync(new HostComputeLoadBalancer
        {
            HostComputeEndpoints = [a.Id, b.Id],
            FrontendVips = ["10.96.77.20"],
            PortMappings = [Tcp(80, 8080)],
        }, cancellationToken);
        var read = await Hcn.GetLoadBalancerAsync(lb.Id, cancellationToken);

        Assert.That(lb.Id, Is.Not.EqualTo(Guid.Empty));
        Assert.That(read.HostComputeEndpoints, Is.EquivalentTo(new[] { a.Id, b.Id }));
        Assert.That(read.FrontendVips, Is.EqualTo(new[] { "10.96.77.20" }));
        Assert.That(read.PortMappings?.Select(m => (m.Protocol, m.ExternalPort, m.InternalPort)),
            Is.EqualTo(new[] { (ProtocolType.Tcp, (ushort)80, (ushort)8080) }));
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task CreateLoadBalancerAsync_FrontendInUse_ThrowsPortAlreadyExists(CancellationToken cancellationToken)
    {
        var (a, b) = await TwoBackendsAsync(cancellationToken);
        await CreateLoadBalancerAsync(new HostComputeLoadBalancer
        {
            HostComputeEndpoints = [a.Id], FrontendVips = ["10.96.77.21"], PortMappings = [Tcp(80, 8080)],
        }, cancellationToken);

        var ex = Assert.ThrowsAsync<HcnException>(() => CreateLoadBalancerAsync(new HostComputeLoadBalancer
        {
            HostComputeEndpoints = [b.Id], FrontendVips = ["10.96.77.21"], PortMappings = [Tcp(80, 9090)],
        }, cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.PortAlreadyExists), ex.Message);
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task CreateLoadBalancerAsync_SameVipOtherPort_Succeeds(CancellationToken cancellationToken)
    {
        var (a, _) = await TwoBackendsAsync(cancellationToken);
        await CreateLoadBalancerAsync(new HostComputeLoadBalancer
        {
            HostComputeEndpoints = [a.Id], FrontendVips = ["10.96.77.22"], PortMappings = [Tcp(80, 8080)],
        }, cancellationToken);

        var second = await CreateLoadBalancerAsync(new HostComputeLoadBalancer
        {
            HostComputeEndpoints = [a.Id], FrontendVips = ["10.96.77.22"], PortMappings = [Tcp(443, 8443)],
        }, cancellationToken);

        Assert.That(second.Id, Is.Not.EqualTo(Guid.Empty));
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task CreateLoadBalancerAsync_NodePortInUse_ThrowsPortAlreadyExists(CancellationToken cancellationToken)
    {
        var (a, b) = await TwoBackendsAsync(cancellationToken);
        var nodePort = new LoadBalancerPortMapping
        {
            Protocol = ProtocolType.Udp, ExternalPort = 30053, InternalPort = 53,
            Flags = LoadBalancerPortMappingFlags.LocalRoutedVip | LoadBalancerPortMappingFlags.VipExternalIP,
        };
        await CreateLoadBalancerAsync(new HostComputeLoadBalancer { HostComputeEndpoints = [a.Id], PortMappings = [nodePort] }, cancellationToken);

        var ex = Assert.ThrowsAsync<HcnException>(() => CreateLoadBalancerAsync(
            new HostComputeLoadBalancer { HostComputeEndpoints = [b.Id], PortMappings = [nodePort] }, cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.PortAlreadyExists), ex.Message);
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public void CreateLoadBalancerAsync_UnknownBackend_ThrowsNotFound(CancellationToken cancellationToken)
    {
        var ex = Assert.ThrowsAsync<HcnException>(() => CreateLoadBalancerAsync(new HostComputeLoadBalancer
        {
            HostComputeEndpoints = [Guid.NewGuid()], FrontendVips = ["10.96.77.23"], PortMappings = [Tcp(80, 8080)],
        }, cancellationToken));

        Assert.That(ex!.IsNotFound, Is.True, ex.Message);
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task ModifyLoadBalancerAsync_NewBackends_ReplacesThemOrIsNotImplemented(CancellationToken cancellationToken)
    {
        var (a, b) = await TwoBackendsAsync(cancellationToken);
        var lb = await CreateLoadBalancerAsync(new HostComputeLoadBalancer
        {
            HostComputeEndpoints = [a.Id], FrontendVips = ["10.96.77.24"], PortMappings = [Tcp(80, 8080)],
        }, cancellationToken);
        var features = await Hcn.GetFeaturesAsync(cancellationToken);

        var change = lb with { HostComputeEndpoints = [b.Id] };
        if (features.ModifyLoadBalancer)
        {
            var modified = await Hcn.ModifyLoadBalancerAsync(lb.Id, change, cancellationToken);
            Assert.That(modified.Id, Is.EqualTo(lb.Id));
            Assert.That((await Hcn.GetLoadBalancerAsync(lb.Id, cancellationToken)).HostComputeEndpoints, Is.EqualTo(new[] { b.Id }));
        }
        else
        {
            var ex = Assert.ThrowsAsync<HcnException>(() => Hcn.ModifyLoadBalancerAsync(lb.Id, change, cancellationToken));
            Assert.That(ex!.IsNotImplemented, Is.True, ex.Message);
        }
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task DeleteLoadBalancerAsync_Existing_FreesItsFrontend(CancellationToken cancellationToken)
    {
        var (a, _) = await TwoBackendsAsync(cancellationToken);
        var template = new HostComputeLoadBalancer { HostComputeEndpoints = [a.Id], FrontendVips = ["10.96.77.25"], PortMappings = [Tcp(80, 8080)] };
        var first = await CreateLoadBalancerAsync(template, cancellationToken);

        await Hcn.DeleteLoadBalancerAsync(first.Id, cancellationToken);
        var second = await CreateLoadBalancerAsync(template, cancellationToken);

        Assert.That(second.Id, Is.Not.EqualTo(first.Id));
        Assert.That(await Hcn.EnumerateLoadBalancersAsync(HostComputeQuery.ById(first.Id), cancellationToken), Is.Empty);
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task EnumerateLoadBalancersAsync_ById_ReturnsIt(CancellationToken cancellationToken)
    {
        var (a, _) = await TwoBackendsAsync(cancellationToken);
        var lb = await CreateLoadBalancerAsync(new HostComputeLoadBalancer
        {
            HostComputeEndpoints = [a.Id], FrontendVips = ["10.96.77.26"], PortMappings = [Tcp(80, 8080)],
        }, cancellationToken);

        var found = await Hcn.EnumerateLoadBalancersAsync(HostComputeQuery.ById(lb.Id), cancellationToken);

        Assert.That(found.Select(l => l.Id), Is.EqualTo(new[] { lb.Id }));
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public void GetLoadBalancerAsync_UnknownId_ThrowsNotFound(CancellationToken cancellationToken)
    {
        var ex = Assert.ThrowsAsync<HcnException>(() => Hcn.GetLoadBalancerAsync(Guid.NewGuid(), cancellationToken));

        Assert.That(ex!.IsNotFound, Is.True, ex.Message);
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public void DeleteLoadBalancerAsync_UnknownId_ThrowsNotFound(CancellationToken cancellationToken)
    {
        var ex = Assert.ThrowsAsync<HcnException>(() => Hcn.DeleteLoadBalancerAsync(Guid.NewGuid(), cancellationToken));

        Assert.That(ex!.IsNotFound, Is.True, ex.Message);
    }
}
