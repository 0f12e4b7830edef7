using System.Net;
using Cni.Node.Services;

namespace Cni.Node.Tests.Services;

public sealed class RemoteEndpointIdsTests
{
    private static readonly IPAddress Address = IPAddress.Parse(ServiceProxyHarness.RemotePodA);

    [Test]
    public void IdOf_SameAddress_SameOwnedId()
    {
        Assert.That(RemoteEndpointIds.IdOf(Address), Is.EqualTo(RemoteEndpointIds.IdOf(IPAddress.Parse(ServiceProxyHarness.RemotePodA))));
        Assert.That(RemoteEndpointIds.IsOwned(RemoteEndpointIds.IdOf(Address)), Is.True);
    }

    [Test]
    public void IsOwned_LoadBalancerId_False()
    {
        var loadBalancer = LoadBalancerKey.For(new ServicePortName(ServiceBuilder.Namespace, ServiceBuilder.Name, "http", Cni.Hcn.Model.Policies.ProtocolType.Tcp), System.Net.Sockets.AddressFamily.InterNetwork, FrontendKind.ClusterIp, null).Id;

        Assert.That((RemoteEndpointIds.IsOwned(loadBalancer), LoadBalancerIds.IsOwned(RemoteEndpointIds.IdOf(Address))), Is.EqualTo((false, false)));
    }

    [Test]
    public void MacOf_IPv4_WinkernelFakeMac()
    {
        Assert.That(RemoteEndpointIds.MacOf(Address), Is.EqualTo("02-11-0A-F4-02-05"));
    }
}
