using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Cni.Hcn.Kernel.Netlink;

/// <summary>
/// The rtnetlink operations KernelHcn performs, each one netlink request on a socket bound to one network namespace:
/// links (bridge, veth, vxlan; set up/MTU/MAC/name/master/netns; delete), addresses, routes, neighbours and FDB entries.
/// No process is spawned. Creates and replaces are idempotent where the kernel allows it (NLM_F_REPLACE).
/// </summary>
internal sealed class RtnetlinkClient : IDisposable
{
    private readonly NetlinkSocket _socket;

    /// <summary>Wraps an open socket (owned: disposed with the client).</summary>
    public RtnetlinkClient(NetlinkSocket socket)
    {
        _socket = socket;
    }

    /// <summary>Opens a client on the calling thread's network namespace.</summary>
    public static RtnetlinkClient Open() => new(NetlinkSocket.Open());

    // ---- links ----

    /// <summary>The link named <paramref name="name"/>, or null.</summary>
    public LinkInfo? GetLink(string name)
    {
        var request = new NetlinkMessageBuilder(Rtnl.RtmGetLink, 0).IfInfo().AddString(Rtnl.IflaIfname, name);
        try
        {
            return LinkInfo.Parse(_socket.Get(request, $"RTM_GETLINK {name}").Payload);
        }
        catch (NetlinkException ex) when (ex.IsNotFound)
        {
            return null;
        }
    }

    /// <summary>The link with ifindex <paramref name="index"/>, or null.</summary>
    public LinkInfo? GetLink(int index)
    {
        var request = new NetlinkMessageBuilder(Rtnl.RtmGetLink, 0).IfInfo(index: index);
        try
        {
            return LinkInfo.Parse(_socket.Get(request, $"RTM_GETLINK #{index}").Payload);
        }
        catch (NetlinkException ex) when (ex.IsNotFound)
        {
            return null;
        }
    }

    /// <summary>Every link of the namespace.</summary>
    public List<LinkInfo> ListLinks()
    {
        var request = new NetlinkMessageBuilder(Rtnl.RtmGetLink, Rtnl.NlmFDump).IfInfo();
        return _socket.Dump(request, "RTM_GETLINK dump").Where(m => m.Type == Rtnl.RtmNewLink).Select(m => LinkInfo.Parse(m.Payload)).ToList();
    }

    /// <summary>Creates a bridge (down).</summary>
    public void CreateBridge(string name, int mtu = 0)
    {
        var request = new NetlinkMessageBuilder(Rtnl.RtmNewLink, Rtnl.NlmFAck | Rtnl.NlmFCreate | Rtnl.NlmFExcl).IfInfo()
            .AddString(Rtnl.IflaIfname, name);
        if (mtu > 0)
        {
            request.AddU32(Rtnl.IflaMtu, (uint)mtu);
        }

        request.BeginNested(Rtnl.IflaLinkinfo).AddString(Rtnl.IflaInfoKind, "bridge").EndNested();
        _socket.Request(request, $"RTM_NEWLINK bridge {name}");
    }

    /// <summary>Builds the RTM_NEWLINK that creates a VXLAN device (separate so the layout can be unit-tested).</summary>
    public static NetlinkMessageBuilder VxlanRequest(string name, uint vni, ushort port, IPAddress? local, int underlayIndex, PhysicalAddress? mac, int mtu)
    {
        var request = new NetlinkMessageBuilder(Rtnl.RtmNewLink, Rtnl.NlmFAck | Rtnl.NlmFCreate | Rtnl.NlmFExcl).IfInfo()
            .AddString(Rtnl.IflaIfname, name);
        if (mac is not null)
        {
            request.Add(Rtnl.IflaAddress, mac.GetAddressBytes());
        }

        if (mtu > 0)
        {
            request.AddU32(Rtnl.IflaMtu, (uint)mtu);
        }

        request.BeginNested(Rtnl.IflaLinkinfo).AddString(Rtnl.IflaInfoKind, "vxlan").BeginNested(Rtnl.IflaInfoData)
            .AddU32(Rtnl.IflaVxlanId, vni);
        if (local is not null)
        {
            request.AddAddress(Rtnl.IflaVxlanLocal, local);
        }

        if (underlayIndex > 0)
        {
            request.AddU32(Rtnl.IflaVxlanLink, (uint)underlayIndex);
        }

        // Learning off: remote VTEPs come from FDB entries we program (flannel's "nolearning").
        request.AddU8(Rtnl.IflaVxlanLearning, 0).AddU16BigEndian(Rtnl.IflaVxlanPort, port).EndNested().EndNested();
        return request;
    }

