using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Cni.Hcn.Kernel.Nftables;

/// <summary>
/// One nf_tables transaction of set element changes as netlink messages: <c>NFNL_MSG_BATCH_BEGIN</c>, one
/// <c>NFT_MSG_DELSETELEM</c> / <c>NFT_MSG_NEWSETELEM</c> per set (split where the element list would pass the 64 KiB
/// an attribute can hold), <c>NFNL_MSG_BATCH_END</c>. What <c>nft -f</c> sends for <c>delete element</c> / <c>add
/// element</c> commands (libnftnl src/set_elem.c, linux net/netfilter/nf_tables_api.c), without parsing text: at
/// 10,000 Services, libnftables parsing the element text (and resolving every address with getaddrinfo) was a
/// seventh of the CPU of the initial sync, all of it inside the one-at-a-time commit.
/// </summary>
/// <remarks>Every message asks for an acknowledgement, so the caller learns which one failed; the batch is applied
/// atomically or not at all, as a text batch is.</remarks>
internal static class NftElementBatch
{
    /// <summary>The largest element list one message carries (an attribute's length is 16 bits).</summary>
    internal const int MaxListBytes = 60_000;

    private const ushort NfnlSubsysNftables = 10;
    private const ushort BatchBegin = 0x10;
    private const ushort BatchEnd = 0x11;
    private const ushort NewSetElem = (NfnlSubsysNftables << 8) | 12;
    private const ushort DelSetElem = (NfnlSubsysNftables << 8) | 14;
    private const ushort NlmFRequest = 0x1;
    private const ushort NlmFAck = 0x4;
    private const ushort NlmFCreate = 0x400;
    private const ushort ListTable = 1;
    private const ushort ListSet = 2;
    private const ushort ListElements = 3;
    private const ushort ListElem = 1;
    private const ushort ElemKey = 1;
    private const ushort ElemData = 2;
    private const ushort DataValue = 1;

    /// <summary>One message of the batch: which operation on which set, for an error that names it.</summary>
    /// <param name="Sequence">Its sequence number.</param>
    /// <param name="Description">E.g. <c>add element ip wincni_services vips_rr_2 (120 elements)</c>.</param>
    internal readonly record struct Message(uint Sequence, string Description);

    /// <summary>The element changes of one table: its family and name, what to delete and what to add.</summary>
    /// <param name="Family">The table's family.</param>
    /// <param name="Table">The table's name.</param>
    /// <param name="Delete">Elements to delete first (their values are not sent).</param>
    /// <param name="Add">Elements to add after.</param>
    internal sealed record Part(NftFamily Family, string Table, IEnumerable<NftElement> Delete, IEnumerable<NftElement> Add);

    /// <summary>Writes the batch into <paramref name="output"/>; sequence numbers start at <paramref name="firstSequence"/>.</summary>
    /// <param name="output">Where the bytes go.</param>
    /// <param name="table">The table (family ip).</param>
    /// <param name="delete">Elements to delete first (their values are not sent).</param>
    /// <param name="add">Elements to add after.</param>
    /// <param name="firstSequence">The batch begin's sequence number; each message takes the next one.</param>
    /// <returns>The element messages, in order (the batch end has the sequence after the last).</returns>
    public static List<Message> Write(IBufferWriter<byte> output, string table, IEnumerable<NftElement> delete, IEnumerable<NftElement> add, uint firstSequence) =>
        Write(output, [new Part(NftFamily.Ip, table, delete, add)], firstSequence);

