using System.Net;
using Cni.Hcn.Kernel.Conntrack;
using Cni.Hcn.Kernel.Nftables;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Kernel.Tests.Conntrack;

/// <summary>Which conntrack entries a load-balancer change leaves stale (kube-proxy's rules), from the renderings.</summary>
[TestFixture]
public sealed class StaleFlowsTests
{
    private static readonly Guid A = Guid.NewGuid();
    private static readonly Guid B = Guid.NewGuid();
    private static readonly Dictionary<Guid, IPAddress> Addresses = new()
    {
        [A] = IPAddress.Parse("10.201.1.10"),
        [B] = IPAddress.Parse("10.201.1.12"),
    };

    [Test]
    public void Between_UdpBackendRemoved_FilterForVipWithThatBackendOnly()
    {
        var filters = StaleFlows.Between(Render(ProtocolType.Udp, A, B), Render(ProtocolType.Udp, B));

        Assert.That(filters, Has.Count.EqualTo(1));
        Assert.That(filters[0].Protocol, Is.EqualTo(17));
        Assert.That(filters[0].Destination, Is.EqualTo(IPAddress.Parse("10.96.0.60")));
        Assert.That(filters[0].Port, Is.EqualTo(53));
        Assert.That(filters[0].ReplySources, Is.EquivalentTo(new[] { new IPEndPoint(Addresses[A], 5353) }));
    }

    [Test]
    public void Between_TcpBackendRemoved_NoFilter()
    {
        Assert.That(StaleFlows.Between(Render(ProtocolType.Tcp, A, B), Render(ProtocolType.Tcp, B)), Is.Empty);
        Assert.That(StaleFlows.Between(Render(ProtocolType.Tcp, A, B), null), Is.Empty);
    }

    [Test]
    public void Between_LoadBalancerDeleted_FilterWithEveryBackend()
    {
        var filters = StaleFlows.Between(Render(ProtocolType.Udp, A, B), null);

        Assert.That(filters.Single().ReplySources, Has.Count.EqualTo(2));
    }

    [Test]
    public void Between_FirstBackendArrives_FilterForAnyReplySource()
    {
        var filters = StaleFlows.Between(Render(ProtocolType.Udp), Render(ProtocolType.Udp, A));

        Assert.That(filters.Single().ReplySources, Is.Null);
        Assert.That(filters.Single().Destination, Is.EqualTo(IPAddress.Parse("10.96.0.60")));
    }

    [Test]
    public void Between_NewLoadBalancerWithBackends_FilterForAnyReplySource()
    {
        Assert.That(StaleFlows.Between(null, Render(ProtocolType.Udp, A)).Single().ReplySources, Is.Null);
    }

    [Test]
    public void Between_BackendAddedOrUnchanged_NoFilter()
    {
        Assert.That(StaleFlows.Between(Render(ProtocolType.Udp, A), Render(ProtocolType.Udp, A, B)), Is.Empty);
        Assert.That(StaleFlows.Between(Render(ProtocolType.Udp, A, B), Render(ProtocolType.Udp, A, B)), Is.Empty);
    }

    [Test]
    public void Between_NodePortBackendRemoved_FilterWithoutDestination()
    {
        var filters = StaleFlows.Between(Render(ProtocolType.Udp, [A, B], vip: null), Render(ProtocolType.Udp, [B], vip: null));

        Assert.That(filters.Single().Destination, Is.Null);
        Assert.That(filters.Single().Port, Is.EqualTo(53));
    }

    private static LoadBalancerRendering? Render(ProtocolType protocol, params Guid[] backends) => Render(protocol, backends, "10.96.0.60");

    private static LoadBalancerRendering? Render(ProtocolType protocol, Guid[] backends, string? vip) => ServiceRenderer.Render(
        new HostComputeLoadBalancer
        {
            Id = Guid.NewGuid(),
            HostComputeEndpoints = backends,
            FrontendVips = vip is null ? [] : [vip],
            PortMappings = [new LoadBalancerPortMapping { Protocol = protocol, ExternalPort = 53, InternalPort = 5353 }],
        },
        id => Addresses.GetValueOrDefault(id));
}
