using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using Cni.Hcn.Kernel.Nftables;

namespace Cni.Hcn.Kernel.Tests.Nftables;

public sealed class NftElementBatchTests
{
    private static readonly IPAddress Vip = IPAddress.Parse("10.96.0.10");
    private static readonly IPAddress Backend = IPAddress.Parse("10.244.1.5");

    [Test]
    public void Write_DeletesAndAdds_BeginMessagePerSetEndWithConsecutiveSequences()
    {
        var output = new ArrayBufferWriter<byte>();
        NftElement[] delete = [NftElement.Frontend(ServiceRenderer.RejectVips, Vip, 6, 80)];
        NftElement[] add =
        [
            NftElement.Backend("vips_rr_1", Vip, 6, 80, 0, Backend, 8080),
            NftElement.Pair(ServiceRenderer.Hairpin, Backend, Backend),
        ];

        var messages = NftElementBatch.Write(output, "wincni_services", delete, add, firstSequence: 100);

        var frames = Frames(output.WrittenSpan.ToArray());
        Assert.That(frames.Select(f => f.Type), Is.EqualTo(new ushort[] { 0x10, 0x0a0e, 0x0a0c, 0x0a0c, 0x11 }), "begin, delete, add per set (sorted), end");
        Assert.That(frames.Select(f => f.Sequence), Is.EqualTo(new uint[] { 100, 101, 102, 103, 104 }));
        Assert.That(messages.Select(m => m.Sequence), Is.EqualTo(new uint[] { 101, 102, 103 }), "every element message is acknowledged");
        Assert.That(messages[0].Description, Does.StartWith("delete element ip wincni_services reject_vips (1 element"));
        Assert.That(messages[1].Description, Does.StartWith("add element ip wincni_services hairpin"));
        Assert.That(frames.Sum(f => f.Length), Is.EqualTo(output.WrittenCount), "the lengths frame the datagram exactly");
    }

    [Test]
    public void Write_MoreElementsThanAnAttributeHolds_SplitIntoMessagesUnder64KiB()
    {
        var output = new ArrayBufferWriter<byte>();
        var add = Enumerable.Range(0, 5000).Select(i => NftElement.Backend("vips_rr_1", new IPAddress(BitConverter.GetBytes(0x0a600000 + i).Reverse().ToArray()), 6, 80, 0, Backend, 8080)).ToList();

        var messages = NftElementBatch.Write(output, "wincni_services", [], add, firstSequence: 1);

        var frames = Frames(output.WrittenSpan.ToArray());
        Assert.That(messages, Has.Count.GreaterThan(1));
        Assert.That(frames.Skip(1).SkipLast(1).Select(f => f.Length), Has.All.LessThan(65_536));
        Assert.That(messages.Sum(m => int.Parse(m.Description.Split('(')[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture)), Is.EqualTo(5000));
    }

    [Test]
    public void WriteKey_EveryShape_RegisterPaddedNetworkOrderFields()
    {
        Span<byte> key = stackalloc byte[16];

        var frontend = NftElement.Frontend(ServiceRenderer.VipsIlb, Vip, 17, 53).WriteKey(key);
        Assert.That(key[..frontend].ToArray(), Is.EqualTo(new byte[] { 10, 96, 0, 10, 17, 0, 0, 0, 0, 53, 0, 0 }));

        var nodePort = NftElement.Frontend(ServiceRenderer.NodePortsIlb, null, 6, 30080).WriteKey(key);
        Assert.That(key[..nodePort].ToArray(), Is.EqualTo(new byte[] { 6, 0, 0, 0, 0x75, 0x80, 0, 0 }));

        var backend = NftElement.Backend("vips_rr_3", Vip, 6, 80, 2, Backend, 8080);
        var length = backend.WriteKey(key);
        Assert.That(key[..length].ToArray(), Is.EqualTo(new byte[] { 10, 96, 0, 10, 6, 0, 0, 0, 0, 80, 0, 0 }.Concat(BitConverter.GetBytes(2u))));
        Span<byte> value = stackalloc byte[8];
        Assert.That(value[..backend.WriteValue(value)].ToArray(), Is.EqualTo(new byte[] { 10, 244, 1, 5, 0x1f, 0x90, 0, 0 }));
    }

    [Test]
    public void WriteKey_Ipv6Shapes_AddressesFillFourRegisters()
    {
        var vip = IPAddress.Parse("fd00:96::10");
        var backend = IPAddress.Parse("fd00:244:0:1::5");
        Span<byte> key = stackalloc byte[NftElement.MaxKeyBytes];
        Span<byte> value = stackalloc byte[NftElement.MaxValueBytes];

        var frontend = NftElement.Frontend(ServiceRenderer.VipsIlb, vip, 17, 53).WriteKey(key);
        Assert.That(key[..frontend].ToArray(), Is.EqualTo(vip.GetAddressBytes().Concat(new byte[] { 17, 0, 0, 0, 0, 53, 0, 0 })));

        var element = NftElement.Backend("vips_rr_3", vip, 6, 80, 2, backend, 8080);
        var length = element.WriteKey(key);
        Assert.That(key[..length].ToArray(), Is.EqualTo(vip.GetAddressBytes().Concat(new byte[] { 6, 0, 0, 0, 0, 80, 0, 0 }).Concat(BitConverter.GetBytes(2u))));
        Assert.That(value[..element.WriteValue(value)].ToArray(), Is.EqualTo(backend.GetAddressBytes().Concat(new byte[] { 0x1f, 0x90, 0, 0 })));

        var pair = NftElement.Pair(ServiceRenderer.Hairpin, backend, backend).WriteKey(key);
        Assert.That(key[..pair].ToArray(), Is.EqualTo(backend.GetAddressBytes().Concat(backend.GetAddressBytes())));
    }

    [Test]
    public void Write_Ip6PartBesideIp_EachMessageCarriesItsFamily()
    {
        var output = new ArrayBufferWriter<byte>();
        var v6 = IPAddress.Parse("fd00:96::10");

        var messages = NftElementBatch.Write(output,
        [
            new NftElementBatch.Part(NftFamily.Ip, "wincni_services", [], [NftElement.Frontend(ServiceRenderer.RejectVips, Vip, 6, 80)]),
            new NftElementBatch.Part(NftFamily.Ip6, "wincni_services", [], [NftElement.Frontend(ServiceRenderer.RejectVips, v6, 6, 80)]),
        ], firstSequence: 1);

        var datagram = output.WrittenSpan.ToArray();
        var frames = Frames(datagram);
        var families = new List<byte>();
        for (int i = 0, at = 0; i < frames.Count; at += (frames[i].Length + 3) & ~3, i++)
        {
            families.Add(datagram[at + 16]);
        }

        Assert.That(families, Is.EqualTo(new byte[] { 0, 2, 10, 0 }), "batch begin, ip, ip6, batch end");
        Assert.That(messages.Select(m => m.Description.Split(" (")[0]), Is.EqualTo(new[] { "add element ip wincni_services reject_vips", "add element ip6 wincni_services reject_vips" }));
    }

    private static List<(int Length, ushort Type, uint Sequence)> Frames(byte[] datagram)
    {
        var frames = new List<(int, ushort, uint)>();
        for (var at = 0; at < datagram.Length;)
        {
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(datagram.AsSpan(at));
            frames.Add((length, BinaryPrimitives.ReadUInt16LittleEndian(datagram.AsSpan(at + 4)), BinaryPrimitives.ReadUInt32LittleEndian(datagram.AsSpan(at + 8))));
            at += (length + 3) & ~3;
        }

        return frames;
    }
}
