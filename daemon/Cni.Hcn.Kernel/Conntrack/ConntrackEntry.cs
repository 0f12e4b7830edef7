using System.Buffers.Binary;
using Cni.Hcn.Kernel.Netlink;

namespace Cni.Hcn.Kernel.Conntrack;

/// <summary>
/// One conntrack entry as an IPCTNL_MSG_CT_NEW dump reply gives it: the original tuple (what the client sent to, e.g.
/// a VIP), the reply tuple (who answers: after DNAT the backend), the zone and the kernel's ID of the entry.
/// </summary>
/// <param name="Original">CTA_TUPLE_ORIG.</param>
/// <param name="Reply">CTA_TUPLE_REPLY.</param>
/// <param name="Zone">CTA_ZONE (0 when absent).</param>
/// <param name="Id">CTA_ID, when present: a delete carrying it removes only this entry, not a newer one with the same tuple.</param>
internal sealed record ConntrackEntry(ConntrackTuple Original, ConntrackTuple Reply, ushort Zone, uint? Id)
{
    /// <summary>Parses a dump reply (nfgenmsg + attributes); null for anything but an IPv4 entry with both tuples.</summary>
    public static ConntrackEntry? Parse(NetlinkMessage message)
    {
        if (message.Type != Ctnetlink.MessageType(Ctnetlink.IpctnlMsgCtNew) || message.Payload.Length < Ctnetlink.NfGenMsgLength)
        {
            return null;
        }

        var attributes = NetlinkAttributes.Parse(message.Payload[Ctnetlink.NfGenMsgLength..]);
        if (ConntrackTuple.Parse(attributes.GetNested(Ctnetlink.CtaTupleOrig)) is not { } original
            || ConntrackTuple.Parse(attributes.GetNested(Ctnetlink.CtaTupleReply)) is not { } reply)
        {
            return null;
        }

        uint? id = attributes.Get(Ctnetlink.CtaId) is { Length: >= 4 } raw ? BinaryPrimitives.ReadUInt32BigEndian(raw.Span) : null;
        return new ConntrackEntry(original, reply, attributes.GetU16BigEndian(Ctnetlink.CtaZone) ?? 0, id);
    }
}
