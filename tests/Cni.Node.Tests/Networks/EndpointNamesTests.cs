using Cni.Node.Networks;

namespace Cni.Node.Tests.Networks;

public sealed class EndpointNamesTests
{
    [Test]
    public void For_UsualIds_Readable()
    {
        Assert.That(EndpointNames.For("wincni", "3f9c0a", "eth0"), Is.EqualTo("wincni_wincni_3f9c0a_eth0"));
    }

    [Test]
    public void For_UnderscoresInParts_Unambiguous()
    {
        var a = EndpointNames.For("net", "b_c", "d");
        var b = EndpointNames.For("net", "b", "c_d");

        Assert.That(a, Is.Not.EqualTo(b));
        Assert.That(a, Is.EqualTo("wincni_net_b%5Fc_d"));
    }

    [Test]
    public void IsOwned_NetworkNamePrefixOfAnother_NotOwned()
    {
        var ofAB = EndpointNames.For("a_b", "c", "eth0");

        Assert.That(EndpointNames.IsOwned(ofAB, "a"), Is.False);
        Assert.That(EndpointNames.IsOwned(ofAB, "a_b"), Is.True);
    }

    [TestCase(null)]
    [TestCase("source_vip")]
    [TestCase("3f9c0a_cbr0")]
    public void IsOwned_ForeignNames_False(string? name)
    {
        Assert.That(EndpointNames.IsOwned(name, "wincni"), Is.False);
    }

    [Test]
    public void HostEndpointFor_NeverOwnedAsAPod()
    {
        Assert.That(EndpointNames.IsOwned(EndpointNames.HostEndpointFor("wincni"), "wincni"), Is.False);
    }
}
