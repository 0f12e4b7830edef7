using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Cni.Hcn.HostRouting;

namespace Cni.Hcn.Windows.IpHelper;

/// <summary>
/// <see cref="IHostRouting"/> on the IP Helper API: routes with <c>CreateIpForwardEntry2</c> /
/// <c>DeleteIpForwardEntry2</c> / <c>GetIpForwardTable2</c>, forwarding with <c>Get</c>/<c>SetIpInterfaceEntry</c>.
/// flannel's host-gw backend makes the same changes through PowerShell (<c>New-NetRoute</c>, <c>Set-NetIPInterface
/// -Forwarding Enabled</c>; flannel-io/flannel pkg/routing/router_windows.go, pkg/ip/iface_windows.go), which are CIM
/// wrappers of these functions; wincni calls them directly (no PowerShell in a HostProcess container, no process per route).
/// </summary>
/// <remarks>
/// A route is created the way wireguard-windows does (tunnel/winipcfg/luid.go AddRoute: <c>InitializeIpForwardEntry</c>,
/// then key, next hop and metric), shaped as <c>New-NetRoute</c>'s defaults (MicrosoftDocs New-NetRoute.md): metric
/// 256, protocol NetMgmt, not published, infinite lifetimes. Unlike <c>New-NetRoute</c>, which also writes the
/// PersistentStore, the route lives in the active store only: wincnid re-creates every route on start, and a route
/// that outlived a reboot could point at a peer that has gone. Only the public constructor is Windows-only; the rest
/// runs over <see cref="IIpHelperApi"/>, which tests replace on any OS.
/// </remarks>
public sealed class IpHelperHostRouting : IHostRouting
{
    private readonly IIpHelperApi _api;

    /// <summary>Binds iphlpapi.dll.</summary>
    [SupportedOSPlatform("windows")]
    public IpHelperHostRouting()
        : this(new IpHelperApi())
    {
    }

    /// <summary>Runs over another implementation of the exports (tests).</summary>
    internal IpHelperHostRouting(IIpHelperApi api)
    {
        ArgumentNullException.ThrowIfNull(api);
        _api = api;
    }

    /// <inheritdoc/>
    public Task<int?> FindInterfaceIndexAsync(IPAddress address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_api.FindInterfaceIndex(address));
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<HostRoute>> ListRoutesAsync(AddressFamily family, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var code = _api.GetIpForwardTable2(SockAddrInet.FamilyOf(family), out var table);
        try
        {
            if (code == Win32Error.NotFound)
            {
                // MS-docs GetIpForwardTable2: ERROR_NOT_FOUND when there are no route entries of that family.
                return Task.FromResult<IReadOnlyList<HostRoute>>([]);
            }

            Check("GetIpForwardTable2 " + family, code, HostRoutingErrorKind.Failed);
            return Task.FromResult<IReadOnlyList<HostRoute>>(ReadTable(table));
        }
        finally
        {
            if (table != 0)
            {
                _api.FreeMibTable(table);
            }
        }
    }

