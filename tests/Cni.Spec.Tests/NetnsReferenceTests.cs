namespace Cni.Spec.Tests;

[TestFixture]
public sealed class NetnsReferenceTests
{
    [TestCase("31b673d2-2b52-480a-8ca2-ffd04ffb4a68", NetnsKind.HcnNamespace, "31b673d2-2b52-480a-8ca2-ffd04ffb4a68")]
    [TestCase("31B673D2-2B52-480A-8CA2-FFD04FFB4A68", NetnsKind.HcnNamespace, "31b673d2-2b52-480a-8ca2-ffd04ffb4a68")]
    [TestCase("{31b673d2-2B52-480a-8ca2-ffd04ffb4a68}", NetnsKind.HcnNamespace, "31b673d2-2b52-480a-8ca2-ffd04ffb4a68")]
    [TestCase("{31b673d2-2b52-480a-8ca2-ffd04ffb4a68", NetnsKind.Other, "{31b673d2-2b52-480a-8ca2-ffd04ffb4a68")]
    [TestCase("31b673d22b52480a8ca2ffd04ffb4a68", NetnsKind.Other, "31b673d22b52480a8ca2ffd04ffb4a68")]
    [TestCase("none", NetnsKind.None, "none")]
    [TestCase("NONE", NetnsKind.None, "none")]
    [TestCase("container:abc123", NetnsKind.Container, "abc123")]
    [TestCase("container:", NetnsKind.Other, "container:")]
    [TestCase("/var/run/netns/cni-1234", NetnsKind.Path, "/var/run/netns/cni-1234")]
    [TestCase("", NetnsKind.Empty, "")]
    [TestCase(null, NetnsKind.Empty, "")]
    [TestCase("dummy", NetnsKind.Other, "dummy")]
    public void Classify_Form_KindAndNormalisedValue(string? netns, NetnsKind kind, string value)
    {
        var reference = NetnsReference.Classify(netns);
        Assert.Multiple(() =>
        {
            Assert.That(reference.Kind, Is.EqualTo(kind));
            Assert.That(reference.Value, Is.EqualTo(value));
            Assert.That(reference.Raw, Is.EqualTo(netns ?? ""));
        });
    }

    [Test]
    public void HcnNamespaceId_Guid_Parsed() =>
        Assert.That(
            NetnsReference.Classify("{31B673D2-2B52-480A-8CA2-FFD04FFB4A68}").HcnNamespaceId,
            Is.EqualTo(Guid.Parse("31b673d2-2b52-480a-8ca2-ffd04ffb4a68")));

    [Test]
    public void HcnNamespaceId_Path_IsNull() =>
        Assert.That(NetnsReference.Classify("/x").HcnNamespaceId, Is.Null);
}
