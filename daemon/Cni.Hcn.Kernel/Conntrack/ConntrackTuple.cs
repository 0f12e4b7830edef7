using System.Net;
using Cni.Hcn.Kernel.Netlink;

namespace Cni.Hcn.Kernel.Conntrack;

/// <summary>One direction of a conntrack entry (<c>CTA_TUPLE_ORIG</c> or <c>CTA_TUPLE_REPLY</c>): IPv4 addresses, protocol, ports.</summary>
/// <param name="Protocol">IPPROTO_* (<c>CTA_PROTO_NUM</c>).</param>
/// <param name="Source">CTA_IP_V4_SRC.</param>
/// <param name="Destination">CTA_IP_V4_DST.</param>
/// <param name="SourcePort">CTA_PROTO_SRC_PORT (0 for protocols without ports).</param>
/// <param name="DestinationPort">CTA_PROTO_DST_PORT.</param>
internal readonly record struct ConntrackTuple(byte Protocol, IPAddress Source, IPAddress Destination, ushort SourcePort, ushort DestinationPort)
{
    /// <summary>Reads a tuple nest; null when it is not IPv4 or lacks addresses or the protocol.</summary>
    public static ConntrackTuple? Parse(NetlinkAttributes? tuple)
    {
        var ip = tuple?.GetNested(Ctnetlink.CtaTupleIp);
        var proto = tuple?.GetNested(Ctnetlink.CtaTupleProto);
        if (ip?.GetAddress(Ctnetlink.CtaIpV4Src) is not { } source || ip.GetAddress(Ctnetlink.CtaIpV4Dst) is not { } destination
            || proto?.GetU8(Ctnetlink.CtaProtoNum) is not { } protocol)
        {
            return null;
        }

        return new ConntrackTuple(protocol, source, destination,
            proto.GetU16BigEndian(Ctnetlink.CtaProtoSrcPort) ?? 0, proto.GetU16BigEndian(Ctnetlink.CtaProtoDstPort) ?? 0);
    }

    /// <summary>Appends this tuple as nest <paramref name="type"/> (the layout ctnetlink_parse_tuple reads).</summary>
    public NetlinkMessageBuilder AppendTo(NetlinkMessageBuilder message, ushort type)
    {
        ArgumentNullException.ThrowIfNull(message);

        // NLA_F_NESTED as libnetfilter_conntrack sets it: the kernel accepts it and strict parsers require it.
        return message.BeginNested((ushort)(type | Rtnl.NlaFNested))
            .BeginNested((ushort)(Ctnetlink.CtaTupleIp | Rtnl.NlaFNested))
            .AddAddress(Ctnetlink.CtaIpV4Src, Source).AddAddress(Ctnetlink.CtaIpV4Dst, Destination)
            .EndNested()
            .BeginNested((ushort)(Ctnetlink.CtaTupleProto | Rtnl.NlaFNested))
            .AddU8(Ctnetlink.CtaProtoNum, Protocol)
            .AddU16BigEndian(Ctnetlink.CtaProtoSrcPort, SourcePort).AddU16BigEndian(Ctnetlink.CtaProtoDstPort, DestinationPort)
            .EndNested()
            .EndNested();
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Protocol} {Source}:{SourcePort} -> {Destination}:{DestinationPort}";
}