    /// <summary>Creates a VXLAN device (down).</summary>
    public void CreateVxlan(string name, uint vni, ushort port, IPAddress? local, int underlayIndex, PhysicalAddress? mac, int mtu) =>
        _socket.Request(VxlanRequest(name, vni, port, local, underlayIndex, mac, mtu), $"RTM_NEWLINK vxlan {name} (VNI {vni}, port {port})");

    /// <summary>Builds the RTM_NEWLINK that creates a veth pair (separate so the layout can be unit-tested).</summary>
    /// <param name="name">This side's name.</param>
    /// <param name="peerName">The peer's name (in the peer's namespace).</param>
    /// <param name="mtu">MTU of both sides; 0 for the default.</param>
    /// <param name="peerMac">The peer's MAC; null for a random one.</param>
    /// <param name="peerNetnsFd">A namespace descriptor the peer is created in; -1 for this namespace.</param>
    /// <param name="masterIndex">A bridge this side is enslaved to at creation; 0 for none.</param>
    /// <param name="up">Whether this side comes up at creation.</param>
    public static NetlinkMessageBuilder VethRequest(string name, string peerName, int mtu, PhysicalAddress? peerMac, int peerNetnsFd = -1, int masterIndex = 0, bool up = false)
    {
        var request = new NetlinkMessageBuilder(Rtnl.RtmNewLink, Rtnl.NlmFAck | Rtnl.NlmFCreate | Rtnl.NlmFExcl)
            .IfInfo(flags: up ? Rtnl.IffUp : 0u, change: up ? Rtnl.IffUp : 0u)
            .AddString(Rtnl.IflaIfname, name);
        if (mtu > 0)
        {
            request.AddU32(Rtnl.IflaMtu, (uint)mtu);
        }

        if (masterIndex > 0)
        {
            request.AddU32(Rtnl.IflaMaster, (uint)masterIndex);
        }

        request.BeginNested(Rtnl.IflaLinkinfo).AddString(Rtnl.IflaInfoKind, "veth").BeginNested(Rtnl.IflaInfoData)
            .BeginNested(Rtnl.VethInfoPeer).AppendRaw(new byte[Rtnl.IfInfoMsgLength]).AddString(Rtnl.IflaIfname, peerName);
        if (mtu > 0)
        {
            request.AddU32(Rtnl.IflaMtu, (uint)mtu);
        }

        if (peerMac is not null)
        {
            request.Add(Rtnl.IflaAddress, peerMac.GetAddressBytes());
        }

        if (peerNetnsFd >= 0)
        {
            request.AddU32(Rtnl.IflaNetNsFd, (uint)peerNetnsFd);
        }

        request.EndNested().EndNested().EndNested();
        return request;
    }

    /// <summary>Creates a veth pair, both ends down in this namespace.</summary>
    public void CreateVeth(string name, string peerName, int mtu, PhysicalAddress? peerMac) =>
        _socket.Request(VethRequest(name, peerName, mtu, peerMac), $"RTM_NEWLINK veth {name} peer {peerName}");

    /// <summary>
    /// Creates a veth pair whose peer is born (down) in another namespace, this side up on a bridge: no device ever
    /// changes namespace, which would cost a network-wide synchronization (tens of milliseconds).
    /// </summary>
    public void CreateVethInto(string name, int masterIndex, string peerName, int peerNetnsFd, int mtu, PhysicalAddress? peerMac) =>
        _socket.Request(VethRequest(name, peerName, mtu, peerMac, peerNetnsFd, masterIndex, up: true),
            $"RTM_NEWLINK veth {name} (on bridge #{masterIndex}) peer {peerName} in another namespace");

