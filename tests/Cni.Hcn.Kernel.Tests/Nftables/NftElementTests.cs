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
    [TestCase("fe80::1 . tcp . 80")]
    [TestCase("10.96.0.10 . tcp . 99999")]
    public void Constructor_NotAServicesTableKey_Throws(string key)
    {
        Assert.That(() => new NftElement("vips_ilb", key), Throws.InstanceOf<FormatException>().Or.InstanceOf<OverflowException>());
    }
}
