using System.Net;
using System.Net.Sockets;

namespace Cni.Hcn.HostRouting;

/// <summary>
/// The host's own IP routing, beside <see cref="IHcn"/>: routes in the host's route table and IP forwarding per
/// interface. HCN has no object for either, yet an L2Bridge node needs both: flannel's host-gw backend on Windows
/// enables forwarding on the management vNIC and on the bridge's host endpoint, and adds a host route per peer pod CIDR
/// via the peer's node IP (flannel-io/flannel pkg/backend/hostgw/hostgw_windows.go, pkg/backend/route_network_windows.go).
/// Realized by <c>IpHelperHostRouting</c> (iphlpapi.dll, Windows), <c>NetlinkHostRouting</c> (rtnetlink, Linux, in
/// Cni.Hcn.Kernel) and <see cref="MemoryHostRouting"/> (emulator).
/// </summary>
/// <remarks>
/// <para><b>Contract</b> (the suite in tests/Cni.Hcn.Tests/HostRouting runs it against every realization):</para>
/// <list type="bullet">
/// <item><description>A route is identified by destination prefix, next hop and interface index; the metric is not
/// part of its identity. Metric 0 on add means the platform's default (256 on Windows, as <c>New-NetRoute</c>; 0 on
/// Linux, as <c>ip route</c>).</description></item>
/// <item><description>Adding a route that exists: <see cref="HostRoutingErrorKind.AlreadyExists"/>. Adding on an
/// interface that does not exist: <see cref="HostRoutingErrorKind.InterfaceNotFound"/>. Two routes with the same prefix
/// and different next hops are not portable (Linux refuses the second at the same metric): remove before adding.</description></item>
/// <item><description>Deleting a route that does not exist answers false, never an error.</description></item>
/// <item><description>Forwarding of an interface that does not exist: <see cref="HostRoutingErrorKind.InterfaceNotFound"/>.</description></item>
/// <item><description>Every failure is a <see cref="HostRoutingException"/> naming the operation and the platform's code.
/// Cancellation is checked before each call; a call in flight is not interrupted.</description></item>
/// </list>
/// </remarks>
public interface IHostRouting
{
    /// <summary>The index of the interface holding <paramref name="address"/>, or null when no interface holds it.</summary>
    /// <param name="address">A unicast address of this host.</param>
    Task<int?> FindInterfaceIndexAsync(IPAddress address, CancellationToken cancellationToken);

    /// <summary>The routes of the host's (main) route table for one address family; on-link routes have an unspecified next hop.</summary>
    /// <param name="family">IPv4 or IPv6.</param>
    Task<IReadOnlyList<HostRoute>> ListRoutesAsync(AddressFamily family, CancellationToken cancellationToken);

    /// <summary>Adds a route (active until removed; not persisted across a reboot).</summary>
    /// <param name="route">The route.</param>
    /// <exception cref="HostRoutingException">AlreadyExists, InterfaceNotFound, InvalidParameter, AccessDenied, Failed.</exception>
    Task AddRouteAsync(HostRoute route, CancellationToken cancellationToken);

    /// <summary>Deletes a route (matched by destination, next hop and interface).</summary>
    /// <param name="route">The route.</param>
    /// <returns>True when it was deleted, false when there was none.</returns>
    Task<bool> DeleteRouteAsync(HostRoute route, CancellationToken cancellationToken);

    /// <summary>Whether the interface forwards packets of <paramref name="family"/> that are not addressed to it.</summary>
    /// <exception cref="HostRoutingException">InterfaceNotFound.</exception>
    Task<bool> GetForwardingAsync(int interfaceIndex, AddressFamily family, CancellationToken cancellationToken);

    /// <summary>Turns forwarding of <paramref name="family"/> on the interface on or off.</summary>
    /// <exception cref="HostRoutingException">InterfaceNotFound, AccessDenied.</exception>
    Task SetForwardingAsync(int interfaceIndex, AddressFamily family, bool enabled, CancellationToken cancellationToken);
}
