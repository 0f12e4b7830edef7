using System.Net;
using System.Net.Sockets;
using System.Text;
using Cni.Hcn.Kernel.Namespaces;

namespace Cni.Hcn.Kernel.Tests.Support;

/// <summary>
/// One UDP client socket in a test namespace, connected to a target: the same source port for every datagram, so
/// every exchange is the same conntrack flow (what a long-lived UDP client such as a DNS forwarder does).
/// </summary>
internal sealed class UdpFlow : IDisposable
{
    private readonly Socket _socket;

    public UdpFlow(string netnsPath, string target, int port)
    {
        _socket = NetnsThread.Run(netnsPath, () =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
            socket.Connect(IPAddress.Parse(target), port);
            return socket;
        });
    }

    /// <summary>Sends one datagram and returns the answer (a <see cref="UdpEchoServer"/>'s name), null when none came within <paramref name="timeout"/>.</summary>
    public string? Exchange(TimeSpan timeout)
    {
        _socket.Send("ping"u8);
        var buffer = new byte[512];
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !_socket.Poll(left, SelectMode.SelectRead))
            {
                return null;
            }

            try
            {
                return Encoding.ASCII.GetString(buffer, 0, _socket.Receive(buffer));
            }
            catch (SocketException)
            {
                // An ICMP error for an earlier datagram: keep waiting for this one's answer.
            }
        }
    }

    public void Dispose() => _socket.Dispose();
}
