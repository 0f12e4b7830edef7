using Cni.Hcn.Kernel.Interop;
using Cni.Hcn.Kernel.Namespaces;
using Cni.Hcn.Kernel.Netlink;

namespace Cni.Hcn.Kernel.Nftables;

/// <summary>
/// The names of a namespace's <c>ip</c> (or <c>ip6</c>) nftables tables, read with one NFT_MSG_GETTABLE dump over a netfilter netlink
/// socket. <c>nft list tables</c> cannot be used for this at scale: nft 1.0.6 fetches the whole ruleset, elements
/// included, before printing the names (1.1 s with 20,000 load balancers, measured), which a restart would pay.
/// </summary>
internal static class NftTableList
{
    private const ushort NftMsgGetTable = (10 << 8) | 1;
    private const ushort NftaTableName = 1;

    /// <summary>The tables of <paramref name="family"/> whose name starts with <paramref name="prefix"/>.</summary>
    /// <param name="netnsPath">The namespace; null for the process's own.</param>
    /// <param name="prefix">The name prefix.</param>
    /// <param name="family">The tables' family.</param>
    /// <exception cref="NetlinkException">The dump failed.</exception>
    public static List<string> Tables(string? netnsPath, string prefix, NftFamily family)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(family);
        return netnsPath is null ? Dump(prefix, family.NfProto) : NetnsThread.Run(netnsPath, () => Dump(prefix, family.NfProto));
    }

    private static List<string> Dump(string prefix, byte nfproto)
    {
        using var socket = NetlinkSocket.Open(Libc.NetlinkNetfilter);

        // struct nfgenmsg: family, version (NFNETLINK_V0), resource id (big endian, 0).
        var request = new NetlinkMessageBuilder(NftMsgGetTable, Rtnl.NlmFDump).AppendRaw([nfproto, 0, 0, 0]);
        var names = new List<string>();
        foreach (var reply in socket.Dump(request, "nftables table dump"))
        {
            if (reply.Payload.Length > 4
                && NetlinkAttributes.Parse(reply.Payload[4..]).GetString(NftaTableName) is { } name
                && name.StartsWith(prefix, StringComparison.Ordinal))
            {
                names.Add(name);
            }
        }

        return names;
    }
}
