using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;
using Cni.Hcn.Kernel.Namespaces;

namespace Cni.Hcn.Kernel.Tests.Support;

/// <summary>
/// Real traffic from inside a test namespace: ICMP echo and one TCP exchange with an <see cref="EchoServer"/>, over
/// IPv4 or IPv6 (the target's family).
/// </summary>
internal static class Traffic
{
    /// <summary>Pings <paramref name="target"/> from the namespace; true when a reply came back (up to 3 tries).</summary>
    public static bool Ping(string netnsPath, string target) => NetnsThread.Run(netnsPath, () =>
    {
        using var ping = new Ping();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (ping.Send(IPAddress.Parse(target), 1000).Status == IPStatus.Success)
            {
                return true;
            }
        }

        return false;
    });

    /// <summary>
    /// Connects from the namespace to <paramref name="target"/>:<paramref name="port"/> and returns the server's line
    /// ("name client-address"), or null when no connection or answer came within 2 s.
    /// </summary>
    public static string? Tcp(string netnsPath, string target, int port) => NetnsThread.Run(netnsPath, () =>
    {
        using var socket = new Socket(IPAddress.Parse(target).AddressFamily, SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        socket.ReceiveTimeout = 2000;
        try
        {
            var connect = socket.BeginConnect(IPAddress.Parse(target), port, null, null);
            if (!connect.AsyncWaitHandle.WaitOne(2000))
            {
                return null;
            }

            socket.EndConnect(connect);
            var buffer = new byte[256];
            var length = 0;
            while (length < buffer.Length)
            {
                var read = socket.Receive(buffer, length, buffer.Length - length, SocketFlags.None);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }

            return Encoding.ASCII.GetString(buffer, 0, length).Trim();
        }
        catch (SocketException)
        {
            return null;
        }
    });

    /// <summary>
    /// Opens a TCP connection from the namespace and closes it: Success, ConnectionRefused (a reset came back) or
    /// TimedOut (nothing within 2 s), so a test can tell a rejected connection from a dropped one.
    /// </summary>
    public static SocketError TcpConnect(string netnsPath, string target, int port) => NetnsThread.Run(netnsPath, () =>
    {
        using var socket = new Socket(IPAddress.Parse(target).AddressFamily, SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        try
        {
            var connect = socket.BeginConnect(IPAddress.Parse(target), port, null, null);
            if (!connect.AsyncWaitHandle.WaitOne(2000))
            {
                return SocketError.TimedOut;
            }

            socket.EndConnect(connect);
            return SocketError.Success;
        }
        catch (SocketException ex)
        {
            return ex.SocketErrorCode;
        }
    });

    /// <summary>
    /// Sends one UDP datagram from the namespace and waits up to 2 s for anything back: ConnectionRefused when an ICMP
    /// port unreachable came back (Linux reports it on the connected socket), TimedOut when nothing did, Success for a reply.
    /// </summary>
    public static SocketError UdpExchange(string netnsPath, string target, int port) => NetnsThread.Run(netnsPath, () =>
    {
        using var socket = new Socket(IPAddress.Parse(target).AddressFamily, SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        socket.ReceiveTimeout = 2000;
        try
        {
            socket.Connect(IPAddress.Parse(target), port);
            socket.Send("ping"u8);
            socket.Receive(new byte[64]);
            return SocketError.Success;
        }
        catch (SocketException ex)
        {
            return ex.SocketErrorCode;
        }
    });
}
