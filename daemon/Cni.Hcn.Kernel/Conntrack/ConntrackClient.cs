using Cni.Hcn.Kernel.Interop;
using Cni.Hcn.Kernel.Netlink;

namespace Cni.Hcn.Kernel.Conntrack;

/// <summary>
/// The two ctnetlink operations the stale-flow cleanup needs, on a NETLINK_NETFILTER socket bound to one network
/// namespace (the node's, opened there like the rtnetlink socket): dump the IPv4 table, delete one entry. This is
/// what <c>conntrack -L</c> / <c>conntrack -D</c> send (the binary is not installed on nodes, and no process is
/// spawned). Needs CAP_NET_ADMIN in that namespace.
/// </summary>
internal sealed class ConntrackClient : IDisposable
{
    private readonly NetlinkSocket _socket;

    /// <summary>Wraps an open NETLINK_NETFILTER socket (owned: disposed with the client).</summary>
    public ConntrackClient(NetlinkSocket socket)
    {
        _socket = socket;
    }

    /// <summary>Opens a client on the calling thread's network namespace.</summary>
    public static ConntrackClient Open() => new(NetlinkSocket.Open(Libc.NetlinkNetfilter));

    /// <summary>IPCTNL_MSG_CT_GET with NLM_F_DUMP for IPv4 (the kernel filters by <c>nfgen_family</c>).</summary>
    public static NetlinkMessageBuilder DumpRequest() =>
        new NetlinkMessageBuilder(Ctnetlink.MessageType(Ctnetlink.IpctnlMsgCtGet), Rtnl.NlmFDump).NfGenMsg(Rtnl.AfInet, Ctnetlink.NfnetlinkV0);

    /// <summary>
    /// IPCTNL_MSG_CT_DELETE of <paramref name="entry"/> by its original tuple, with its zone, and its ID when known so
    /// a newer flow that reuses the tuple is not deleted by mistake.
    /// </summary>
    public static NetlinkMessageBuilder DeleteRequest(ConntrackEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var request = new NetlinkMessageBuilder(Ctnetlink.MessageType(Ctnetlink.IpctnlMsgCtDelete), Rtnl.NlmFAck).NfGenMsg(Rtnl.AfInet, Ctnetlink.NfnetlinkV0);
        entry.Original.AppendTo(request, Ctnetlink.CtaTupleOrig);
        if (entry.Zone != 0)
        {
            request.AddU16BigEndian(Ctnetlink.CtaZone, entry.Zone);
        }

        if (entry.Id is { } id)
        {
            request.AddU32BigEndian(Ctnetlink.CtaId, id);
        }

        return request;
    }

    /// <summary>Every IPv4 conntrack entry of the namespace.</summary>
    public List<ConntrackEntry> List() =>
        _socket.Dump(DumpRequest(), "IPCTNL_MSG_CT_GET dump").Select(ConntrackEntry.Parse).OfType<ConntrackEntry>().ToList();

    /// <summary>Deletes one entry; false when it is already gone (expired, or deleted by someone else meanwhile).</summary>
    public bool Delete(ConntrackEntry entry)
    {
        try
        {
            _socket.Request(DeleteRequest(entry), $"IPCTNL_MSG_CT_DELETE {entry.Original}");
            return true;
        }
        catch (NetlinkException ex) when (ex.IsNotFound)
        {
            return false;
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _socket.Dispose();
}