    /// <summary>
    /// Builds the RTM_NEWLINK that creates a macvlan in bridge mode on <paramref name="lowerIndex"/>, born (down) in
    /// another namespace under its final name (separate so the layout can be unit-tested; <c>ip link add link LOWER
    /// name NAME netns NS address MAC mtu MTU type macvlan mode bridge</c>).
    /// </summary>
    public static NetlinkMessageBuilder MacvlanRequest(string name, int lowerIndex, int netnsFd, int mtu, PhysicalAddress? mac)
    {
        var request = new NetlinkMessageBuilder(Rtnl.RtmNewLink, Rtnl.NlmFAck | Rtnl.NlmFCreate | Rtnl.NlmFExcl).IfInfo()
            .AddString(Rtnl.IflaIfname, name)
            .AddU32(Rtnl.IflaLink, (uint)lowerIndex);
        if (mtu > 0)
        {
            request.AddU32(Rtnl.IflaMtu, (uint)mtu);
        }

        if (mac is not null)
        {
            request.Add(Rtnl.IflaAddress, mac.GetAddressBytes());
        }

        if (netnsFd >= 0)
        {
            request.AddU32(Rtnl.IflaNetNsFd, (uint)netnsFd);
        }

        request.BeginNested(Rtnl.IflaLinkinfo).AddString(Rtnl.IflaInfoKind, "macvlan").BeginNested(Rtnl.IflaInfoData)
            .AddU32(Rtnl.IflaMacvlanMode, Rtnl.MacvlanModeBridge).EndNested().EndNested();
        return request;
    }

    /// <summary>Creates a bridge-mode macvlan of <paramref name="lowerIndex"/> directly in the namespace of <paramref name="netnsFd"/>.</summary>
    public void CreateMacvlanInto(string name, int lowerIndex, int netnsFd, int mtu, PhysicalAddress? mac) =>
        _socket.Request(MacvlanRequest(name, lowerIndex, netnsFd, mtu, mac), $"RTM_NEWLINK macvlan {name} (bridge mode on #{lowerIndex}) in another namespace");

    /// <summary>
    /// Builds the RTM_NEWLINK that turns on hairpin mode of a bridge port by name (<c>ip link set NAME type
    /// bridge_slave hairpin on</c>; separate so the layout can be unit-tested).
    /// </summary>
    public static NetlinkMessageBuilder HairpinRequest(string name) =>
        new NetlinkMessageBuilder(Rtnl.RtmNewLink, Rtnl.NlmFAck).IfInfo().AddString(Rtnl.IflaIfname, name)
            .BeginNested(Rtnl.IflaLinkinfo).BeginNested(Rtnl.IflaInfoSlaveData).AddU8(Rtnl.IflaBrportMode, 1).EndNested().EndNested();

    /// <summary>
    /// Lets a bridge port send frames back out of itself (hairpin mode). With br_netfilter on (every new namespace
    /// has <c>bridge-nf-call-iptables</c> = 1), a pod's connection to a service that DNATs to the pod itself is
    /// bridged back to the port it came from, which the bridge drops unless the port is in hairpin mode.
    /// </summary>
    public void SetBridgePortHairpin(string name) => _socket.Request(HairpinRequest(name), $"RTM_NEWLINK {name} bridge_slave hairpin on");

    /// <summary>Builds the RTM_NEWLINK that changes a link (separate so the layout can be unit-tested).</summary>
    public static NetlinkMessageBuilder SetLinkRequest(int index, LinkChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var flags = change.Up is { } up ? (up ? Rtnl.IffUp : 0u) : 0u;
        var mask = change.Up is null ? 0u : Rtnl.IffUp;
        var request = new NetlinkMessageBuilder(Rtnl.RtmNewLink, Rtnl.NlmFAck).IfInfo(index: index, flags: flags, change: mask);
        if (change.Name is not null)
        {
            request.AddString(Rtnl.IflaIfname, change.Name);
        }

        if (change.Mtu is { } mtu)
        {
            request.AddU32(Rtnl.IflaMtu, (uint)mtu);
        }

        if (change.Mac is not null)
        {
            request.Add(Rtnl.IflaAddress, change.Mac.GetAddressBytes());
        }

        if (change.MasterIndex is { } master)
        {
            request.AddU32(Rtnl.IflaMaster, (uint)master);
        }

        if (change.NetnsFd is { } fd)
        {
            request.AddU32(Rtnl.IflaNetNsFd, (uint)fd);
        }

        if (change.Group is { } group)
        {
            request.AddU32(Rtnl.IflaGroup, group);
        }

        return request;
    }