    /// <inheritdoc/>
    public Task AddRouteAsync(HostRoute route, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(route);
        cancellationToken.ThrowIfCancellationRequested();
        var row = RowFor(route);
        var code = _api.CreateIpForwardEntry2(in row);

        // On create, ERROR_NOT_FOUND can only mean the interface (MS-docs CreateIpForwardEntry2).
        Check("CreateIpForwardEntry2 " + route, code, HostRoutingErrorKind.InterfaceNotFound);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<bool> DeleteRouteAsync(HostRoute route, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(route);
        cancellationToken.ThrowIfCancellationRequested();
        var row = RowFor(route);
        var code = _api.DeleteIpForwardEntry2(in row);
        if (code is Win32Error.NotFound or Win32Error.FileNotFound)
        {
            // A missing route (or its interface gone, taking it along): nothing to delete.
            return Task.FromResult(false);
        }

        Check("DeleteIpForwardEntry2 " + route, code, HostRoutingErrorKind.NotFound);
        return Task.FromResult(true);
    }

    /// <inheritdoc/>
    public Task<bool> GetForwardingAsync(int interfaceIndex, AddressFamily family, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var row = Read(interfaceIndex, family);
        return Task.FromResult(row.ForwardingEnabled != 0);
    }

    /// <inheritdoc/>
    public Task SetForwardingAsync(int interfaceIndex, AddressFamily family, bool enabled, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();

        // MS-docs SetIpInterfaceEntry: read the row first, change the member, and for IPv4 set SitePrefixLength to 0.
        var row = Read(interfaceIndex, family);
        row.ForwardingEnabled = enabled ? (byte)1 : (byte)0;
        if (family == AddressFamily.InterNetwork)
        {
            row.SitePrefixLength = 0;
        }

        var code = _api.SetIpInterfaceEntry(ref row);
        Check($"SetIpInterfaceEntry if#{interfaceIndex} {family} forwarding={enabled}", code, HostRoutingErrorKind.InterfaceNotFound);
        return Task.CompletedTask;
    }

    /// <summary>The row <c>CreateIpForwardEntry2</c> gets for <paramref name="route"/> (also the key for the delete).</summary>
    internal MibIpForwardRow2 RowFor(HostRoute route)
    {
        if (route.NextHop.AddressFamily != route.Family)
        {
            throw new HostRoutingException("route " + route, HostRoutingErrorKind.InvalidParameter, Win32Error.InvalidParameter,
                Win32Error.Name(Win32Error.InvalidParameter), "the next hop's family differs from the destination's");
        }

        _api.InitializeIpForwardEntry(out var row);
        row.InterfaceLuid = 0; // the index names the interface (a LUID ≠ 0 would win over it)
        row.InterfaceIndex = (uint)route.InterfaceIndex;
        row.DestinationPrefix = IpAddressPrefix.From(route.Destination);
        row.NextHop = SockAddrInet.From(route.NextHop);
        row.SitePrefixLength = 0;
        row.Metric = route.Metric == 0 ? HostRoute.WindowsDefaultMetric : route.Metric;
        row.Protocol = MibIpForwardRow2.ProtocolNetMgmt;
        row.Publish = 0;
        row.ValidLifetime = MibIpForwardRow2.InfiniteLifetime;
        row.PreferredLifetime = MibIpForwardRow2.InfiniteLifetime;
        return row;
    }

    /// <summary>
    /// A <c>MIB_IPFORWARD_TABLE2</c>: NumEntries (u32) @0, 4 bytes of padding, then the rows @8 with a stride of
    /// sizeof(MIB_IPFORWARD_ROW2) = 104 (mingw-w64 netioapi.h; wireguard-windows mibIPforwardTable2).
    /// </summary>
    private static unsafe List<HostRoute> ReadTable(nint table)
    {
        var routes = new List<HostRoute>();
        if (table == 0)
        {
            return routes;
        }

        var count = (uint)Marshal.ReadInt32(table);
        var stride = sizeof(MibIpForwardRow2);
        for (var i = 0; i < count; i++)
        {
            var row = Unsafe.ReadUnaligned<MibIpForwardRow2>((void*)(table + 8 + (i * stride)));
            if (row.DestinationPrefix.ToNetwork() is { } destination && row.NextHop.ToAddress() is { } nextHop)
            {
                routes.Add(new HostRoute(destination, nextHop, (int)row.InterfaceIndex, row.Metric));
            }
        }

        return routes;
    }

    private MibIpInterfaceRow Read(int interfaceIndex, AddressFamily family)
    {
        var row = new MibIpInterfaceRow { Family = SockAddrInet.FamilyOf(family), InterfaceIndex = (uint)interfaceIndex };
        var code = _api.GetIpInterfaceEntry(ref row);

        // ERROR_FILE_NOT_FOUND: no such index; ERROR_NOT_FOUND: no interface of that family on it (MS-docs GetIpInterfaceEntry).
        Check($"GetIpInterfaceEntry if#{interfaceIndex} {family}", code, HostRoutingErrorKind.InterfaceNotFound);
        return row;
    }

    /// <summary>Throws for a failure code; <paramref name="notFound"/> says what ERROR_NOT_FOUND means for this call.</summary>
    private static void Check(string operation, int code, HostRoutingErrorKind notFound)
    {
        if (code == Win32Error.Success)
        {
            return;
        }

        var kind = code switch
        {
            Win32Error.ObjectAlreadyExists => HostRoutingErrorKind.AlreadyExists,
            Win32Error.NotFound => notFound,
            Win32Error.FileNotFound => HostRoutingErrorKind.InterfaceNotFound,
            Win32Error.InvalidParameter => HostRoutingErrorKind.InvalidParameter,
            Win32Error.AccessDenied => HostRoutingErrorKind.AccessDenied,
            _ => HostRoutingErrorKind.Failed,
        };
        throw new HostRoutingException(operation, kind, code, Win32Error.Name(code));
    }
}
