using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Cni.Hcn.HostRouting;
using Cni.Hcn.Kernel.Interop;
using Cni.Hcn.Kernel.Namespaces;
using Cni.Hcn.Kernel.Netlink;

namespace Cni.Hcn.Kernel.HostRouting;

/// <summary>
/// <see cref="IHostRouting"/> on Linux, one rtnetlink socket bound to one network namespace (the process's, or
/// <c>netnsPath</c>): routes in the main table with RTM_NEWROUTE / RTM_DELROUTE / an RTM_GETROUTE dump, IPv4
/// forwarding per interface through the link's <c>IFLA_AF_SPEC</c> / <c>AF_INET</c> / <c>IFLA_INET_CONF</c>
/// (the kernel's <c>inet_set_link_af</c>: the same per-device flag as <c>net.ipv4.conf.&lt;if&gt;.forwarding</c>, and
/// the one the input route lookup checks). IPv6 forwarding is read from <c>IFLA_INET6_CONF</c> and written through
/// <c>/proc/sys/net/ipv6/conf/&lt;if&gt;/forwarding</c> inside the namespace, because the kernel takes no IPv6 devconf
/// over netlink. No process is spawned.
/// </summary>
public sealed class NetlinkHostRouting : IHostRouting, IDisposable
{
    private readonly NetlinkSocket _socket;
    private readonly string? _netnsPath;

    /// <summary>Opens the socket in the process's namespace, or in the one at <paramref name="netnsPath"/>.</summary>
    /// <param name="netnsPath">A netns path (/var/run/netns/x); null for the process's namespace.</param>
    public NetlinkHostRouting(string? netnsPath = null)
    {
        _netnsPath = netnsPath;
        _socket = netnsPath is null ? NetlinkSocket.Open() : NetnsThread.Run(netnsPath, NetlinkSocket.Open);
    }

