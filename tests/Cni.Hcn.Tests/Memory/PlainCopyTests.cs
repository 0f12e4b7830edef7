using Cni.Hcn.Json;
using Cni.Hcn.Memory;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Tests.Memory;

[TestFixture]
public sealed class PlainCopyTests
{
    private static readonly HostComputeLoadBalancer LoadBalancer = new()
    {
        Id = Guid.NewGuid(),
        HostComputeEndpoints = [Guid.NewGuid(), Guid.NewGuid()],
        SourceVip = "10.244.1.254",
        FrontendVips = ["10.96.0.10"],
        PortMappings = [new LoadBalancerPortMapping { Protocol = ProtocolType.Udp, InternalPort = 53, ExternalPort = 53, DistributionType = LoadBalancerDistribution.SourceIPProtocol, Flags = LoadBalancerPortMappingFlags.EnableInternalLoadBalancer }],
        HostComputeNetwork = Guid.NewGuid(),
        Flags = LoadBalancerFlags.EnableDirectServerReturn,
    };

    private static readonly HostComputeEndpoint RemoteEndpoint = new()
    {
        Id = Guid.NewGuid(),
        Name = "remote",
        HostComputeNetwork = Guid.NewGuid(),
        IpConfigurations = [new IpConfig { IpAddress = "10.244.2.7", PrefixLength = 24 }],
        Routes = [new Route { NextHop = "10.244.2.1", DestinationPrefix = "0.0.0.0/0", Metric = 5 }],
        MacAddress = "00-15-5D-00-00-01",
        Flags = EndpointFlags.RemoteEndpoint,
    };

    [Test]
    public void TryCopy_LoadBalancer_SameDocumentAsTheJsonRoundTrip()
    {
        Assert.That(PlainCopy.TryCopy(LoadBalancer, out var copy), Is.True);
        Assert.That(HcnJson.Serialize(copy), Is.EqualTo(HcnJson.Serialize(HcnJson.Deserialize<HostComputeLoadBalancer>(HcnJson.Serialize(LoadBalancer)))));
    }

    [Test]
    public void TryCopy_EndpointWithoutPolicies_SameDocumentAsTheJsonRoundTrip()
    {
        Assert.That(PlainCopy.TryCopy(RemoteEndpoint, out var copy), Is.True);
        Assert.That(HcnJson.Serialize(copy), Is.EqualTo(HcnJson.Serialize(HcnJson.Deserialize<HostComputeEndpoint>(HcnJson.Serialize(RemoteEndpoint)))));
    }

    [Test]
    public void TryCopy_EndpointWithPolicies_LeftToJson()
    {
        var withPolicy = RemoteEndpoint with { Policies = [EndpointPolicy.Create(new ProviderAddressPolicySetting { ProviderAddress = "192.0.2.2" })] };

        Assert.That(PlainCopy.TryCopy(withPolicy, out HostComputeEndpoint _), Is.False);
        Assert.That(PlainCopy.TryCopy(new HostComputeNetwork { Name = "n" }, out HostComputeNetwork _), Is.False);
    }

    [Test]
    public void TryCopy_CallerChangesTheListItPassed_CopyUnchanged()
    {
        var backends = new List<Guid> { Guid.NewGuid() };
        var input = LoadBalancer with { HostComputeEndpoints = backends };

        PlainCopy.TryCopy(input, out var copy);
        backends.Add(Guid.NewGuid());

        Assert.That(copy.HostComputeEndpoints, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task CreateLoadBalancerAsync_CallerChangesItsListAfterwards_StoredObjectUnchanged()
    {
        var hcn = new MemoryHcn(new MemoryHcnOptions { AcceptLoadBalancersWithoutBackends = true });
        var vips = new List<string> { "10.96.0.10" };
        var created = await hcn.CreateLoadBalancerAsync(new HostComputeLoadBalancer
        {
            FrontendVips = vips,
            PortMappings = [new LoadBalancerPortMapping { Protocol = ProtocolType.Tcp, InternalPort = 80, ExternalPort = 80 }],
        }, CancellationToken.None);
        vips[0] = "10.96.0.99";

        var read = await hcn.GetLoadBalancerAsync(created.Id, CancellationToken.None);
        Assert.That(read.FrontendVips, Is.EqualTo(new[] { "10.96.0.10" }));
        Assert.That(read, Is.Not.SameAs(created), "every read hands out its own copy");
    }
}
