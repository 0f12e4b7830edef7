using Cni.Hcn.Kernel.Nftables;

namespace Cni.Hcn.Kernel.Tests.Nftables;

[TestFixture]
public sealed class BackendGroupTests
{
    [TestCase(false, false, 1, "vips_rr_1")]
    [TestCase(false, true, 12, "vips_sh_12")]
    [TestCase(true, false, 5, "nodeports_rr_5")]
    [TestCase(true, true, 2, "nodeports_sh_2")]
    public void FromMap_NameOfGroup_SameGroup(bool nodePort, bool sourceHash, int size, string map)
    {
        var group = new BackendGroup(nodePort, sourceHash, size);

        Assert.That(group.Map, Is.EqualTo(map));
        Assert.That(BackendGroup.FromMap(map), Is.EqualTo(group));
    }

    [TestCase("vips_ilb")]
    [TestCase("vips_local")]
    [TestCase("nodeports_masq")]
    [TestCase("reject_vips")]
    [TestCase("vips_rr_0")]
    [TestCase("vips_rr_x")]
    public void FromMap_OtherSet_Null(string set)
    {
        Assert.That(BackendGroup.FromMap(set), Is.Null);
    }

    [Test]
    public void Of_SourceHashWithOneBackend_RandomGroup()
    {
        Assert.That(BackendGroup.Of(nodePort: false, sourceHash: true, size: 1), Is.EqualTo(new BackendGroup(false, false, 1)));
        Assert.That(BackendGroup.Of(nodePort: false, sourceHash: true, size: 2), Is.EqualTo(new BackendGroup(false, true, 2)));
    }

    [Test]
    public void Rule_NodePortSourceHash_JhashOverProtocolAndPort()
    {
        var group = new BackendGroup(NodePort: true, SourceHash: true, Size: 3);

        Assert.That(group.Rule, Is.EqualTo("dnat ip to meta l4proto . th dport . jhash ip saddr mod 3 seed 0x0 map @nodeports_sh_3"));
        Assert.That(group.Definition, Is.EqualTo("typeof meta l4proto . th dport . numgen random mod 3 : ip daddr . th dport"), "nft 1.0.6 crashes listing a typeof with jhash");
    }

    [Test]
    public void Map_SameGroupAskedTwice_OneStringInstance()
    {
        var group = BackendGroup.Of(nodePort: false, sourceHash: false, size: 5);

        Assert.That(group.Map, Is.EqualTo("vips_rr_5"));
        Assert.That(ReferenceEquals(group.Map, BackendGroup.Of(nodePort: false, sourceHash: false, size: 5).Map), Is.True, "every element of the map holds this name");
    }
}