    /// <inheritdoc/>
    public Task<int?> FindInterfaceIndexAsync(IPAddress address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        cancellationToken.ThrowIfCancellationRequested();
        var request = new NetlinkMessageBuilder(Rtnl.RtmGetAddr, Rtnl.NlmFDump).IfAddr(Rtnl.AfUnspec, 0, 0);
        foreach (var message in Run(() => _socket.Dump(request, "RTM_GETADDR dump"), "RTM_GETADDR dump").Where(m => m.Type == Rtnl.RtmNewAddr))
        {
            var attributes = NetlinkAttributes.Parse(message.Payload[Rtnl.IfAddrMsgLength..]);
            if (address.Equals(attributes.GetAddress(Rtnl.IfaLocal) ?? attributes.GetAddress(Rtnl.IfaAddress)))
            {
                return Task.FromResult<int?>(BinaryPrimitives.ReadInt32LittleEndian(message.Payload.Span[4..]));
            }
        }

        return Task.FromResult<int?>(null);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<HostRoute>> ListRoutesAsync(AddressFamily family, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var request = new NetlinkMessageBuilder(Rtnl.RtmGetRoute, Rtnl.NlmFDump).RtMsg(FamilyOf(family), 0, 0, 0, 0, 0, 0);
        var routes = new List<HostRoute>();
        foreach (var message in Run(() => _socket.Dump(request, "RTM_GETROUTE dump"), "RTM_GETROUTE dump").Where(m => m.Type == Rtnl.RtmNewRoute))
        {
            if (HostRouteMessages.Parse(message.Payload) is { } route)
            {
                routes.Add(route);
            }
        }

        return Task.FromResult<IReadOnlyList<HostRoute>>(routes);
    }

    /// <inheritdoc/>
    public Task AddRouteAsync(HostRoute route, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(route);
        cancellationToken.ThrowIfCancellationRequested();
        var operation = "RTM_NEWROUTE " + route;
        if (route.NextHop.AddressFamily != route.Family)
        {
            throw new HostRoutingException(operation, HostRoutingErrorKind.InvalidParameter, Errno.Einval, "EINVAL", "the next hop's family differs from the destination's");
        }

        try
        {
            _socket.Request(HostRouteMessages.Add(route), operation);
        }
        catch (NetlinkException ex) when (ex.Errno is Errno.Enetunreach or Errno.Einval && !LinkExists(route.InterfaceIndex))
        {
            // With a gateway the kernel looks the next hop up first and answers ENETUNREACH for a missing device.
            throw new HostRoutingException(operation, HostRoutingErrorKind.InterfaceNotFound, Errno.Enodev, "ENODEV", ex.KernelMessage, ex);
        }
        catch (NetlinkException ex)
        {
            throw Translate(operation, ex);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<bool> DeleteRouteAsync(HostRoute route, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(route);
        cancellationToken.ThrowIfCancellationRequested();
        var operation = "RTM_DELROUTE " + route;
        try
        {
            _socket.Request(HostRouteMessages.Delete(route), operation);
            return Task.FromResult(true);
        }
        catch (NetlinkException ex) when (ex.Errno is Errno.Esrch or Errno.Enodev or Errno.Enoent)
        {
            // No such route (or its interface is gone, taking it along).
            return Task.FromResult(false);
        }
        catch (NetlinkException ex)
        {
            throw Translate(operation, ex);
        }
    }

    /// <inheritdoc/>
    public Task<bool> GetForwardingAsync(int interfaceIndex, AddressFamily family, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var link = GetLink(interfaceIndex, "get forwarding");
        var afSpec = link.GetNested(HostRouteMessages.IflaAfSpec);
        bool forwarding = family == AddressFamily.InterNetworkV6
            ? afSpec?.GetNested(Rtnl.AfInet6)?.Get(HostRouteMessages.IflaInet6Conf) is { Length: >= 4 } v6 && BinaryPrimitives.ReadInt32LittleEndian(v6.Span) != 0
            : afSpec?.GetNested(Rtnl.AfInet)?.Get(HostRouteMessages.IflaInetConf) is { Length: >= 4 } v4 && BinaryPrimitives.ReadUInt32LittleEndian(v4.Span) != 0;
        return Task.FromResult(forwarding);
    }

    /// <inheritdoc/>
    public Task SetForwardingAsync(int interfaceIndex, AddressFamily family, bool enabled, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (family == AddressFamily.InterNetworkV6)
        {
            var name = GetLink(interfaceIndex, "set forwarding").GetString(Rtnl.IflaIfname)!;
            var path = $"/proc/sys/net/ipv6/conf/{name}/forwarding";
            void Write() => File.WriteAllText(path, enabled ? "1" : "0");
            try
            {
                if (_netnsPath is null)
                {
                    Write();
                }
                else
                {
                    NetnsThread.Run(_netnsPath, Write);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new HostRoutingException("write " + path, HostRoutingErrorKind.AccessDenied, Errno.Eacces, "EACCES", ex.Message, ex);
            }

            return Task.CompletedTask;
        }

        var operation = string.Create(CultureInfo.InvariantCulture, $"RTM_NEWLINK #{interfaceIndex} IPv4 forwarding={(enabled ? 1 : 0)}");
        var request = HostRouteMessages.SetIpv4Forwarding(interfaceIndex, enabled);
        Run(() => _socket.Request(request, operation), operation);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public void Dispose() => _socket.Dispose();

    private bool LinkExists(int index)
    {
        try
        {
            _socket.Get(new NetlinkMessageBuilder(Rtnl.RtmGetLink, 0).IfInfo(index: index), "RTM_GETLINK");
            return true;
        }
        catch (NetlinkException ex) when (ex.Errno == Errno.Enodev)
        {
            return false;
        }
    }

    private NetlinkAttributes GetLink(int index, string purpose)
    {
        var operation = string.Create(CultureInfo.InvariantCulture, $"RTM_GETLINK #{index} ({purpose})");
        var request = new NetlinkMessageBuilder(Rtnl.RtmGetLink, 0).IfInfo(index: index);
        var reply = Run(() => _socket.Get(request, operation), operation);
        return NetlinkAttributes.Parse(reply.Payload[Rtnl.IfInfoMsgLength..]);
    }

    private static byte FamilyOf(AddressFamily family) => family switch
    {
        AddressFamily.InterNetwork => Rtnl.AfInet,
        AddressFamily.InterNetworkV6 => Rtnl.AfInet6,
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, "only IPv4 and IPv6"),
    };

    private static T Run<T>(Func<T> call, string operation)
    {
        try
        {
            return call();
        }
        catch (NetlinkException ex)
        {
            throw Translate(operation, ex);
        }
    }

    private static void Run(Action call, string operation) => Run(() =>
    {
        call();
        return true;
    }, operation);

    private static HostRoutingException Translate(string operation, NetlinkException ex)
    {
        var kind = ex.Errno switch
        {
            Errno.Eexist => HostRoutingErrorKind.AlreadyExists,
            Errno.Enodev => HostRoutingErrorKind.InterfaceNotFound,
            Errno.Esrch or Errno.Enoent => HostRoutingErrorKind.NotFound,
            Errno.Einval or Errno.Enetunreach or Errno.Erange => HostRoutingErrorKind.InvalidParameter,
            Errno.Eperm or Errno.Eacces => HostRoutingErrorKind.AccessDenied,
            _ => HostRoutingErrorKind.Failed,
        };
        return new HostRoutingException(operation, kind, ex.Errno, Errno.Name(ex.Errno), ex.KernelMessage, ex);
    }
}
