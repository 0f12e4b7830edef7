using Cni.Hcn.Json;
using Cni.Hcn.Versioning;

namespace Cni.Hcn.Tests.Versioning;

[TestFixture]
public sealed class HcnVersionTests
{
    [Test]
    public void CompareTo_MajorThenMinor_Orders()
    {
        Assert.That(new HcnVersion(9, 5) < new HcnVersion(10, 0), Is.True);
        Assert.That(new HcnVersion(11, 10) > new HcnVersion(11, 9), Is.True);
        Assert.That(new HcnVersion(13, 1) >= new HcnVersion(13, 1), Is.True);
        Assert.That(new HcnVersion(13, 1) <= new HcnVersion(13, 0), Is.False);
    }

    [Test]
    public void ToString_MajorDotMinor()
    {
        Assert.That(new HcnVersion(15, 4).ToString(), Is.EqualTo("15.4"));
    }

    [Test]
    public void Deserialize_GlobalsVersionOutput_IsRead()
    {
        Assert.That(HcnJson.Deserialize<HcnVersion>("""{"Major":13,"Minor":4}"""), Is.EqualTo(new HcnVersion(13, 4)));
        Assert.That(HcnJson.Deserialize<HcnVersion>("""{"major":9,"minor":2,"Patch":1}"""), Is.EqualTo(new HcnVersion(9, 2)));
    }
}