    /// <summary>Changes a link.</summary>
    public void SetLink(int index, LinkChange change) => _socket.Request(SetLinkRequest(index, change), $"RTM_NEWLINK (set) #{index}");

    /// <summary>Deletes a link; false when it did not exist.</summary>
    public bool DeleteLink(int index)
    {
        try
        {
            _socket.Request(new NetlinkMessageBuilder(Rtnl.RtmDelLink, Rtnl.NlmFAck).IfInfo(index: index), $"RTM_DELLINK #{index}");
            return true;
        }
        catch (NetlinkException ex) when (ex.IsNotFound)
        {
            return false;
        }
    }

    /// <summary>Builds the RTM_DELLINK that deletes every link of a group at once (ifindex 0 + IFLA_GROUP).</summary>
    public static NetlinkMessageBuilder DeleteGroupRequest(uint group) =>
        new NetlinkMessageBuilder(Rtnl.RtmDelLink, Rtnl.NlmFAck).IfInfo(index: 0).AddU32(Rtnl.IflaGroup, group);

    /// <summary>
    /// Deletes every link in <paramref name="group"/> in one kernel batch (one unregister, one RCU barrier for all);
    /// false when the group had no link. Fails with EOPNOTSUPP when a member cannot be deleted (a physical NIC).
    /// </summary>
    public bool DeleteGroup(uint group)
    {
        try
        {
            _socket.Request(DeleteGroupRequest(group), $"RTM_DELLINK group {group}");
            return true;
        }
        catch (NetlinkException ex) when (ex.IsNotFound)
        {
            return false;
        }
    }

    /// <summary>Deletes a link by name; false when it did not exist.</summary>
    public bool DeleteLink(string name) => GetLink(name) is { } link && DeleteLink(link.Index);

    // ---- addresses ----

    /// <summary>
    /// Builds the RTM_NEWADDR that adds (or keeps) an address (separate so the layout can be unit-tested). IPv6
    /// addresses are added with IFA_F_NODAD, as the reference CNI plugins configure pod addresses: usable at once
    /// instead of tentative for a second of duplicate address detection, and the addresses are wincni's to hand out.
    /// </summary>
    public static NetlinkMessageBuilder AddressRequest(int index, IPAddress address, int prefixLength)
    {
        ArgumentNullException.ThrowIfNull(address);
        var family = Family(address);
        var flags = family == Rtnl.AfInet6 ? Rtnl.IfaFNodad : (byte)0;
        var request = new NetlinkMessageBuilder(Rtnl.RtmNewAddr, Rtnl.NlmFAck | Rtnl.NlmFCreate | Rtnl.NlmFReplace)
            .IfAddr(family, (byte)prefixLength, index, flags: flags).AddAddress(Rtnl.IfaLocal, address).AddAddress(Rtnl.IfaAddress, address);
        if (flags != 0)
        {
            request.AddU32(Rtnl.IfaFlags, flags);
        }

        return request;
    }

    /// <summary>Adds (or keeps) an address on a link (IPv6 without duplicate address detection, <see cref="AddressRequest"/>).</summary>
    public void AddAddress(int index, IPAddress address, int prefixLength) =>
        _socket.Request(AddressRequest(index, address, prefixLength), $"RTM_NEWADDR {address}/{prefixLength} on #{index}");

    /// <summary>The addresses of the namespace as (ifindex, address, prefix length).</summary>
    public List<(int Index, IPAddress Address, int PrefixLength)> ListAddresses()
    {
        var request = new NetlinkMessageBuilder(Rtnl.RtmGetAddr, Rtnl.NlmFDump).IfAddr(Rtnl.AfUnspec, 0, 0);
        var result = new List<(int, IPAddress, int)>();
        foreach (var message in _socket.Dump(request, "RTM_GETADDR dump").Where(m => m.Type == Rtnl.RtmNewAddr))
        {
            var span = message.Payload.Span;
            var attributes = NetlinkAttributes.Parse(message.Payload[Rtnl.IfAddrMsgLength..]);
            if ((attributes.GetAddress(Rtnl.IfaLocal) ?? attributes.GetAddress(Rtnl.IfaAddress)) is { } address)
            {
                result.Add((System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(span[4..]), address, span[1]));
            }
        }

        return result;
    }

