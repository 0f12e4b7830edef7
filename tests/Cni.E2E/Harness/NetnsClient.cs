using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text;

namespace Cni.E2E.Harness;

/// <summary>What one request to an <see cref="IdentityServer"/> got: the backend and the client address it saw, or why not.</summary>
/// <param name="Backend">The backend's name, or null on failure.</param>
/// <param name="SeenSource">The client address the backend saw, or null.</param>
/// <param name="Error">Why it failed, or null.</param>
/// <param name="Started">When the attempt started (<see cref="Stopwatch.GetTimestamp"/>).</param>
internal sealed record Reply(string? Backend, string? SeenSource, string? Error, long Started)
{
    public bool Succeeded => Backend is not null;

    public static Reply Parse(string greeting, long started)
    {
        var parts = greeting.Trim().Split(' ', 2);
        return parts.Length == 2 ? new Reply(parts[0], parts[1], null, started) : new Reply(null, null, $"unexpected greeting '{greeting}'", started);
    }

    public override string ToString() => Backend is null ? $"failed: {Error}" : $"{Backend} (saw {SeenSource})";
}

/// <summary>Clients inside a namespace (a pod, a node, an underlay host), in-process on <see cref="NetnsSocket"/>.</summary>
[SupportedOSPlatform("linux")]
internal static class NetnsClient
{
    /// <summary>One TCP connection from <paramref name="netns"/>: connect, read the greeting, close.</summary>
    public static async Task<Reply> HelloAsync(string netns, string address, int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var socket = NetnsSocket.Create(netns, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(address), port), deadline.Token);
            var line = await ReadLineAsync(socket, deadline.Token);
            return line is null ? new Reply(null, null, "closed before the greeting", started) : Reply.Parse(line, started);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new Reply(null, null, $"no answer within {timeout.TotalMilliseconds:0} ms", started);
        }
        catch (SocketException e)
        {
            return new Reply(null, null, e.SocketErrorCode.ToString(), started);
        }
    }

    /// <summary>One UDP request from <paramref name="netns"/> (a fresh source port each time): the greeting datagram, or a failure.</summary>
    public static async Task<Reply> UdpHelloAsync(string netns, string address, int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var socket = NetnsSocket.Create(netns, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(address), port), deadline.Token);
            await socket.SendAsync("hello"u8.ToArray(), SocketFlags.None, deadline.Token);
            var buffer = new byte[2048];
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
            return Reply.Parse(Encoding.ASCII.GetString(buffer, 0, read), started);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new Reply(null, null, $"no answer within {timeout.TotalMilliseconds:0} ms", started);
        }
        catch (SocketException e)
        {
            return new Reply(null, null, e.SocketErrorCode.ToString(), started);
        }
    }

    /// <summary>Opens a TCP connection that stays open (<see cref="OpenConnection"/>), after reading its greeting.</summary>
    public static async Task<OpenConnection> OpenAsync(string netns, string address, int port, CancellationToken cancellationToken)
    {
        var socket = NetnsSocket.Create(netns, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(TimeSpan.FromSeconds(5));
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(address), port), deadline.Token);
            var line = await ReadLineAsync(socket, deadline.Token) ?? throw new IOException("closed before the greeting");
            return new OpenConnection(socket, Reply.Parse(line, Stopwatch.GetTimestamp()));
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A UDP socket connected to <paramref name="address"/>:<paramref name="port"/> from <paramref name="netns"/>,
    /// kept for many requests: one 5-tuple, so one conntrack entry, as a long-lived UDP client (DNS, statsd, QUIC) has.</summary>
    public static UdpFlow OpenUdpFlow(string netns, string address, int port)
    {
        var socket = NetnsSocket.Create(netns, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Connect(new IPEndPoint(IPAddress.Parse(address), port));
            return new UdpFlow(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>An HTTP GET from <paramref name="netns"/>: the status code and body, or (0, error) when it could not connect.</summary>
    public static async Task<(int Status, string Body)> HttpGetAsync(string netns, Uri uri, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        using var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (context, token) =>
            {
                var socket = NetnsSocket.Create(netns, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(context.DnsEndPoint.Host), context.DnsEndPoint.Port), token);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        using var client = new HttpClient(handler) { Timeout = timeout ?? TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await client.GetAsync(uri, cancellationToken);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return (0, e.Message);
        }
    }

    private static async Task<string?> ReadLineAsync(Socket socket, CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        var buffer = new byte[256];
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                return line.Length == 0 ? null : line.ToString();
            }

            line.Append(Encoding.ASCII.GetString(buffer, 0, read));
            var newline = line.ToString().IndexOf('\n', StringComparison.Ordinal);
            if (newline >= 0)
            {
                return line.ToString(0, newline);
            }
        }
    }

    /// <summary>A UDP 5-tuple to an <see cref="IdentityServer"/> (<see cref="OpenUdpFlow"/>).</summary>
    internal sealed class UdpFlow(Socket socket) : IDisposable
    {
        /// <summary>Sends one datagram and waits up to <paramref name="timeout"/> for the answer.</summary>
        public async Task<Reply> AskAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            var started = Stopwatch.GetTimestamp();
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            try
            {
                await socket.SendAsync("hello"u8.ToArray(), SocketFlags.None, deadline.Token);
                var buffer = new byte[2048];
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
                return Reply.Parse(Encoding.ASCII.GetString(buffer, 0, read), started);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return new Reply(null, null, $"no answer within {timeout.TotalMilliseconds:0} ms", started);
            }
            catch (SocketException e)
            {
                // An ICMP error (port or host unreachable) for an earlier datagram surfaces on the next call.
                return new Reply(null, null, e.SocketErrorCode.ToString(), started);
            }
        }

        public void Dispose() => socket.Dispose();
    }

    /// <summary>A TCP connection to an <see cref="IdentityServer"/> kept open; <see cref="EchoAsync"/> proves it still carries data.</summary>
    internal sealed class OpenConnection(Socket socket, Reply greeting) : IDisposable
    {
        /// <summary>Who answered.</summary>
        public Reply Greeting { get; } = greeting;

        /// <summary>Sends a line and returns the line echoed, or throws when the connection broke or stalled.</summary>
        public async Task<string> EchoAsync(string message, CancellationToken cancellationToken)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(TimeSpan.FromSeconds(5));
            await socket.SendAsync(Encoding.ASCII.GetBytes(message + "\n"), SocketFlags.None, deadline.Token);
            return await ReadLineAsync(socket, deadline.Token) ?? throw new IOException("the connection was closed");
        }

        public void Dispose() => socket.Dispose();
    }
}
