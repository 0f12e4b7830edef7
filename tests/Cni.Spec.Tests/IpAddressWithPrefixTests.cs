namespace Cni.Spec.Tests;

[TestFixture]
public sealed class IpAddressWithPrefixTests
{
    [TestCase("10.1.0.5/16", "10.1.0.5/16", true)]
    [TestCase("0.0.0.0/0", "0.0.0.0/0", true)]
    [TestCase("255.255.255.255/32", "255.255.255.255/32", true)]
    [TestCase("fd00::5/64", "fd00::5/64", false)]
    [TestCase("::/0", "::/0", false)]
    public void TryParse_Valid_FormatsCanonically(string text, string expected, bool v4)
    {
        Assert.That(IpAddressWithPrefix.TryParse(text, out var value), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(value.ToString(), Is.EqualTo(expected));
            Assert.That(value.IsIPv4, Is.EqualTo(v4));
        });
    }

    [TestCase("10.1.0.5")]
    [TestCase("10.1.0.5/")]
    [TestCase("/16")]
    [TestCase("10.1/16")]
    [TestCase("10.1.0.256/16")]
    [TestCase("10.1.0.5/33")]
    [TestCase("10.1.0.5/016")]
    [TestCase("10.1.0.5/-1")]
    [TestCase("10.1.0.5/+8")]
    [TestCase("fd00::5/129")]
    [TestCase("fe80::1%eth0/64")]
    [TestCase("notacidr")]
    [TestCase("")]
    [TestCase(null)]
    [TestCase("10.1.0.5/16/8")]
    [TestCase(" 10.1.0.5/16")]
    public void TryParse_Invalid_False(string? text) =>
        Assert.That(IpAddressWithPrefix.TryParse(text, out _), Is.False);

    [Test]
    public void Network_HostBitsSet_ClearsThem() =>
        Assert.That(IpAddressWithPrefix.Parse("10.1.2.3/16").Network.ToString(), Is.EqualTo("10.1.0.0/16"));

    [TestCase("1.2.3.4", true)]
    [TestCase("01.2.3.4", false)]
    [TestCase("1.2.3", false)]
    [TestCase("1", false)]
    [TestCase("1.2.3.4.5", false)]
    [TestCase("::1", true)]
    [TestCase("::ffff:1.2.3.4", true)]
    [TestCase("[::1]", false)]
    public void IpText_TryParseAddress_Strict(string text, bool expected) =>
        Assert.That(IpText.TryParseAddress(text, out _), Is.EqualTo(expected));
}