    // ---- routes ----

    /// <summary>Builds an RTM_NEWROUTE/RTM_DELROUTE (separate so the layout can be unit-tested).</summary>
    public static NetlinkMessageBuilder RouteRequest(ushort type, ushort flags, RouteSpec route)
    {
        ArgumentNullException.ThrowIfNull(route);
        var family = Family(route.Destination.BaseAddress);
        var scope = route.Gateway is null ? Rtnl.RtScopeLink : Rtnl.RtScopeUniverse;
        var request = new NetlinkMessageBuilder(type, flags)
            .RtMsg(family, (byte)route.Destination.PrefixLength, Rtnl.RtTableMain, Rtnl.RtprotStatic, scope, Rtnl.RtnUnicast,
                route.OnLink ? Rtnl.RtnhFOnlink : 0);
        if (route.Destination.PrefixLength > 0)
        {
            request.AddAddress(Rtnl.RtaDst, route.Destination.BaseAddress);
        }

        if (route.Gateway is not null)
        {
            request.AddAddress(Rtnl.RtaGateway, route.Gateway);
        }

        if (route.OutputIndex > 0)
        {
            request.AddU32(Rtnl.RtaOif, (uint)route.OutputIndex);
        }

        return request;
    }

    /// <summary>Adds or replaces a route (idempotent).</summary>
    public void ReplaceRoute(RouteSpec route) =>
        _socket.Request(RouteRequest(Rtnl.RtmNewRoute, Rtnl.NlmFAck | Rtnl.NlmFCreate | Rtnl.NlmFReplace, route), $"RTM_NEWROUTE {Describe(route)}");

    /// <summary>
    /// Adds a route beside routes to the same destination through other links (NLM_F_APPEND: a pod's second interface
    /// gets its default route without taking the first one's); false when this very route exists already.
    /// </summary>
    public bool AppendRoute(RouteSpec route)
    {
        try
        {
            _socket.Request(RouteRequest(Rtnl.RtmNewRoute, Rtnl.NlmFAck | Rtnl.NlmFCreate | Rtnl.NlmFAppend, route), $"RTM_NEWROUTE (append) {Describe(route)}");
            return true;
        }
        catch (NetlinkException ex) when (ex.IsAlreadyExists)
        {
            return false;
        }
    }

    /// <summary>The unicast routes of the main table of one family (IPv4 by default).</summary>
    public List<RouteSpec> ListRoutes(byte family = Rtnl.AfInet)
    {
        var request = new NetlinkMessageBuilder(Rtnl.RtmGetRoute, Rtnl.NlmFDump).RtMsg(family, 0, 0, 0, 0, 0, 0);
        var result = new List<RouteSpec>();
        foreach (var message in _socket.Dump(request, "RTM_GETROUTE dump").Where(m => m.Type == Rtnl.RtmNewRoute))
        {
            var span = message.Payload.Span;
            if (span.Length < Rtnl.RtMsgLength || span[0] != family || span[7] != Rtnl.RtnUnicast)
            {
                continue;
            }

            var attributes = NetlinkAttributes.Parse(message.Payload[Rtnl.RtMsgLength..]);
            if ((attributes.GetU32(Rtnl.RtaTable) ?? span[4]) != Rtnl.RtTableMain)
            {
                continue;
            }

            var any = family == Rtnl.AfInet6 ? IPAddress.IPv6Any : IPAddress.Any;
            var destination = new IPNetwork(attributes.GetAddress(Rtnl.RtaDst) ?? any, span[1]);
            var flags = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(span[8..]);
            result.Add(new RouteSpec(destination, attributes.GetAddress(Rtnl.RtaGateway), (int)(attributes.GetU32(Rtnl.RtaOif) ?? 0), (flags & Rtnl.RtnhFOnlink) != 0));
        }

        return result;
    }

    /// <summary>Deletes a route; false when it did not exist.</summary>
    public bool DeleteRoute(RouteSpec route)
    {
        try
        {
            _socket.Request(RouteRequest(Rtnl.RtmDelRoute, Rtnl.NlmFAck, route), $"RTM_DELROUTE {Describe(route)}");
            return true;
        }
        catch (NetlinkException ex) when (ex.IsNotFound)
        {
            return false;
        }
    }

