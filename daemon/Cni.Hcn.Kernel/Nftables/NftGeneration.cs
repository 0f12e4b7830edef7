using System.Buffers.Binary;
using Cni.Hcn.Kernel.Netlink;

namespace Cni.Hcn.Kernel.Nftables;

/// <summary>
/// nf_tables' generation ID (NFT_MSG_GETGEN): a per-namespace counter every committed transaction bumps by one,
/// whoever commits it, so comparing it with the value after wincni's own last commit tells, for one tiny request,
/// whether anything else has changed nftables since.
/// </summary>
/// <param name="Id">NFTA_GEN_ID.</param>
/// <param name="ProcessId">NFTA_GEN_PROC_PID: the process that committed last (0 when the kernel does not say).</param>
/// <param name="ProcessName">NFTA_GEN_PROC_NAME, null when the kernel does not say.</param>
internal readonly record struct NftGeneration(uint Id, uint ProcessId, string? ProcessName)
{
    /// <summary>(NFNL_SUBSYS_NFTABLES &lt;&lt; 8) | NFT_MSG_GETGEN.</summary>
    public const ushort GetGen = (10 << 8) | 16;

    /// <summary>(NFNL_SUBSYS_NFTABLES &lt;&lt; 8) | NFT_MSG_NEWGEN, the reply's type.</summary>
    public const ushort NewGen = (10 << 8) | 15;

    private const ushort NftaGenId = 1;
    private const ushort NftaGenProcPid = 2;
    private const ushort NftaGenProcName = 3;

    /// <summary>The request: a GET without DUMP, answered with one NEWGEN message.</summary>
    public static NetlinkMessageBuilder Request() => new NetlinkMessageBuilder(GetGen, 0).NfGenMsg(0);

    /// <summary>Reads a NEWGEN reply.</summary>
    /// <exception cref="NetlinkException">The reply is not a NEWGEN message with a generation ID.</exception>
    public static NftGeneration Parse(NetlinkMessage reply)
    {
        if (reply.Type != NewGen || reply.Payload.Length < 4)
        {
            throw new NetlinkException($"nftables generation: unexpected reply type 0x{reply.Type:x4}");
        }

        var attributes = NetlinkAttributes.Parse(reply.Payload[4..]);

        // nfnetlink's integers are big endian.
        static uint? BigEndian(ReadOnlyMemory<byte>? value) => value is { Length: >= 4 } v ? BinaryPrimitives.ReadUInt32BigEndian(v.Span) : null;
        var id = BigEndian(attributes.Get(NftaGenId))
            ?? throw new NetlinkException("nftables generation: no NFTA_GEN_ID in the reply");
        return new NftGeneration(id, BigEndian(attributes.Get(NftaGenProcPid)) ?? 0, attributes.GetString(NftaGenProcName));
    }
}
