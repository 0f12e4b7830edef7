using System.Net;
using System.Net.Sockets;
using System.Text;
using Cni.Hcn.Kernel.Namespaces;

namespace Cni.Hcn.Kernel.Tests.Support;

/// <summary>
/// A tiny TCP server inside a test namespace: each connection gets one line "<c>&lt;name&gt; &lt;client address&gt;</c>"
/// and is closed, so a client learns which backend answered and which source address the backend saw. The listening
/// socket is created on a thread inside the namespace (sockets keep their namespace); accepting runs anywhere.
/// </summary>
internal sealed class EchoServer : IDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();

    public EchoServer(string netnsPath, string name, int port)
    {
        Name = name;
        _listener = NetnsThread.Run(netnsPath, () =>
        {
            // Dual mode: IPv4 and IPv6 clients on one socket (an IPv4 client is reported as its IPv4 address).
            var listener = new TcpListener(IPAddress.IPv6Any, port);
            listener.Server.DualMode = true;
            listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Start();
            return listener;
        });
        _ = Task.Run(AcceptLoopAsync);
    }

    public string Name { get; }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using var client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
                var remote = ((IPEndPoint)client.Client.RemoteEndPoint!).Address;
                remote = remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote;
                var line = Encoding.ASCII.GetBytes($"{Name} {remote}\n");
                await client.GetStream().WriteAsync(line, _stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException or IOException)
            {
                if (_stop.IsCancellationRequested)
                {
                    return;
                }
            }
        }
    }
}