    // ---- neighbours and FDB ----

    /// <summary>Builds the RTM_NEWNEIGH for a permanent ARP/ND entry (separate so the layout can be unit-tested).</summary>
    public static NetlinkMessageBuilder NeighborRequest(ushort type, ushort flags, int index, IPAddress address, PhysicalAddress? mac)
    {
        ArgumentNullException.ThrowIfNull(address);
        var request = new NetlinkMessageBuilder(type, flags).NdMsg(Family(address), index, Rtnl.NudPermanent, 0)
            .AddAddress(Rtnl.NdaDst, address);
        if (mac is not null)
        {
            request.Add(Rtnl.NdaLladdr, mac.GetAddressBytes());
        }

        return request;
    }

    /// <summary>Adds or replaces a permanent neighbour entry (<c>ip neigh replace … nud permanent</c>).</summary>
    public void ReplaceNeighbor(int index, IPAddress address, PhysicalAddress mac) =>
        _socket.Request(NeighborRequest(Rtnl.RtmNewNeigh, Rtnl.NlmFAck | Rtnl.NlmFCreate | Rtnl.NlmFReplace, index, address, mac),
            $"RTM_NEWNEIGH {address} lladdr {mac} on #{index}");

    /// <summary>Deletes a neighbour entry; false when it did not exist.</summary>
    public bool DeleteNeighbor(int index, IPAddress address)
    {
        try
        {
            _socket.Request(NeighborRequest(Rtnl.RtmDelNeigh, Rtnl.NlmFAck, index, address, null), $"RTM_DELNEIGH {address} on #{index}");
            return true;
        }
        catch (NetlinkException ex) when (ex.IsNotFound)
        {
            return false;
        }
    }

    /// <summary>Builds the RTM_NEWNEIGH for a VXLAN FDB entry MAC → remote VTEP (separate so the layout can be unit-tested).</summary>
    public static NetlinkMessageBuilder FdbRequest(ushort type, ushort flags, int index, PhysicalAddress mac, IPAddress? destination)
    {
        ArgumentNullException.ThrowIfNull(mac);
        var request = new NetlinkMessageBuilder(type, flags).NdMsg(Rtnl.AfBridge, index, Rtnl.NudPermanent, Rtnl.NtfSelf)
            .Add(Rtnl.NdaLladdr, mac.GetAddressBytes());
        if (destination is not null)
        {
            request.AddAddress(Rtnl.NdaDst, destination);
        }

        return request;
    }

    /// <summary>Adds or replaces the FDB entry of a remote VTEP MAC (<c>bridge fdb replace MAC dev vxlan dst IP self permanent</c>).</summary>
    public void ReplaceFdb(int index, PhysicalAddress mac, IPAddress destination) =>
        _socket.Request(FdbRequest(Rtnl.RtmNewNeigh, Rtnl.NlmFAck | Rtnl.NlmFCreate | Rtnl.NlmFReplace, index, mac, destination),
            $"RTM_NEWNEIGH fdb {mac} dst {destination} on #{index}");

    /// <summary>Deletes an FDB entry; false when it did not exist.</summary>
    public bool DeleteFdb(int index, PhysicalAddress mac, IPAddress destination)
    {
        try
        {
            _socket.Request(FdbRequest(Rtnl.RtmDelNeigh, Rtnl.NlmFAck, index, mac, destination), $"RTM_DELNEIGH fdb {mac} on #{index}");
            return true;
        }
        catch (NetlinkException ex) when (ex.IsNotFound)
        {
            return false;
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _socket.Dispose();

    private static byte Family(IPAddress address) => address.AddressFamily == AddressFamily.InterNetworkV6 ? Rtnl.AfInet6 : Rtnl.AfInet;

    private static string Describe(RouteSpec route) =>
        $"{route.Destination}{(route.Gateway is null ? string.Empty : $" via {route.Gateway}")}{(route.OutputIndex > 0 ? $" dev #{route.OutputIndex}" : string.Empty)}{(route.OnLink ? " onlink" : string.Empty)}";
}
