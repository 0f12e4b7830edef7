using System.Net;
using Cni.Hcn.Kernel.Conntrack;
using Cni.Hcn.Kernel.Netlink;

namespace Cni.Hcn.Kernel.Tests.Conntrack;

/// <summary>Byte layouts of the ctnetlink requests and parsing of dump replies, checked without a kernel.</summary>
[TestFixture]
public sealed class CtnetlinkMessageTests
{
    private static readonly ConntrackTuple Original = new(17, IPAddress.Parse("10.201.1.11"), IPAddress.Parse("10.96.0.60"), 40000, 53);
    private static readonly ConntrackTuple Reply = new(17, IPAddress.Parse("10.201.1.10"), IPAddress.Parse("10.201.1.11"), 5353, 40000);

    [Test]
    public void DumpRequest_Ipv4_CtGetWithDumpFlagAndNfgenmsg()
    {
        var bytes = ConntrackClient.DumpRequest().Build(9);

        // nlmsghdr: len 20, type (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET, flags REQUEST|DUMP; nfgenmsg: AF_INET, v0, res_id 0.
        byte[] expected = [20, 0, 0, 0, 0x01, 0x01, 0x01, 0x03, 9, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0];
        Assert.That(bytes, Is.EqualTo(expected));
    }

    [Test]
    public void DeleteRequest_Entry_OriginalTupleNestedWithBigEndianPortsAndId()
    {
        var bytes = ConntrackClient.DeleteRequest(new ConntrackEntry(Original, Reply, Zone: 0, Id: 0x01020304)).Build(3);

        byte[] expected =
        [
            // nlmsghdr: len 80, type 0x0102 (CT_DELETE), flags REQUEST|ACK
            80, 0, 0, 0, 0x02, 0x01, 0x05, 0x00, 3, 0, 0, 0, 0, 0, 0, 0,
            // nfgenmsg
            2, 0, 0, 0,
            // CTA_TUPLE_ORIG | NLA_F_NESTED, len 52
            52, 0, 0x01, 0x80,
            //   CTA_TUPLE_IP | NLA_F_NESTED, len 20: CTA_IP_V4_SRC, CTA_IP_V4_DST
            20, 0, 0x01, 0x80, 8, 0, 1, 0, 10, 201, 1, 11, 8, 0, 2, 0, 10, 96, 0, 60,
            //   CTA_TUPLE_PROTO | NLA_F_NESTED, len 28: CTA_PROTO_NUM 17, CTA_PROTO_SRC_PORT 40000, CTA_PROTO_DST_PORT 53
            28, 0, 0x02, 0x80, 5, 0, 1, 0, 17, 0, 0, 0, 6, 0, 2, 0, 0x9C, 0x40, 0, 0, 6, 0, 3, 0, 0x00, 0x35, 0, 0,
            // CTA_ID (big-endian)
            8, 0, 12, 0, 1, 2, 3, 4,
        ];
        Assert.That(bytes, Is.EqualTo(expected));
    }

    [Test]
    public void DeleteRequest_ZonedEntryWithoutId_CarriesZoneNoId()
    {
        var attributes = NetlinkAttributes.Parse(ConntrackClient.DeleteRequest(new ConntrackEntry(Original, Reply, Zone: 7, Id: null)).Build(1).AsMemory(20));

        Assert.That(attributes.GetU16BigEndian(Ctnetlink.CtaZone), Is.EqualTo(7));
        Assert.That(attributes.Has(Ctnetlink.CtaId), Is.False);
    }

    [Test]
    public void Parse_DumpReply_BothTuplesZoneAndId()
    {
        var message = DumpReply(Original, Reply, extra: b => b.AddU16BigEndian(Ctnetlink.CtaZone, 2).AddU32BigEndian(Ctnetlink.CtaId, 77));

        var entry = ConntrackEntry.Parse(message);

        Assert.That(entry, Is.Not.Null);
        Assert.That(entry!.Original, Is.EqualTo(Original));
        Assert.That(entry.Reply, Is.EqualTo(Reply));
        Assert.That(entry.Zone, Is.EqualTo(2));
        Assert.That(entry.Id, Is.EqualTo(77));
    }

    [Test]
    public void Parse_DeleteRequestBytes_RoundTripsOriginalTuple()
    {
        var bytes = ConntrackClient.DeleteRequest(new ConntrackEntry(Original, Reply, 0, null)).Build(1);
        var attributes = NetlinkAttributes.Parse(bytes.AsMemory(20));

        Assert.That(ConntrackTuple.Parse(attributes.GetNested(Ctnetlink.CtaTupleOrig)), Is.EqualTo(Original));
    }

    [Test]
    public void Parse_OtherMessageType_Null()
    {
        var message = DumpReply(Original, Reply, type: Ctnetlink.MessageType(Ctnetlink.IpctnlMsgCtDelete));

        Assert.That(ConntrackEntry.Parse(message), Is.Null);
    }

    [Test]
    public void Parse_NoReplyTuple_Null()
    {
        var builder = new NetlinkMessageBuilder(Ctnetlink.MessageType(Ctnetlink.IpctnlMsgCtNew), Rtnl.NlmFMulti).NfGenMsg(Rtnl.AfInet);
        Original.AppendTo(builder, Ctnetlink.CtaTupleOrig);
        var message = NetlinkMessage.Split(builder.Build(1)).Single();

        Assert.That(ConntrackEntry.Parse(message), Is.Null);
    }

    private static NetlinkMessage DumpReply(ConntrackTuple original, ConntrackTuple reply, Action<NetlinkMessageBuilder>? extra = null, ushort? type = null)
    {
        var builder = new NetlinkMessageBuilder(type ?? Ctnetlink.MessageType(Ctnetlink.IpctnlMsgCtNew), Rtnl.NlmFMulti).NfGenMsg(Rtnl.AfInet);
        original.AppendTo(builder, Ctnetlink.CtaTupleOrig);
        reply.AppendTo(builder, Ctnetlink.CtaTupleReply);
        extra?.Invoke(builder);
        return NetlinkMessage.Split(builder.Build(1)).Single();
    }
}
