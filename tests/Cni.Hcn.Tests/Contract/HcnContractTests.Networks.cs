using Cni.Hcn.Errors;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;
using Cni.Hcn.Model.Requests;

namespace Cni.Hcn.Tests.Contract;

public abstract partial class HcnContractTests
{
    private static RemoteSubnetRoutePolicySetting RemoteSubnet(string prefix, string providerAddress) => new()
    {
        DestinationPrefix = prefix,
        IsolationId = 4096,
        ProviderAddress = providerAddress,
        DistributedRouterMacAddress = "01-02-03-04-05-06",
    };

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task CreateNetworkAsync_L2BridgeWithSubnet_AssignsIdAndKeepsSettings(CancellationToken cancellationToken)
    {
        var net24 = NextSubnet();

        var network = await CreateL2BridgeAsync(net24, cancellationToken);

        Assert.That(network.Id, Is.Not.EqualTo(Guid.Empty));
        Assert.That(network.Name, Does.StartWith(NamePrefix));
        Assert.That(network.Type, Is.EqualTo(NetworkType.L2Bridge));
        Assert.That(network.Ipams?.SelectMany(i => i.Subnets ?? []).Select(s => s.IpAddressPrefix), Is.EqualTo(new[] { net24 + ".0/24" }));
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task GetNetworkAsync_AfterCreate_ReturnsTheNetwork(CancellationToken cancellationToken)
    {
        var created = await CreateL2BridgeAsync(NextSubnet(), cancellationToken);

        var read = await Hcn.GetNetworkAsync(created.Id, cancellationToken);

        Assert.That(read.Id, Is.EqualTo(created.Id));
        Assert.That(read.Name, Is.EqualTo(created.Name));
        Assert.That(read.Type, Is.EqualTo(NetworkType.L2Bridge));
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public void GetNetworkAsync_UnknownId_ThrowsNotFound(CancellationToken cancellationToken)
    {
        var ex = Assert.ThrowsAsync<HcnException>(() => Hcn.GetNetworkAsync(Guid.NewGuid(), cancellationToken));

        Assert.That(ex!.IsNotFound, Is.True, ex.Message);
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task EnumerateNetworksAsync_ByName_ReturnsOnlyThatNetwork(CancellationToken cancellationToken)
    {
        var first = await CreateL2BridgeAsync(NextSubnet(), cancellationToken);
        await CreateL2BridgeAsync(NextSubnet(), cancellationToken);

        var found = await Hcn.EnumerateNetworksAsync(HostComputeQuery.ByName(first.Name!), cancellationToken);

        Assert.That(found.Select(n => n.Id), Is.EqualTo(new[] { first.Id }));
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task EnumerateNetworksAsync_NoQuery_IncludesCreatedNetworks(CancellationToken cancellationToken)
    {
        var first = await CreateL2BridgeAsync(NextSubnet(), cancellationToken);
        var second = await CreateL2BridgeAsync(NextSubnet(), cancellationToken);

        var all = await Hcn.EnumerateNetworksAsync(null, cancellationToken);

        Assert.That(all.Select(n => n.Id), Is.SupersetOf(new[] { first.Id, second.Id }));
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task EnumerateNetworksAsync_UnknownName_ReturnsEmpty(CancellationToken cancellationToken)
    {
        var found = await Hcn.EnumerateNetworksAsync(HostComputeQuery.ByName(NamePrefix + "-nope"), cancellationToken);

        Assert.That(found, Is.Empty);
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task CreateNetworkAsync_NameInUse_ThrowsNetworkAlreadyExists(CancellationToken cancellationToken)
    {
        var first = await CreateL2BridgeAsync(NextSubnet(), cancellationToken);

        var ex = Assert.ThrowsAsync<HcnException>(() => CreateL2BridgeAsync(NextSubnet(), cancellationToken, first.Name));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.NetworkAlreadyExists), ex.Message);
        Assert.That(ex.IsAlreadyExists, Is.True);
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public void CreateNetworkAsync_UnknownType_ThrowsInvalidNetworkType(CancellationToken cancellationToken)
    {
        var ex = Assert.ThrowsAsync<HcnException>(() => Hcn.CreateNetworkAsync(
            new HostComputeNetwork { Name = NamePrefix + "-bad", Type = NetworkType.FromValue("NoSuchType") }, cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.InvalidNetworkType), ex.Message);
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task DeleteNetworkAsync_Existing_RemovesIt(CancellationToken cancellationToken)
    {
        var network = await CreateL2BridgeAsync(NextSubnet(), cancellationToken);

        await Hcn.DeleteNetworkAsync(network.Id, cancellationToken);

        var ex = Assert.ThrowsAsync<HcnException>(() => Hcn.GetNetworkAsync(network.Id, cancellationToken));
        Assert.That(ex!.IsNotFound, Is.True);
        Assert.That(await Hcn.EnumerateNetworksAsync(HostComputeQuery.ById(network.Id), cancellationToken), Is.Empty);
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public void DeleteNetworkAsync_UnknownId_ThrowsNotFound(CancellationToken cancellationToken)
    {
        var ex = Assert.ThrowsAsync<HcnException>(() => Hcn.DeleteNetworkAsync(Guid.NewGuid(), cancellationToken));

        Assert.That(ex!.IsNotFound, Is.True, ex.Message);
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task DeleteNetworkAsync_WithEndpoints_DeletesThemToo(CancellationToken cancellationToken)
    {
        var net24 = NextSubnet();
        var network = await CreateL2BridgeAsync(net24, cancellationToken);
        var endpoint = await CreateEndpointAsync(network, net24 + ".10", cancellationToken);

        await Hcn.DeleteNetworkAsync(network.Id, cancellationToken);

        var ex = Assert.ThrowsAsync<HcnException>(() => Hcn.GetEndpointAsync(endpoint.Id, cancellationToken));
        Assert.That(ex!.IsNotFound, Is.True);
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task AddNetworkPoliciesAsync_RemoteSubnetRouteOnOverlay_IsReported(CancellationToken cancellationToken)
    {
        var network = await CreateOverlayAsync(NextSubnet(), cancellationToken);
        var route = RemoteSubnet("10.250.3.0/24", "192.0.2.11");

        var modified = await Hcn.AddNetworkPoliciesAsync(network.Id, [NetworkPolicy.Create(route)], cancellationToken);
        var read = await Hcn.GetNetworkAsync(network.Id, cancellationToken);

        foreach (var seen in new[] { modified, read })
        {
            var routes = (seen.Policies ?? []).Select(p => p.GetSettings<RemoteSubnetRoutePolicySetting>()).OfType<RemoteSubnetRoutePolicySetting>().ToList();
            Assert.That(routes, Has.Count.EqualTo(1));
            Assert.That(routes[0].DestinationPrefix, Is.EqualTo("10.250.3.0/24"));
            Assert.That(routes[0].ProviderAddress, Is.EqualTo("192.0.2.11"));
            Assert.That(routes[0].IsolationId, Is.EqualTo(4096));
        }
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task AddNetworkPoliciesAsync_SameRemoteSubnetRouteTwice_ThrowsPolicyAlreadyExists(CancellationToken cancellationToken)
    {
        var network = await CreateOverlayAsync(NextSubnet(), cancellationToken);
        var policy = NetworkPolicy.Create(RemoteSubnet("10.250.4.0/24", "192.0.2.12"));
        await Hcn.AddNetworkPoliciesAsync(network.Id, [policy], cancellationToken);

        var ex = Assert.ThrowsAsync<HcnException>(() => Hcn.AddNetworkPoliciesAsync(network.Id, [policy], cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.PolicyAlreadyExists), ex.Message);
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task RemoveNetworkPoliciesAsync_ExistingRemoteSubnetRoute_RemovesOnlyIt(CancellationToken cancellationToken)
    {
        var network = await CreateOverlayAsync(NextSubnet(), cancellationToken);
        var keep = NetworkPolicy.Create(RemoteSubnet("10.250.5.0/24", "192.0.2.13"));
        var drop = NetworkPolicy.Create(RemoteSubnet("10.250.6.0/24", "192.0.2.14"));
        await Hcn.AddNetworkPoliciesAsync(network.Id, [keep, drop], cancellationToken);

        var modified = await Hcn.RemoveNetworkPoliciesAsync(network.Id, [drop], cancellationToken);

        var prefixes = (modified.Policies ?? []).Select(p => p.GetSettings<RemoteSubnetRoutePolicySetting>()?.DestinationPrefix).OfType<string>();
        Assert.That(prefixes, Is.EqualTo(new[] { "10.250.5.0/24" }));
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task RemoveNetworkPoliciesAsync_PolicyNotPresent_ThrowsPolicyNotFound(CancellationToken cancellationToken)
    {
        var network = await CreateOverlayAsync(NextSubnet(), cancellationToken);

        var ex = Assert.ThrowsAsync<HcnException>(() => Hcn.RemoveNetworkPoliciesAsync(
            network.Id, [NetworkPolicy.Create(RemoteSubnet("10.250.7.0/24", "192.0.2.15"))], cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.PolicyNotFound), ex.Message);
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task AddNetworkPoliciesAsync_HostRoute_IsReported(CancellationToken cancellationToken)
    {
        var network = await CreateOverlayAsync(NextSubnet(), cancellationToken);

        var modified = await Hcn.AddNetworkPoliciesAsync(network.Id, [NetworkPolicy.Create(new HostRoutePolicySetting())], cancellationToken);

        Assert.That(modified.Policies?.Select(p => p.Type), Does.Contain(NetworkPolicyType.HostRoute));
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task AddNetworkPoliciesAsync_UnknownPolicyType_ThrowsInvalidPolicyType(CancellationToken cancellationToken)
    {
        var network = await CreateOverlayAsync(NextSubnet(), cancellationToken);
        var bogus = new NetworkPolicy { Type = NetworkPolicyType.FromValue("NoSuchPolicy"), Settings = new HostRoutePolicySetting() };

        var ex = Assert.ThrowsAsync<HcnException>(() => Hcn.AddNetworkPoliciesAsync(network.Id, [bogus], cancellationToken));

        Assert.That(ex!.HResult, Is.EqualTo(HcnErrorCodes.InvalidPolicyType), ex.Message);
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public void ModifyNetworkAsync_UnknownNetwork_ThrowsNotFound(CancellationToken cancellationToken)
    {
        var request = ModifyNetworkSettingRequest.ForPolicies(RequestType.Add, [NetworkPolicy.Create(new HostRoutePolicySetting())]);

        var ex = Assert.ThrowsAsync<HcnException>(() => Hcn.ModifyNetworkAsync(Guid.NewGuid(), request, cancellationToken));

        Assert.That(ex!.IsNotFound, Is.True, ex.Message);
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task ModifyNetworkAsync_DnsUpdate_IsReported(CancellationToken cancellationToken)
    {
        var network = await CreateL2BridgeAsync(NextSubnet(), cancellationToken);

        var modified = await Hcn.ModifyNetworkAsync(
            network.Id, ModifyNetworkSettingRequest.ForDns(new Dns { ServerList = ["10.96.0.10"], Search = ["svc.cluster.local"] }), cancellationToken);

        Assert.That(modified.Dns?.ServerList, Is.EqualTo(new[] { "10.96.0.10" }));
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task CreateNetworkAsync_CancelledToken_ThrowsCancellationAndCreatesNothing(CancellationToken cancellationToken)
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var name = NamePrefix + "-cancelled";

        Assert.CatchAsync<OperationCanceledException>(() => Hcn.CreateNetworkAsync(
            new HostComputeNetwork { Name = name, Type = NetworkType.L2Bridge, Ipams = [StaticIpam(NextSubnet())] }, cancelled.Token));

        Assert.That(await Hcn.EnumerateNetworksAsync(HostComputeQuery.ByName(name), cancellationToken), Is.Empty);
    }
}
