using System.Net;
using System.Net.Sockets;
using System.Text;
using Cni.Hcn.Kernel.Namespaces;

namespace Cni.Hcn.Kernel.Tests.Support;

/// <summary>
/// A tiny UDP server inside a test namespace: every datagram is answered with the server's name, so a client learns
/// which backend its flow is on. The socket is created on a thread inside the namespace (sockets keep their namespace).
/// </summary>
internal sealed class UdpEchoServer : IDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _name;
    private readonly CancellationTokenSource _stop = new();

    public UdpEchoServer(string netnsPath, string name, int port)
    {
        _name = Encoding.ASCII.GetBytes(name);
        _socket = NetnsThread.Run(netnsPath, () =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
            socket.Bind(new IPEndPoint(IPAddress.Any, port));
            return socket;
        });
        _ = Task.Run(ServeAsync);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        _stop.Dispose();
    }

    private async Task ServeAsync()
    {
        var buffer = new byte[512];
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var received = await _socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), _stop.Token).ConfigureAwait(false);
                await _socket.SendToAsync(_name, received.RemoteEndPoint, _stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested)
                {
                    return;
                }
            }
        }
    }
}
