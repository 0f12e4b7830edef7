using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text;

namespace Cni.E2E.Harness;

/// <summary>
/// A backend that says who answered: a TCP and a UDP server on one port inside a pod's namespace, run in-process on
/// sockets created there (<see cref="NetnsSocket"/>). TCP greets each connection with <c>"&lt;name&gt;
/// &lt;client address&gt;\n"</c> (the address the backend sees, so source NAT is visible), then echoes every line
/// until the client closes; UDP answers each datagram with the same greeting. Every accepted connection is recorded
/// with its time (<see cref="Stopwatch"/> ticks), to tell when a backend last got traffic.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class IdentityServer : IAsyncDisposable
{
    private readonly Socket _tcp;
    private readonly Socket _udp;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<long> _accepted = new();
    private readonly ConcurrentDictionary<Socket, byte> _connections = new();
    private readonly Task _tcpLoop;
    private readonly Task _udpLoop;
    private int _datagrams;

    private IdentityServer(string name, int port, Socket tcp, Socket udp)
    {
        Name = name;
        Port = port;
        _tcp = tcp;
        _udp = udp;
        _tcpLoop = Task.Run(AcceptLoopAsync);
        _udpLoop = Task.Run(UdpLoopAsync);
    }

    /// <summary>The name it answers with (its pod's).</summary>
    public string Name { get; }

    /// <summary>The TCP and UDP port.</summary>
    public int Port { get; }

    /// <summary>TCP connections accepted so far.</summary>
    public int Accepted => _accepted.Count;

    /// <summary>UDP datagrams answered so far.</summary>
    public int Datagrams => Volatile.Read(ref _datagrams);

    /// <summary>When the last TCP connection was accepted (<see cref="Stopwatch.GetTimestamp"/>), or null.</summary>
    public long? LastAccepted => _accepted.IsEmpty ? null : _accepted.Max();

    /// <summary>The first connection accepted at or after <paramref name="timestamp"/>, or null.</summary>
    public long? FirstAcceptedSince(long timestamp) => _accepted.Where(t => t >= timestamp).Select(t => (long?)t).Min();

    /// <summary>Connections accepted at or after <paramref name="timestamp"/> (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public int AcceptedSince(long timestamp) => _accepted.Count(t => t >= timestamp);

    /// <summary>Listens on <paramref name="port"/> (TCP and UDP, every address) in namespace <paramref name="netns"/>;
    /// binding works before the pod has its interface, so the server can be up before the pod turns ready.</summary>
    public static IdentityServer Start(string netns, string name, int port)
    {
        var tcp = NetnsSocket.Create(netns, SocketType.Stream, ProtocolType.Tcp);
        var udp = NetnsSocket.Create(netns, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            tcp.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            tcp.Bind(new IPEndPoint(IPAddress.Any, port));
            tcp.Listen(512);
            udp.Bind(new IPEndPoint(IPAddress.Any, port));
            return new IdentityServer(name, port, tcp, udp);
        }
        catch
        {
            tcp.Dispose();
            udp.Dispose();
            throw;
        }
    }

    /// <summary>The greeting for a client seen at <paramref name="client"/>.</summary>
    public static string Greeting(string name, EndPoint? client) =>
        $"{name} {(client as IPEndPoint)?.Address}";

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _tcp.Dispose();
        _udp.Dispose();
        foreach (var connection in _connections.Keys)
        {
            connection.Dispose();
        }

        await Task.WhenAll(_tcpLoop, _udpLoop).ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _tcp.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _accepted.Enqueue(Stopwatch.GetTimestamp());
            _connections[connection] = 0;
            _ = Task.Run(() => ServeAsync(connection));
        }
    }

    private async Task ServeAsync(Socket connection)
    {
        try
        {
            using (connection)
            {
                await connection.SendAsync(Encoding.ASCII.GetBytes(Greeting(Name, connection.RemoteEndPoint) + "\n"), SocketFlags.None, _stop.Token);
                var buffer = new byte[4096];
                while (true)
                {
                    var read = await connection.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                    if (read == 0)
                    {
                        return;
                    }

                    await connection.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // The client went away or the server stops.
        }
        finally
        {
            _connections.TryRemove(connection, out _);
        }
    }

    private async Task UdpLoopAsync()
    {
        var buffer = new byte[2048];
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var received = await _udp.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
                Interlocked.Increment(ref _datagrams);
                await _udp.SendToAsync(Encoding.ASCII.GetBytes(Greeting(Name, received.RemoteEndPoint)), SocketFlags.None, received.RemoteEndPoint, _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // An ICMP error from an earlier reply surfaces here on Linux; keep serving.
            }
        }
    }
}