    /// <summary>
    /// Writes one batch with the element changes of several tables (the <c>ip</c> and <c>ip6</c> services tables of a
    /// dual-stack change commit together): each table's deletes, then its adds, in the order given.
    /// </summary>
    /// <param name="output">Where the bytes go.</param>
    /// <param name="parts">The tables' changes.</param>
    /// <param name="firstSequence">The batch begin's sequence number; each message takes the next one.</param>
    /// <returns>The element messages, in order (the batch end has the sequence after the last).</returns>
    public static List<Message> Write(IBufferWriter<byte> output, IReadOnlyList<Part> parts, uint firstSequence)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(parts);
        var sequence = firstSequence;
        var messages = new List<Message>();
        WriteControl(output, BatchBegin, sequence++);
        foreach (var part in parts)
        {
            foreach (var (verb, type, flags, elements) in new[] { ("delete", DelSetElem, NlmFAck, part.Delete), ("add", NewSetElem, (ushort)(NlmFAck | NlmFCreate), part.Add) })
            {
                foreach (var set in elements.GroupBy(e => e.Set, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
                {
                    var list = set.ToList();
                    for (var start = 0; start < list.Count;)
                    {
                        var count = WriteElements(output, type, flags, sequence, part.Family.NfProto, part.Table, set.Key, list, start, withValues: type == NewSetElem);
                        messages.Add(new Message(sequence++,
                            $"{verb} element {part.Family.Name} {part.Table} {set.Key} ({count} element{(count == 1 ? string.Empty : "s")}, first {list[start].Text(withValue: false)})"));
                        start += count;
                    }
                }
            }
        }

        WriteControl(output, BatchEnd, sequence);
        return messages;
    }

    /// <summary>A batch begin or end: an nfgenmsg whose resource ID names the nf_tables subsystem.</summary>
    private static void WriteControl(IBufferWriter<byte> output, ushort type, uint sequence)
    {
        var span = output.GetSpan(20);
        WriteHeader(span, 20, type, NlmFRequest, sequence);
        span[16] = 0; // AF_UNSPEC
        span[17] = 0; // NFNETLINK_V0
        BinaryPrimitives.WriteUInt16BigEndian(span[18..], NfnlSubsysNftables);
        output.Advance(20);
    }

    /// <summary>One set-element message from <paramref name="start"/> on, as many elements as fit; returns how many.</summary>
    private static int WriteElements(IBufferWriter<byte> output, ushort type, ushort flags, uint sequence, byte nfproto, string table, string set,
        List<NftElement> elements, int start, bool withValues)
    {
        var tableBytes = Encoding.ASCII.GetByteCount(table) + 1;
        var setBytes = Encoding.ASCII.GetByteCount(set) + 1;
        var headerBytes = 16 + 4 + Aligned(4 + tableBytes) + Aligned(4 + setBytes) + 4;
        var span = output.GetSpan(headerBytes + MaxListBytes + 64);
        var at = 20;
        at = WriteString(span, at, ListTable, table);
        at = WriteString(span, at, ListSet, set);
        var list = at;
        at += 4;
        Span<byte> key = stackalloc byte[NftElement.MaxKeyBytes];
        Span<byte> value = stackalloc byte[NftElement.MaxValueBytes];
        var count = 0;
        for (var i = start; i < elements.Count && at - list < MaxListBytes; i++, count++)
        {
            var keyLength = elements[i].WriteKey(key);
            var valueLength = withValues ? elements[i].WriteValue(value) : 0;
            var element = at;
            at += 4;
            at = WriteData(span, at, ElemKey, key[..keyLength]);
            if (valueLength > 0)
            {
                at = WriteData(span, at, ElemData, value[..valueLength]);
            }

            WriteAttributeHeader(span, element, at - element, ListElem);
        }

        WriteAttributeHeader(span, list, at - list, ListElements);
        WriteHeader(span, at, type, (ushort)(NlmFRequest | flags), sequence);
        span[16] = nfproto;
        span[17] = 0;
        span[18] = 0;
        span[19] = 0;
        output.Advance(at);
        return count;
    }

    /// <summary>A nested <c>NFTA_DATA_VALUE</c> holding <paramref name="data"/> (a multiple of 4 bytes).</summary>
    private static int WriteData(Span<byte> span, int at, ushort type, ReadOnlySpan<byte> data)
    {
        WriteAttributeHeader(span, at, 8 + data.Length, type);
        WriteAttributeHeader(span, at + 4, 4 + data.Length, DataValue);
        data.CopyTo(span[(at + 8)..]);
        return at + 8 + data.Length;
    }

    private static int WriteString(Span<byte> span, int at, ushort type, string value)
    {
        var length = 4 + Encoding.ASCII.GetBytes(value, span[(at + 4)..]) + 1;
        span[at + length - 1] = 0;
        WriteAttributeHeader(span, at, length, type);
        var end = at + Aligned(length);
        span[(at + length)..end].Clear();
        return end;
    }

    private static void WriteAttributeHeader(Span<byte> span, int at, int length, ushort type)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(span[at..], checked((ushort)length));
        BinaryPrimitives.WriteUInt16LittleEndian(span[(at + 2)..], type);
    }

    private static void WriteHeader(Span<byte> span, int length, ushort type, ushort flags, uint sequence)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)length);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], type);
        BinaryPrimitives.WriteUInt16LittleEndian(span[6..], flags);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(span[12..], 0);
    }

    private static int Aligned(int length) => (length + 3) & ~3;
}
