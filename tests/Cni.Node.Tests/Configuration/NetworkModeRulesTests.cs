using System.Net.Sockets;
using Cni.Node.Configuration;

namespace Cni.Node.Tests.Configuration;

public sealed class NetworkModeRulesTests
{
    [TestCase("l2bridge", NetworkMode.L2Bridge)]
    [TestCase("L2Bridge", NetworkMode.L2Bridge)]
    [TestCase("overlay", NetworkMode.Overlay)]
    [TestCase("nat", NetworkMode.Nat)]
    [TestCase("Transparent", NetworkMode.Transparent)]
    [TestCase("l2tunnel", NetworkMode.L2Tunnel)]
    public void Parse_KnownName_ReturnsMode(string value, NetworkMode expected)
    {
        Assert.That(NetworkModeRules.Parse(value), Is.EqualTo(expected));
        Assert.That(expected.ConfigName(), Is.EqualTo(value.ToLowerInvariant()));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("nat2")]
    [TestCase("l2bridge ")]
    public void Parse_UnknownName_ThrowsNamingField(string? value)
    {
        var ex = Assert.Throws<ArgumentException>(() => NetworkModeRules.Parse(value));

        Assert.That(ex!.ParamName, Is.EqualTo("mode"));
        Assert.That(ex.Message, Does.StartWith("mode: ").And.Contain("l2bridge, overlay, nat, transparent, l2tunnel"));
    }

    [Test]
    public void SupportsFamily_OverlayIPv6_False()
    {
        Assert.That(NetworkMode.Overlay.SupportsFamily(AddressFamily.InterNetworkV6), Is.False);
        Assert.That(NetworkMode.L2Bridge.SupportsFamily(AddressFamily.InterNetworkV6), Is.True);
        Assert.That(NetworkMode.Overlay.SupportsFamily(AddressFamily.InterNetwork), Is.True);
    }

    [TestCase(NetworkMode.L2Bridge, true, true, true, false)]
    [TestCase(NetworkMode.Overlay, true, true, true, false)]
    [TestCase(NetworkMode.Nat, false, false, true, false)]
    [TestCase(NetworkMode.Transparent, false, false, false, true)]
    [TestCase(NetworkMode.L2Tunnel, false, false, false, false)]
    public void Rules_EveryMode_PeerRoutesNatServicesAndPoolAsDocumented(NetworkMode mode, bool peers, bool outboundNat, bool services, bool staticPool)
    {
        Assert.Multiple(() =>
        {
            Assert.That(mode.HasPeerRoutes(), Is.EqualTo(peers));
            Assert.That(mode.UsesOutboundNatPolicy(), Is.EqualTo(outboundNat));
            Assert.That(mode.RoutesServicesToHost(), Is.EqualTo(services));
            Assert.That(mode.UsesStaticPool(), Is.EqualTo(staticPool));
            Assert.That(mode.SupportsFamily(AddressFamily.InterNetworkV6), Is.EqualTo(mode == NetworkMode.L2Bridge));
        });
    }
}
