using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Cni.Daemon.Hosting;

/// <summary>
/// Checks, before anything starts, that the health address is free (the CNI socket is bound first of all, by
/// <see cref="CniSocket"/>, which reports its own problems). Kestrel would find a taken address only once the host
/// starts, as an exception with a stack trace in the host's log; here it is one line and exit code 2. A race with
/// another process is still caught when the host starts, just less tidily.
/// </summary>
public static class ListenPreflight
{
    /// <exception cref="DaemonStartupException">The address is taken or cannot be bound.</exception>
    public static void Check(string healthAddress)
    {
        ArgumentException.ThrowIfNullOrEmpty(healthAddress);
        if (!IPEndPoint.TryParse(healthAddress, out var endpoint))
        {
            return; // reported by the options check, with the key
        }

        using var probe = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // As Kestrel binds: an address in TIME_WAIT from the last run is free, a listening one is not.
            probe.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            probe.Bind(endpoint);
        }
        catch (SocketException e)
        {
            var why = e.SocketErrorCode switch
            {
                SocketError.AddressAlreadyInUse => "is in use by another process (another wincnid, or whatever else listens there)",
                SocketError.AddressNotAvailable => "is not an address of this host",
                SocketError.AccessDenied => "may not be bound by this user (a port below 1024 needs root)",
                _ => "cannot be bound: " + e.Message,
            };
            throw new DaemonStartupException(string.Create(CultureInfo.InvariantCulture, $"healthAddress {healthAddress} {why}; choose another one with healthAddress or --health-address"), e);
        }
    }
}
