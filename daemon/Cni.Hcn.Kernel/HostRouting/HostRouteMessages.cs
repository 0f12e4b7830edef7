using System.Net;
using System.Net.Sockets;
using Cni.Hcn.HostRouting;
using Cni.Hcn.Kernel.Netlink;

namespace Cni.Hcn.Kernel.HostRouting;

/// <summary>
/// The rtnetlink messages of <see cref="NetlinkHostRouting"/>, built and parsed apart from the socket so that their
/// layout is unit-tested (linux/rtnetlink.h, if_link.h, ip-sysctl devconf numbering).
/// </summary>
internal static class HostRouteMessages
{
    /// <summary><c>IFLA_AF_SPEC</c>: per-family link settings.</summary>
    public const ushort IflaAfSpec = 26;

    /// <summary><c>IFLA_INET_CONF</c> inside <c>AF_INET</c>: the IPv4 devconf (read: a u32 array; write: nested, type = devconf index).</summary>
    public const ushort IflaInetConf = 1;

    /// <summary><c>IFLA_INET6_CONF</c> inside <c>AF_INET6</c>: the IPv6 devconf as an s32 array, <c>DEVCONF_FORWARDING</c> first.</summary>
    public const ushort IflaInet6Conf = 2;

    /// <summary><c>IPV4_DEVCONF_FORWARDING</c>: the first IPv4 devconf (index 1; array slot 0 when read).</summary>
    public const ushort Ipv4DevconfForwarding = 1;

    /// <summary><c>RT_SCOPE_NOWHERE</c>: on delete, "any scope".</summary>
    public const byte RtScopeNowhere = 255;

    /// <summary>RTM_NEWROUTE, exclusive (an existing route is EEXIST): main table, static, unicast.</summary>
    public static NetlinkMessageBuilder Add(HostRoute route)
    {
        var onLink = route.IsOnLink;
        var request = new NetlinkMessageBuilder(Rtnl.RtmNewRoute, Rtnl.NlmFAck | Rtnl.NlmFCreate | Rtnl.NlmFExcl)
            .RtMsg(Family(route.Family), (byte)route.Destination.PrefixLength, Rtnl.RtTableMain, Rtnl.RtprotStatic,
                onLink ? Rtnl.RtScopeLink : Rtnl.RtScopeUniverse, Rtnl.RtnUnicast, 0);
        AddKey(request, route);
        if (route.Metric > 0)
        {
            request.AddU32(Rtnl.RtaPriority, route.Metric);
        }

        return request;
    }

    /// <summary>RTM_DELROUTE matching destination, next hop and interface, any scope, protocol and metric.</summary>
    public static NetlinkMessageBuilder Delete(HostRoute route)
    {
        var request = new NetlinkMessageBuilder(Rtnl.RtmDelRoute, Rtnl.NlmFAck)
            .RtMsg(Family(route.Family), (byte)route.Destination.PrefixLength, Rtnl.RtTableMain, 0, RtScopeNowhere, Rtnl.RtnUnicast, 0);
        AddKey(request, route);
        return request;
    }

    /// <summary>RTM_NEWLINK on an existing link: <c>IFLA_AF_SPEC { AF_INET { IFLA_INET_CONF { FORWARDING = 0|1 } } }</c>.</summary>
    public static NetlinkMessageBuilder SetIpv4Forwarding(int index, bool enabled) =>
        new NetlinkMessageBuilder(Rtnl.RtmNewLink, Rtnl.NlmFAck).IfInfo(index: index)
            .BeginNested(IflaAfSpec).BeginNested(Rtnl.AfInet).BeginNested(IflaInetConf)
            .AddU32(Ipv4DevconfForwarding, enabled ? 1u : 0u)
            .EndNested().EndNested().EndNested();

    /// <summary>A route of the main table from an RTM_NEWROUTE payload, or null for another table, type or a multipath route.</summary>
    public static HostRoute? Parse(ReadOnlyMemory<byte> payload)
    {
        if (payload.Length < Rtnl.RtMsgLength)
        {
            return null;
        }

        var header = payload.Span;
        var family = header[0];
        var prefixLength = header[1];
        var type = header[7];
        var attributes = NetlinkAttributes.Parse(payload[Rtnl.RtMsgLength..]);
        var table = attributes.GetU32(Rtnl.RtaTable) ?? header[4];
        if (table != Rtnl.RtTableMain || type != Rtnl.RtnUnicast || attributes.GetU32(Rtnl.RtaOif) is not { } oif)
        {
            return null;
        }

        var any = family == Rtnl.AfInet6 ? IPAddress.IPv6Any : IPAddress.Any;
        var destination = attributes.GetAddress(Rtnl.RtaDst) ?? any;
        if (destination.AddressFamily != any.AddressFamily)
        {
            return null;
        }

        return new HostRoute(
            new IPNetwork(destination, prefixLength),
            attributes.GetAddress(Rtnl.RtaGateway) ?? any,
            (int)oif,
            attributes.GetU32(Rtnl.RtaPriority) ?? 0);
    }

    private static void AddKey(NetlinkMessageBuilder request, HostRoute route)
    {
        if (route.Destination.PrefixLength > 0)
        {
            request.AddAddress(Rtnl.RtaDst, route.Destination.BaseAddress);
        }

        if (!route.IsOnLink)
        {
            request.AddAddress(Rtnl.RtaGateway, route.NextHop);
        }

        request.AddU32(Rtnl.RtaOif, (uint)route.InterfaceIndex);
    }

    private static byte Family(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? Rtnl.AfInet6 : Rtnl.AfInet;
}
