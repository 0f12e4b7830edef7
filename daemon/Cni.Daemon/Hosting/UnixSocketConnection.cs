using System.Net.Sockets;
using Microsoft.AspNetCore.Connections.Features;

namespace Cni.Daemon.Hosting;

/// <summary>Tells whether a request arrived on the root-only CNI socket rather than the TCP health listener.</summary>
public static class UnixSocketConnection
{
    public static bool IsUnixSocket(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        // Kestrel reports a Unix socket connection without a local IP address; a TCP one always has one.
        return context.Features.Get<IConnectionEndPointFeature>()?.LocalEndPoint is UnixDomainSocketEndPoint
            || context.Connection.LocalIpAddress is null;
    }
}
