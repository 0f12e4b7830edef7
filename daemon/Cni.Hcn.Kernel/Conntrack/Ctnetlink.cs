namespace Cni.Hcn.Kernel.Conntrack;

/// <summary>
/// ctnetlink numbers (linux/netfilter/nfnetlink.h, nfnetlink_conntrack.h), named as the uapi names them. Only what
/// the stale-flow cleanup uses: dump the table, delete one entry by its original tuple.
/// </summary>
internal static class Ctnetlink
{
    /// <summary>NFNL_SUBSYS_CTNETLINK: the high byte of every conntrack message type.</summary>
    public const byte NfnlSubsysCtnetlink = 1;

    /// <summary>NFNETLINK_V0, the only <c>nfgenmsg.version</c>.</summary>
    public const byte NfnetlinkV0 = 0;

    /// <summary>Length of <c>struct nfgenmsg</c> (family, version, be16 res_id).</summary>
    public const int NfGenMsgLength = 4;

    // enum cntl_msg_types
    public const byte IpctnlMsgCtNew = 0;
    public const byte IpctnlMsgCtGet = 1;
    public const byte IpctnlMsgCtDelete = 2;

    // enum ctattr_type
    public const ushort CtaTupleOrig = 1;
    public const ushort CtaTupleReply = 2;
    public const ushort CtaId = 12;
    public const ushort CtaZone = 18;

    // enum ctattr_tuple
    public const ushort CtaTupleIp = 1;
    public const ushort CtaTupleProto = 2;

    // enum ctattr_ip
    public const ushort CtaIpV4Src = 1;
    public const ushort CtaIpV4Dst = 2;

    // enum ctattr_l4proto (ports are big-endian)
    public const ushort CtaProtoNum = 1;
    public const ushort CtaProtoSrcPort = 2;
    public const ushort CtaProtoDstPort = 3;

    // IPPROTO_*: the protocols whose flows outlive a backend (no reset ends them).
    public const byte IpprotoTcp = 6;
    public const byte IpprotoUdp = 17;
    public const byte IpprotoSctp = 132;

    /// <summary>The nlmsghdr type of a ctnetlink message: <c>(NFNL_SUBSYS_CTNETLINK &lt;&lt; 8) | msg</c>.</summary>
    public static ushort MessageType(byte message) => (ushort)((NfnlSubsysCtnetlink << 8) | message);
}
