using System.Net;
using System.Net.NetworkInformation;

namespace Cni.Hcn.Kernel.Netlink;

/// <summary>What RTM_GETLINK reports about a link that KernelHcn cares about.</summary>
/// <param name="Index">The ifindex.</param>
/// <param name="Flags">IFF_* flags (IFF_UP = 1).</param>
/// <param name="Mac">The link-layer address, if any.</param>
/// <param name="MasterIndex">The ifindex of the bridge it is a port of (0 when none).</param>
/// <param name="Kind">IFLA_INFO_KIND ("bridge", "veth", "vxlan"), if any.</param>
/// <param name="VxlanId">The VNI of a vxlan link.</param>
/// <param name="VxlanPort">The UDP destination port of a vxlan link.</param>
/// <param name="VxlanLocal">The local (source) address of a vxlan link.</param>
/// <param name="Group">The link group (IFLA_GROUP).</param>
/// <param name="LinkIndex">IFLA_LINK: for a veth, its peer's ifindex (in the peer's namespace); 0 when none.</param>
internal sealed record LinkInfo(
    int Index,
    string Name,
    uint Flags,
    int Mtu,
    PhysicalAddress? Mac,
    int MasterIndex,
    string? Kind,
    uint? VxlanId = null,
    ushort? VxlanPort = null,
    IPAddress? VxlanLocal = null,
    uint Group = 0,
    int LinkIndex = 0)
{
    /// <summary>Administratively up.</summary>
    public bool IsUp => (Flags & Rtnl.IffUp) != 0;

    /// <summary>Parses an RTM_NEWLINK payload (ifinfomsg + attributes).</summary>
    public static LinkInfo Parse(ReadOnlyMemory<byte> payload)
    {
        var span = payload.Span;
        var index = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(span[4..]);
        var flags = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(span[8..]);
        var attributes = NetlinkAttributes.Parse(payload[Rtnl.IfInfoMsgLength..]);
        var info = attributes.GetNested(Rtnl.IflaLinkinfo);
        var kind = info?.GetString(Rtnl.IflaInfoKind);
        var data = info?.GetNested(Rtnl.IflaInfoData);
        var mac = attributes.Get(Rtnl.IflaAddress) is { Length: 6 } m ? new PhysicalAddress(m.ToArray()) : null;
        var isVxlan = string.Equals(kind, "vxlan", StringComparison.Ordinal);
        return new LinkInfo(
            index,
            attributes.GetString(Rtnl.IflaIfname) ?? string.Empty,
            flags,
            (int)(attributes.GetU32(Rtnl.IflaMtu) ?? 0),
            mac,
            (int)(attributes.GetU32(Rtnl.IflaMaster) ?? 0),
            kind,
            isVxlan ? data?.GetU32(Rtnl.IflaVxlanId) : null,
            isVxlan ? data?.GetU16BigEndian(Rtnl.IflaVxlanPort) : null,
            isVxlan ? data?.GetAddress(Rtnl.IflaVxlanLocal) : null,
            attributes.GetU32(Rtnl.IflaGroup) ?? 0,
            (int)(attributes.GetU32(Rtnl.IflaLink) ?? 0));
    }
}
