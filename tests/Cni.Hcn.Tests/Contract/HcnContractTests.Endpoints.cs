using Cni.Hcn.Errors;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Tests.Contract;

public abstract partial class HcnContractTests
{
    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task CreateEndpointAsync_IpInSubnet_AssignsIdMacAndNetwork(CancellationToken cancellationToken)
    {
        var net24 = NextSubnet();
        var network = await CreateL2BridgeAsync(net24, cancellationToken);

        var endpoint = await CreateEndpointAsync(network, net24 + ".10", cancellationToken);

        Assert.That(endpoint.Id, Is.Not.EqualTo(Guid.Empty));
        Assert.That(endpoint.HostComputeNetwork, Is.EqualTo(network.Id));
        Assert.That(endpoint.HostComputeNamespace, Is.EqualTo(Guid.Empty));
        Assert.That(endpoint.IpConfigurations?.Select(c => c.IpAddress), Is.EqualTo(new[] { net24 + ".10" }));
        Assert.That(endpoint.MacAddress, Does.Match("^([0-9A-Fa-f]{2}-){5}[0-9A-Fa-f]{2}$"));
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task GetEndpointAsync_AfterCreate_ReturnsTheEndpoint(CancellationToken cancellationToken)
    {
        var net24 = NextSubnet();
        var network = await CreateL2BridgeAsync(net24, cancellationToken);
        var created = await CreateEndpointAsync(network, net24 + ".11", cancellationToken, policies: HostPort(18080, 80));

        var read = await Hcn.GetEndpointAsync(created.Id, cancellationToken);

        Assert.That(read.Name, Is.EqualTo(created.Name));
        Assert.That(read.MacAddress, Is.EqualTo(created.MacAddress).IgnoreCase);
        Assert.That(read.Policies?.Select(p => p.GetSettings<PortMappingPolicySetting>()?.ExternalPort), Is.EqualTo(new ushort?[] { 18080 }));
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task CreateEndpointAsync_TwoEndpoints_GetDistinctIdsAndMacs(CancellationToken cancellationToken)
    {
        var net24 = NextSubnet();
        var network = await CreateL2BridgeAsync(net24, cancellationToken);

        var a = await CreateEndpointAsync(network, net24 + ".12", cancellationToken);
        var b = await CreateEndpointAsync(network, net24 + ".13", cancellationToken);

        Assert.That(b.Id, Is.Not.EqualTo(a.Id));
        Assert.That(b.MacAddress, Is.Not.EqualTo(a.MacAddress).IgnoreCase);
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task CreateEndpointAsync_IpOutsideSubnet_ThrowsInvalidIp(CancellationToken cancellationToken)
    {
        var network = await CreateL2BridgeAsync(NextSubnet(), cancellationToken);

        var ex = Assert.ThrowsAsync<HcnException>(() => CreateEndpointAsync(network, "198.51.100.7", cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.InvalidIp), ex.Message);
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task CreateEndpointAsync_IpAlreadyUsed_Throws(CancellationToken cancellationToken)
    {
        var net24 = NextSubnet();
        var network = await CreateL2BridgeAsync(net24, cancellationToken);
        await CreateEndpointAsync(network, net24 + ".14", cancellationToken);

        Assert.ThrowsAsync<HcnException>(() => CreateEndpointAsync(network, net24 + ".14", cancellationToken, name: NamePrefix + "-dup"));
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public void CreateEndpointAsync_UnknownNetwork_ThrowsNotFound(CancellationToken cancellationToken)
    {
        var ex = Assert.ThrowsAsync<HcnException>(() => Hcn.CreateEndpointAsync(
            Guid.NewGuid(), new HostComputeEndpoint { Name = NamePrefix + "-orphan" }, cancellationToken));

        Assert.That(ex!.IsNotFound, Is.True, ex.Message);
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task CreateEndpointAsync_NamespaceSet_ThrowsInvalidParameter(CancellationToken cancellationToken)
    {
        var net24 = NextSubnet();
        var network = await CreateL2BridgeAsync(net24, cancellationToken);

        var ex = Assert.ThrowsAsync<HcnException>(() => Hcn.CreateEndpointAsync(network.Id, new HostComputeEndpoint
        {
            Name = NamePrefix + "-ns",
            HostComputeNamespace = Guid.NewGuid(),
            IpConfigurations = [new IpConfig { IpAddress = net24 + ".15", PrefixLength = 24 }],
        }, cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.InvalidParameter), ex.Message);
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task CreateEndpointAsync_HostPortAlreadyMapped_ThrowsPortAlreadyExists(CancellationToken cancellationToken)
    {
        var net24 = NextSubnet();
        var network = await CreateL2BridgeAsync(net24, cancellationToken);
        await CreateEndpointAsync(network, net24 + ".16", cancellationToken, policies: HostPort(18081, 80));

        var ex = Assert.ThrowsAsync<HcnException>(() => CreateEndpointAsync(network, net24 + ".17", cancellationToken, policies: HostPort(18081, 8080)));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.PortAlreadyExists), ex.Message);
        Assert.That(ex.IsPortAlreadyExists, Is.True);
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task CreateEndpointAsync_UnknownPolicyType_ThrowsInvalidPolicyType(CancellationToken cancellationToken)
    {
        var net24 = NextSubnet();
        var network = await CreateL2BridgeAsync(net24, cancellationToken);
        var bogus = new EndpointPolicy { Type = EndpointPolicyType.FromValue("NoSuchPolicy"), Settings = new PortNamePolicySetting { Name = "x" } };

        var ex = Assert.ThrowsAsync<HcnException>(() => CreateEndpointAsync(network, net24 + ".18", cancellationToken, policies: bogus));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.InvalidPolicyType), ex.Message);
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public void GetEndpointAsync_UnknownId_ThrowsNotFound(CancellationToken cancellationToken)
    {
        var ex = Assert.ThrowsAsync<HcnException>(() => Hcn.GetEndpointAsync(Guid.NewGuid(), cancellationToken));

        Assert.That(ex!.IsNotFound, Is.True, ex.Message);
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task EnumerateEndpointsAsync_OfNetwork_ReturnsOnlyItsEndpoints(CancellationToken cancellationToken)
    {
        var netA = NextSubnet();
        var netB = NextSubnet();
        var a = await CreateL2BridgeAsync(netA, cancellationToken);
        var b = await CreateL2BridgeAsync(netB, cancellationToken);
        var a1 = await CreateEndpointAsync(a, netA + ".20", cancellationToken);
        var a2 = await CreateEndpointAsync(a, netA + ".21", cancellationToken);
        await CreateEndpointAsync(b, netB + ".20", cancellationToken);

        var found = await Hcn.EnumerateEndpointsAsync(HostComputeQuery.EndpointsOfNetwork(a.Id), cancellationToken);

        Assert.That(found.Select(e => e.Id), Is.EquivalentTo(new[] { a1.Id, a2.Id }));
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task EnumerateEndpointsAsync_ByName_ReturnsTheMatch(CancellationToken cancellationToken)
    {
        var net24 = NextSubnet();
        var network = await CreateL2BridgeAsync(net24, cancellationToken);
        var wanted = await CreateEndpointAsync(network, net24 + ".22", cancellationToken, name: NamePrefix + "-pod_eth0");
        await CreateEndpointAsync(network, net24 + ".23", cancellationToken);

        var found = await Hcn.EnumerateEndpointsAsync(HostComputeQuery.ByName(NamePrefix + "-pod_eth0"), cancellationToken);

        Assert.That(found.Select(e => e.Id), Is.EqualTo(new[] { wanted.Id }));
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task AddEndpointPoliciesAsync_PortMapping_IsReportedAndRemovable(CancellationToken cancellationToken)
    {
        var net24 = NextSubnet();
        var network = await CreateL2BridgeAsync(net24, cancellationToken);
        var endpoint = await CreateEndpointAsync(network, net24 + ".24", cancellationToken);

        var added = await Hcn.AddEndpointPoliciesAsync(endpoint.Id, [HostPort(18082, 80)], cancellationToken);
        var removed = await Hcn.RemoveEndpointPoliciesAsync(endpoint.Id, [HostPort(18082, 80)], cancellationToken);

        Assert.That(added.Policies?.Select(p => p.Type), Is.EqualTo(new[] { EndpointPolicyType.PortMapping }));
        Assert.That(removed.Policies ?? [], Is.Empty);
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task AddEndpointPoliciesAsync_HostPortOfAnotherEndpoint_ThrowsPortAlreadyExists(CancellationToken cancellationToken)
    {
        var net24 = NextSubnet();
        var network = await CreateL2BridgeAsync(net24, cancellationToken);
        await CreateEndpointAsync(network, net24 + ".25", cancellationToken, policies: HostPort(18083, 80));
        var other = await CreateEndpointAsync(network, net24 + ".26", cancellationToken);

        var ex = Assert.ThrowsAsync<HcnException>(() => Hcn.AddEndpointPoliciesAsync(other.Id, [HostPort(18083, 81)], cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.PortAlreadyExists), ex.Message);
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task DeleteEndpointAsync_Existing_RemovesIt(CancellationToken cancellationToken)
    {
        var net24 = NextSubnet();
        var network = await CreateL2BridgeAsync(net24, cancellationToken);
        var endpoint = await CreateEndpointAsync(network, net24 + ".27", cancellationToken);

        await Hcn.DeleteEndpointAsync(endpoint.Id, cancellationToken);

        Assert.That(await Hcn.EnumerateEndpointsAsync(HostComputeQuery.ById(endpoint.Id), cancellationToken), Is.Empty);
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task DeleteEndpointAsync_Existing_FreesItsIpAndHostPort(CancellationToken cancellationToken)
    {
        var net24 = NextSubnet();
        var network = await CreateL2BridgeAsync(net24, cancellationToken);
        var endpoint = await CreateEndpointAsync(network, net24 + ".28", cancellationToken, policies: HostPort(18084, 80));
        await Hcn.DeleteEndpointAsync(endpoint.Id, cancellationToken);

        var again = await CreateEndpointAsync(network, net24 + ".28", cancellationToken, name: NamePrefix + "-again", policies: HostPort(18084, 80));

        Assert.That(again.Id, Is.Not.EqualTo(endpoint.Id));
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public void DeleteEndpointAsync_UnknownId_ThrowsNotFound(CancellationToken cancellationToken)
    {
        var ex = Assert.ThrowsAsync<HcnException>(() => Hcn.DeleteEndpointAsync(Guid.NewGuid(), cancellationToken));

        Assert.That(ex!.IsNotFound, Is.True, ex.Message);
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task CreateEndpointAsync_ManyConcurrently_AllSucceedWithDistinctIdsAndMacs(CancellationToken cancellationToken)
    {
        var net24 = NextSubnet();
        var network = await CreateL2BridgeAsync(net24, cancellationToken);

        var endpoints = await Task.WhenAll(Enumerable.Range(100, 32).Select(host =>
            Task.Run(() => CreateEndpointAsync(network, $"{net24}.{host}", cancellationToken), cancellationToken)));

        Assert.That(endpoints.Select(e => e.Id).Distinct().Count(), Is.EqualTo(32));
        Assert.That(endpoints.Select(e => e.MacAddress!.ToUpperInvariant()).Distinct().Count(), Is.EqualTo(32));
        var listed = await Hcn.EnumerateEndpointsAsync(HostComputeQuery.EndpointsOfNetwork(network.Id), cancellationToken);
        Assert.That(listed, Has.Count.EqualTo(32));
    }
}
