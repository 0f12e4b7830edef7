using System.Net.Sockets;
using Cni.Node.Configuration;

namespace Cni.Node.Tests.Configuration;

public sealed class NetworkModeRulesTests
{
    [TestCase("l2bridge", NetworkMode.L2Bridge)]
    [TestCase("L2Bridge", NetworkMode.L2Bridge)]
    [TestCase("overlay", NetworkMode.Overlay)]
    public void Parse_KnownName_ReturnsMode(string value, NetworkMode expected)
    {
        Assert.That(NetworkModeRules.Parse(value), Is.EqualTo(expected));
        Assert.That(expected.ConfigName(), Is.EqualTo(value.ToLowerInvariant()));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("nat")]
    [TestCase("l2bridge ")]
    public void Parse_UnknownName_ThrowsNamingField(string? value)
    {
        var ex = Assert.Throws<ArgumentException>(() => NetworkModeRules.Parse(value));

        Assert.That(ex!.ParamName, Is.EqualTo("mode"));
        Assert.That(ex.Message, Does.StartWith("mode: ").And.Contain("l2bridge, overlay"));
    }

    [Test]
    public void SupportsFamily_OverlayIPv6_False()
    {
        Assert.That(NetworkMode.Overlay.SupportsFamily(AddressFamily.InterNetworkV6), Is.False);
        Assert.That(NetworkMode.L2Bridge.SupportsFamily(AddressFamily.InterNetworkV6), Is.True);
        Assert.That(NetworkMode.Overlay.SupportsFamily(AddressFamily.InterNetwork), Is.True);
    }
}
