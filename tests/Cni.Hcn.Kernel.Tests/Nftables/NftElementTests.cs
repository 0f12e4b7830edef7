using System.Net;
using Cni.Hcn.Kernel.Nftables;

namespace Cni.Hcn.Kernel.Tests.Nftables;

[TestFixture]
public sealed class NftElementTests
{
    [TestCase("reject_vips", "10.96.0.10 . tcp . 80", null)]
    [TestCase("nodeports_masq", "udp . 30053", null)]
    [TestCase("vips_rr_3", "10.96.0.10 . tcp . 80 . 2", "10.244.1.5 . 8080")]
    [TestCase("nodeports_sh_2", "sctp . 30080 . 1", "10.244.2.5 . 80")]
    [TestCase("hairpin", "10.244.1.5 . 10.244.1.5", null)]
    [TestCase("reject_vips", "fd00:96::10 . tcp . 80", null)]
    [TestCase("vips_rr_3", "fd00:96::10 . tcp . 80 . 2", "fd00:244:1::5 . 8080")]
    [TestCase("nodeports_sh_2", "sctp . 30080 . 1", "fd00:244:2::5 . 80")]
    [TestCase("hairpin", "fd00:244:1::5 . fd00:244:1::5", null)]
    public void Text_ParsedFromNftText_WrittenBackTheSame(string set, string key, string? value)
    {
        var element = new NftElement(set, key, value);

        Assert.That(element.Key, Is.EqualTo(key));
        Assert.That(element.Value, Is.EqualTo(value));
        Assert.That(element.Text(withValue: true), Is.EqualTo(value is null ? key : key + " : " + value));
        Assert.That(element.Text(withValue: false), Is.EqualTo(key));
    }

    [Test]
    public void Backend_BuiltFromNumbers_EqualsTheParsedText()
    {
        var built = NftElement.Backend("vips_rr_2", IPAddress.Parse("10.96.0.10"), 6, 443, 1, IPAddress.Parse("10.244.1.5"), 8443);

        Assert.That(built, Is.EqualTo(new NftElement("vips_rr_2", "10.96.0.10 . tcp . 443 . 1", "10.244.1.5 . 8443")));
        Assert.That(built.KeyOnly, Is.EqualTo(new NftElement("vips_rr_2", "10.96.0.10 . tcp . 443 . 1")), "a key holds one value at a time");
        Assert.That(built.KeyOnly, Is.Not.EqualTo(built));
    }

    [Test]
    public void Compare_ElementsOfOneSet_ByAddressNumerically()
    {
        var low = new NftElement("hairpin", "10.244.2.5 . 10.244.2.5");
        var high = new NftElement("hairpin", "10.244.10.5 . 10.244.10.5");

        Assert.That(NftElement.Compare(low, high), Is.LessThan(0));
        Assert.That(NftElement.Compare(new NftElement("a", "tcp . 1"), new NftElement("b", "tcp . 0")), Is.LessThan(0), "set first");
    }

    [TestCase("10.96.0.10 . tcp")]
    [TestCase("10.96.0.10 . fd00::1")]
    [TestCase("10.96.0.10 . tcp . 99999")]
    public void Constructor_NotAServicesTableKey_Throws(string key)
    {
        Assert.That(() => new NftElement("vips_ilb", key), Throws.InstanceOf<FormatException>().Or.InstanceOf<OverflowException>());
    }

    [Test]
    public void Backend_Ipv6BuiltFromAddresses_EqualsTheParsedTextAndKeepsItsSetName()
    {
        var built = NftElement.Backend("vips_rr_2", IPAddress.Parse("fd00:96::10"), 6, 443, 1, IPAddress.Parse("fd00:244:1::5"), 8443);
        var parsed = new NftElement("vips_rr_2", "fd00:96::10 . tcp . 443 . 1", "fd00:244:1::5 . 8443");

        Assert.That(built, Is.EqualTo(parsed));
        Assert.That(built.GetHashCode(), Is.EqualTo(parsed.GetHashCode()));
        Assert.That(built.Set, Is.EqualTo("vips_rr_2"));
        Assert.That(built.IsIpv6, Is.True);
        Assert.That(built.KeyOnly, Is.EqualTo(new NftElement("vips_rr_2", "fd00:96::10 . tcp . 443 . 1")));
        Assert.That(built.KeyOnly.Text(withValue: true), Is.EqualTo("fd00:96::10 . tcp . 443 . 1"));
        Assert.That(NftElement.Backend("vips_rr_2", IPAddress.Parse("fd00:96::10"), 6, 443, 1, IPAddress.Parse("fd00:244:1::6"), 8443), Is.Not.EqualTo(built));
    }

    [Test]
    public void Compare_Ipv6Elements_ByAddressNumericallyAndIpv4First()
    {
        var low = new NftElement("hairpin", "fd00::5 . fd00::5");
        var high = new NftElement("hairpin", "fd00::1:5 . fd00::1:5");
        var ipv4 = new NftElement("hairpin", "10.244.2.5 . 10.244.2.5");

        Assert.That(NftElement.Compare(low, high), Is.LessThan(0));
        Assert.That(NftElement.Compare(ipv4, low), Is.LessThan(0));
        Assert.That(NftElement.Compare(high, ipv4), Is.GreaterThan(0));
        Assert.That(ipv4.IsIpv6, Is.False);
    }

    [Test]
    public void Frontend_WithoutVip_SameElementInEitherFamily()
    {
        Assert.That(NftElement.Frontend("nodeports_masq", null, 6, 30080), Is.EqualTo(new NftElement("nodeports_masq", "tcp . 30080")));
        Assert.That(NftElement.Frontend("reject_vips", IPAddress.Parse("fd00:96::10"), 17, 53).Text(withValue: false), Is.EqualTo("fd00:96::10 . udp . 53"));
    }
}
