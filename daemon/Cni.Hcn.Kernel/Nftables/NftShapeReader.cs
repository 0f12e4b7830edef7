using System.Buffers.Binary;
using Cni.Hcn.Kernel.Netlink;

namespace Cni.Hcn.Kernel.Nftables;

/// <summary>
/// Reads one <c>ip</c> (or <c>ip6</c>) table's <see cref="NftTableShape"/> from the kernel over a netfilter netlink socket: one
/// rule dump filtered to the table, one set dump filtered to it (which also says whether the table exists), and one
/// element dump per named set, of which only the elements are counted. No text is printed or parsed, unlike
/// <c>nft list table</c>, which also fetches every other table's objects first.
/// </summary>
internal static class NftShapeReader
{
    /// <summary>(NFNL_SUBSYS_NFTABLES &lt;&lt; 8) | NFT_MSG_GETRULE.</summary>
    public const ushort GetRule = (10 << 8) | 7;

    /// <summary>(NFNL_SUBSYS_NFTABLES &lt;&lt; 8) | NFT_MSG_GETSET.</summary>
    public const ushort GetSet = (10 << 8) | 10;

    /// <summary>(NFNL_SUBSYS_NFTABLES &lt;&lt; 8) | NFT_MSG_GETSETELEM.</summary>
    public const ushort GetSetElem = (10 << 8) | 13;

    private const byte NfprotoIpv4 = 2;
    private const ushort NftaRuleTable = 1;
    private const ushort NftaRuleChain = 2;
    private const ushort NftaSetTable = 1;
    private const ushort NftaSetName = 2;
    private const ushort NftaSetFlags = 3;
    private const ushort NftaSetElemListTable = 1;
    private const ushort NftaSetElemListSet = 2;
    private const ushort NftaSetElemListElements = 3;
    private const ushort NftaListElem = 1;
    private const uint NftSetAnonymous = 0x1;

    /// <summary>The table's shape, or null when the kernel has no such table (<c>ip</c>, or of <paramref name="family"/>).</summary>
    /// <exception cref="NetlinkException">A dump failed for another reason.</exception>
    public static NftTableShape? Read(NetlinkSocket socket, string table, NftFamily? family = null)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentException.ThrowIfNullOrEmpty(table);
        var nfproto = (family ?? NftFamily.Ip).NfProto;
        List<NetlinkMessage> sets;
        try
        {
            sets = socket.Dump(SetDumpRequest(table, nfproto), "nftables set dump");
        }
        catch (NetlinkException ex) when (ex.IsNotFound)
        {
            return null;
        }

        var shape = new NftTableShape();
        foreach (var reply in sets)
        {
            if (NamedSet(reply) is { } name)
            {
                shape.Elements[name] = socket.Dump(ElementDumpRequest(table, name, nfproto), "nftables element dump").Sum(CountElements);
            }
        }

        foreach (var reply in socket.Dump(RuleDumpRequest(table, nfproto), "nftables rule dump"))
        {
            if (reply.Payload.Length > 4 && NetlinkAttributes.Parse(reply.Payload[4..]) is var attributes
                && attributes.GetString(NftaRuleTable) == table && attributes.GetString(NftaRuleChain) is { } chain)
            {
                shape.Rules[chain] = shape.Rules.GetValueOrDefault(chain) + 1;
            }
        }

        return shape;
    }

    /// <summary>NFT_MSG_GETRULE dump of one table's rules (the kernel filters by NFTA_RULE_TABLE).</summary>
    public static NetlinkMessageBuilder RuleDumpRequest(string table, byte nfproto = NfprotoIpv4) =>
        new NetlinkMessageBuilder(GetRule, Rtnl.NlmFDump).NfGenMsg(nfproto).AddString(NftaRuleTable, table);

    /// <summary>NFT_MSG_GETSET dump of one table's sets; ENOENT when the table does not exist.</summary>
    public static NetlinkMessageBuilder SetDumpRequest(string table, byte nfproto = NfprotoIpv4) =>
        new NetlinkMessageBuilder(GetSet, Rtnl.NlmFDump).NfGenMsg(nfproto).AddString(NftaSetTable, table);

    /// <summary>NFT_MSG_GETSETELEM dump of one set's elements.</summary>
    public static NetlinkMessageBuilder ElementDumpRequest(string table, string set, byte nfproto = NfprotoIpv4) =>
        new NetlinkMessageBuilder(GetSetElem, Rtnl.NlmFDump).NfGenMsg(nfproto).AddString(NftaSetElemListTable, table).AddString(NftaSetElemListSet, set);

    /// <summary>The name of a set in a NEWSET reply, null for an anonymous one (a rule's inline set).</summary>
    public static string? NamedSet(NetlinkMessage reply)
    {
        if (reply.Payload.Length <= 4)
        {
            return null;
        }

        var attributes = NetlinkAttributes.Parse(reply.Payload[4..]);
        var flags = attributes.Get(NftaSetFlags) is { Length: >= 4 } f ? BinaryPrimitives.ReadUInt32BigEndian(f.Span) : 0;
        return (flags & NftSetAnonymous) != 0 ? null : attributes.GetString(NftaSetName);
    }

    /// <summary>
    /// How many elements one NEWSETELEM reply carries: the NFTA_LIST_ELEM attributes inside
    /// NFTA_SET_ELEM_LIST_ELEMENTS, counted by walking them (<see cref="NetlinkAttributes"/> keeps one per type).
    /// </summary>
    public static int CountElements(NetlinkMessage reply)
    {
        if (reply.Payload.Length <= 4 || NetlinkAttributes.Parse(reply.Payload[4..]).Get(NftaSetElemListElements) is not { } elements)
        {
            return 0;
        }

        var span = elements.Span;
        var count = 0;
        var offset = 0;
        while (offset + 4 <= span.Length)
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(span[offset..]);
            if (length < 4 || offset + length > span.Length)
            {
                break;
            }

            if ((BinaryPrimitives.ReadUInt16LittleEndian(span[(offset + 2)..]) & Rtnl.NlaTypeMask) == NftaListElem)
            {
                count++;
            }

            offset += (length + 3) & ~3;
        }

        return count;
    }
}
