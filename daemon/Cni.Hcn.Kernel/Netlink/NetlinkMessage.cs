using System.Buffers.Binary;

namespace Cni.Hcn.Kernel.Netlink;

/// <summary>One received netlink message: header fields and the payload after the 16-byte header.</summary>
internal readonly record struct NetlinkMessage(ushort Type, ushort Flags, uint Sequence, uint PortId, ReadOnlyMemory<byte> Payload)
{
    /// <summary>Splits a datagram into its messages.</summary>
    public static List<NetlinkMessage> Split(ReadOnlyMemory<byte> datagram)
    {
        var result = new List<NetlinkMessage>();
        var offset = 0;
        var span = datagram.Span;
        while (offset + Rtnl.NlmsgHeaderLength <= span.Length)
        {
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(span[offset..]);
            if (length < Rtnl.NlmsgHeaderLength || offset + length > span.Length)
            {
                break;
            }

            result.Add(new NetlinkMessage(
                BinaryPrimitives.ReadUInt16LittleEndian(span[(offset + 4)..]),
                BinaryPrimitives.ReadUInt16LittleEndian(span[(offset + 6)..]),
                BinaryPrimitives.ReadUInt32LittleEndian(span[(offset + 8)..]),
                BinaryPrimitives.ReadUInt32LittleEndian(span[(offset + 12)..]),
                datagram.Slice(offset + Rtnl.NlmsgHeaderLength, length - Rtnl.NlmsgHeaderLength)));
            offset += (length + 3) & ~3;
        }

        return result;
    }

    /// <summary>
    /// For an NLMSG_ERROR: the (positive) errno, 0 for an ACK, and the extended-ACK message when the kernel sent one.
    /// </summary>
    public (int Errno, string? Message) ReadError()
    {
        var span = Payload.Span;
        var error = BinaryPrimitives.ReadInt32LittleEndian(span);
        string? text = null;
        if ((Flags & Rtnl.NlmFAckTlvs) != 0 && span.Length >= 4 + Rtnl.NlmsgHeaderLength)
        {
            // With NLM_F_CAPPED unset the original request follows; its length tells where the TLVs start.
            var capped = (Flags & 0x100) != 0;
            var original = capped ? Rtnl.NlmsgHeaderLength : (int)BinaryPrimitives.ReadUInt32LittleEndian(span[4..]);
            var start = 4 + ((original + 3) & ~3);
            if (start <= span.Length)
            {
                text = NetlinkAttributes.Parse(Payload[start..]).GetString(Rtnl.NlmsgErrAttrMsg);
            }
        }

        return (-error, text);
    }
}
