using System.Buffers.Binary;
using System.Text;
using Cni.Hcn.Kernel.Netlink;
using Cni.Hcn.Kernel.Nftables;

namespace Cni.Hcn.Kernel.Tests.Nftables;

/// <summary>The drift check's netlink messages (generation, dumps) and counted table shapes, checked without a kernel.</summary>
[TestFixture]
public sealed class NftDriftMessageTests
{
    [Test]
    public void GenerationRequest_Built_GetGenWithoutDumpAndUnspecNfgenmsg()
    {
        var bytes = NftGeneration.Request().Build(7);

        // nlmsghdr: len 20, type (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETGEN = 0x0a10, flags REQUEST; nfgenmsg: AF_UNSPEC, v0, res_id 0.
        byte[] expected = [20, 0, 0, 0, 0x10, 0x0a, 0x01, 0x00, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        Assert.That(bytes, Is.EqualTo(expected));
    }

    [Test]
    public void GenerationParse_NewGenReply_BigEndianIdPidAndName()
    {
        var payload = new List<byte> { 0, 0, 0, 0 };
        payload.AddRange(Attribute(1, BigEndian(0x01020304)));
        payload.AddRange(Attribute(2, BigEndian(4242)));
        payload.AddRange(Attribute(3, Encoding.ASCII.GetBytes("nft\0")));
        var reply = new NetlinkMessage(NftGeneration.NewGen, 0, 1, 0, payload.ToArray());

        var generation = NftGeneration.Parse(reply);

        Assert.That(generation, Is.EqualTo(new NftGeneration(0x01020304, 4242, "nft")));
    }

    [Test]
    public void GenerationParse_OtherMessageType_Throws()
    {
        var reply = new NetlinkMessage(Rtnl.NlmsgDone, 0, 1, 0, new byte[8]);

        Assert.That(() => NftGeneration.Parse(reply), Throws.InstanceOf<NetlinkException>());
    }

    [Test]
    public void DumpRequests_Table_DumpFlagIpv4FamilyAndTableAttribute()
    {
        var rules = NftShapeReader.RuleDumpRequest("wincni_services").Build(1);
        var sets = NftShapeReader.SetDumpRequest("wincni_services").Build(1);
        var elements = NftShapeReader.ElementDumpRequest("wincni_services", "vips_rr_1").Build(1);

        Assert.That(BinaryPrimitives.ReadUInt16LittleEndian(rules.AsSpan(4)), Is.EqualTo(0x0a07));
        Assert.That(BinaryPrimitives.ReadUInt16LittleEndian(sets.AsSpan(4)), Is.EqualTo(0x0a0a));
        Assert.That(BinaryPrimitives.ReadUInt16LittleEndian(elements.AsSpan(4)), Is.EqualTo(0x0a0d));
        Assert.That(new[] { rules, sets, elements }.Select(m => BinaryPrimitives.ReadUInt16LittleEndian(m.AsSpan(6))), Is.All.EqualTo(0x0301));
        Assert.That(new[] { rules, sets, elements }.Select(m => m[16]), Is.All.EqualTo(2), "nfgenmsg family NFPROTO_IPV4");
        var attributes = NetlinkAttributes.Parse(elements.AsMemory(20));
        Assert.That(attributes.GetString(1), Is.EqualTo("wincni_services"));
        Assert.That(attributes.GetString(2), Is.EqualTo("vips_rr_1"));
        Assert.That(NetlinkAttributes.Parse(rules.AsMemory(20)).GetString(1), Is.EqualTo("wincni_services"));
    }

    [Test]
    public void CountElements_ThreeListElems_CountsEveryOne()
    {
        var element = Attribute(1 | 0x8000, Attribute(1 | 0x8000, Attribute(1, [10, 0, 0, 1])));
        var list = element.Concat(element).Concat(element).ToArray();
        var payload = new byte[] { 2, 0, 0, 0 }.Concat(Attribute(1, Encoding.ASCII.GetBytes("t\0"))).Concat(Attribute(3 | 0x8000, list)).ToArray();

        Assert.That(NftShapeReader.CountElements(new NetlinkMessage(0x0a0c, 0, 1, 0, payload)), Is.EqualTo(3));
    }

    [Test]
    public void NamedSet_AnonymousFlag_Null()
    {
        static NetlinkMessage Set(string name, uint flags) => new(0x0a09, 0, 1, 0,
            new byte[] { 2, 0, 0, 0 }.Concat(Attribute(2, Encoding.ASCII.GetBytes(name + "\0"))).Concat(Attribute(3, BigEndian(flags))).ToArray());

        Assert.That(NftShapeReader.NamedSet(Set("__set0", 0x3)), Is.Null);
        Assert.That(NftShapeReader.NamedSet(Set("hairpin", 0x8)), Is.EqualTo("hairpin"));
    }

    [Test]
    public void ShapeParse_ServicesSkeletonWithElements_RulesPerChainAndElementsPerSet()
    {
        var text = "table ip t {\n\tset a {\n\t\ttype ipv4_addr\n\t\telements = { 1.1.1.1,\n\t\t\t2.2.2.2,\n\t\t\t3.3.3.3 }\n\t}\n"
            + "\tmap m {\n\t\ttype ipv4_addr : ipv4_addr\n\t\telements = { 1.1.1.1 : 2.2.2.2 }\n\t}\n\tset e {\n\t\ttype ipv4_addr\n\t}\n"
            + "\tchain prerouting {\n\t\ttype nat hook prerouting priority -100; policy accept;\n\t\tjump x\n\t\tip saddr { 10.0.0.0/8, 10.1.0.0/16 } masquerade\n\t}\n"
            + "\tchain x {\n\t\taccept\n\t}\n}\n";

        var shape = NftTableShape.Parse(text);

        Assert.That(shape.Rules, Is.EqualTo(new SortedDictionary<string, int>(StringComparer.Ordinal) { ["prerouting"] = 2, ["x"] = 1 }));
        Assert.That(shape.Elements, Is.EqualTo(new SortedDictionary<string, int>(StringComparer.Ordinal) { ["a"] = 3, ["m"] = 1, ["e"] = 0 }));
    }

    [Test]
    public void ShapeDifferences_RuleAndElementMissing_NamesBoth()
    {
        var expected = NftTableShape.Parse(ServiceRenderer.RenderSkeleton([new BackendGroup(false, false, 1)]));
        expected.Elements["vips_rr_1"] = 2;
        var actual = NftTableShape.Parse(ServiceRenderer.RenderSkeleton([new BackendGroup(false, false, 1)]));
        actual.Elements["vips_rr_1"] = 1;
        actual.Rules["postrouting"]--;

        var differences = expected.Differences(actual);

        Assert.That(differences, Is.EqualTo(new[] { "chain postrouting: 1 rules, expected 2 rules", "set vips_rr_1: 1 elements, expected 2 elements" }));
        Assert.That(expected.Differences(NftTableShape.Parse(ServiceRenderer.RenderSkeleton([new BackendGroup(false, false, 1)]))), Has.Count.EqualTo(1));
    }

    [Test]
    public void ExpectedShape_KeySharedByTwoLoadBalancers_CountedOnceLikeTheKernel()
    {
        var sync = new ServiceTableSync();
        var a = new LoadBalancerRendering([new NftElement(ServiceRenderer.Hairpin, "10.0.0.1 . 10.0.0.1"), new NftElement("vips_rr_1", "10.96.0.1 . tcp . 80 . 0", "10.0.0.1 . 80")]);
        var b = new LoadBalancerRendering([new NftElement(ServiceRenderer.Hairpin, "10.0.0.1 . 10.0.0.1"), new NftElement("vips_rr_1", "10.96.0.2 . tcp . 80 . 0", "10.0.0.1 . 80")]);
        sync.Accept(sync.Plan(new Dictionary<Guid, LoadBalancerRendering> { [Guid.NewGuid()] = a, [Guid.NewGuid()] = b }));

        var shape = sync.ExpectedShape()!;

        Assert.That(shape.Elements[ServiceRenderer.Hairpin], Is.EqualTo(1));
        Assert.That(shape.Elements["vips_rr_1"], Is.EqualTo(2));
        Assert.That(shape.Elements[ServiceRenderer.RejectVips], Is.Zero);
        Assert.That(shape.Rules["vips_rr_1"], Is.EqualTo(1));
        Assert.That(new ServiceTableSync().ExpectedShape(), Is.Null);
    }

    private static byte[] BigEndian(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] Attribute(int type, byte[] value)
    {
        var bytes = new byte[(4 + value.Length + 3) & ~3];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, (ushort)(4 + value.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2), (ushort)type);
        value.CopyTo(bytes, 4);
        return bytes;
    }
}
