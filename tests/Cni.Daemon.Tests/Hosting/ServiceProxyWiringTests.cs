using System.Net;
using Cni.Daemon.Hosting;
using Cni.Hcn.Versioning;
using Cni.Node.Configuration;
using Cni.Node.Networks;

namespace Cni.Daemon.Tests.Hosting;

[TestFixture]
public sealed class ServiceProxyWiringTests
{
    private static readonly HcnFeatures WithDsr = HcnFeatures.FromVersion(new HcnVersion(15, 4));
    private static readonly HcnFeatures WithoutDsr = HcnFeatures.FromVersion(new HcnVersion(9, 1));

    [TestCase(DsrMode.Auto, true, true, true)]
    [TestCase(DsrMode.Auto, true, false, false)]
    [TestCase(DsrMode.Auto, false, true, false)]
    [TestCase(DsrMode.On, false, true, true)]
    [TestCase(DsrMode.Off, true, true, false)]
    public void ResolveDsr_ModeProxyAndFeatures_DecidesAsDocumented(DsrMode mode, bool proxyEnabled, bool hnsHasDsr, bool expected)
    {
        var dsr = ServiceProxyWiring.ResolveDsr(new ServiceProxyOptions { Dsr = mode }, proxyEnabled, hnsHasDsr ? WithDsr : WithoutDsr);

        Assert.That(dsr, Is.EqualTo(expected));
    }

    [Test]
    public void ResolveDsr_ForcedOnWithoutHnsSupport_StartupErrorNamesTheKey()
    {
        var error = Assert.Throws<DaemonStartupException>(() => ServiceProxyWiring.ResolveDsr(new ServiceProxyOptions { Dsr = DsrMode.On }, true, WithoutDsr));

        Assert.That(error!.Message, Does.Contain("serviceProxy.dsr: on"));
        Assert.That(error.Message, Does.Contain("DSR needs HNS 9.3–9.x or 10.2 or later"), "the versions that have it, from hcsshim's feature table");
    }

    [Test]
    public void NodeAddresses_DualStackNode_BothFamiliesSoIpv6ServicePortsAreServed()
    {
        var node = new NodeAddressing([IPNetwork.Parse("10.244.1.0/24"), IPNetwork.Parse("fd00:10:244:1::/64")], IPAddress.Parse("192.0.2.10"))
        {
            OtherFamilyIps = [IPAddress.Parse("2001:db8::10")],
        };

        var addresses = ServiceProxyWiring.NodeAddresses(node, node.NodeIp);

        Assert.That(addresses, Is.EqualTo(new[] { IPAddress.Parse("192.0.2.10"), IPAddress.Parse("2001:db8::10") }));
        Assert.That(ServiceProxyWiring.NodeAddresses(node with { NodeIp = null, OtherFamilyIps = [] }, IPAddress.Parse("192.0.2.11")), Is.EqualTo(new[] { IPAddress.Parse("192.0.2.11") }));
    }
}
