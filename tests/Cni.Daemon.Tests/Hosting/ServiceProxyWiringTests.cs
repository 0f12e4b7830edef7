using Cni.Daemon.Hosting;
using Cni.Hcn.Versioning;
using Cni.Node.Configuration;

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
    }
}
