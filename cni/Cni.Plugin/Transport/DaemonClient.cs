using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Cni.Spec.Wire;

namespace Cni.Plugin.Transport;

/// <summary>
/// Sends one request to wincnid over its AF_UNIX socket and reads the answer, all within one deadline.
/// </summary>
/// <remarks>
/// Deliberately blocking: the plugin is a one-shot process that makes exactly one call, and blocking socket I/O with
/// per-call timeouts avoids starting the thread pool, timers and HttpClient's handler pipeline, which together cost
/// more than the rest of an exec. Every wait is bounded by the deadline, so the plugin never hangs.
/// </remarks>
internal sealed class DaemonClient
{
    private readonly string _socketPath;
    private readonly TimeSpan _timeout;

    public DaemonClient(string socketPath, TimeSpan timeout)
    {
        _socketPath = socketPath;
        _timeout = timeout;
    }

    public DaemonResponse Send(ReadOnlySpan<byte> body)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(_timeout.TotalSeconds * Stopwatch.Frequency);
        var head = string.Create(
            CultureInfo.InvariantCulture,
            $"POST {DaemonProtocol.CniPath} HTTP/1.1\r\nHost: {DaemonProtocol.HostHeader}\r\nContent-Type: {DaemonProtocol.ContentType}\r\nAccept: {DaemonProtocol.ContentType}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
        var request = new byte[Encoding.ASCII.GetByteCount(head) + body.Length];
        var headLength = Encoding.ASCII.GetBytes(head, request);
        body.CopyTo(request.AsSpan(headLength));
        try
        {
            return OperatingSystem.IsLinux() ? ExchangeWithLibc(request, deadline) : ExchangeWithSocket(request, deadline);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
        {
            throw Timeout(e);
        }
        catch (TimeoutException e)
        {
            throw Timeout(e);
        }
        catch (SocketException e)
        {
            throw new DaemonUnavailableException(Describe(e), _socketPath, e);
        }
        catch (IOException e)
        {
            throw new DaemonUnavailableException($"the connection to wincnid broke: {e.Message}", _socketPath, e);
        }
        catch (InvalidDataException e)
        {
            throw new DaemonUnavailableException($"wincnid sent a malformed HTTP response: {e.Message}", _socketPath, e);
        }
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private DaemonResponse ExchangeWithLibc(byte[] request, long deadline)
    {
        using var connection = Linux.UnixStreamConnection.Connect(_socketPath, deadline);
        connection.Send(request, deadline);
        var reader = new Http1ResponseReader(
            (buffer, offset, count) => connection.Receive(buffer, offset, count, deadline),
            DaemonProtocol.MaxResponseBytes);
        return reader.ReadResponse();
    }

    private DaemonResponse ExchangeWithSocket(byte[] request, long deadline)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        Connect(socket, deadline);
        var sent = 0;
        while (sent < request.Length)
        {
            socket.SendTimeout = RemainingMilliseconds(deadline);
            sent += socket.Send(request, sent, request.Length - sent, SocketFlags.None);
        }

        var reader = new Http1ResponseReader(
            (buffer, offset, count) =>
            {
                socket.ReceiveTimeout = RemainingMilliseconds(deadline);
                return socket.Receive(buffer, offset, count, SocketFlags.None);
            },
            DaemonProtocol.MaxResponseBytes);
        return reader.ReadResponse();
    }

    private DaemonUnavailableException Timeout(Exception inner) => new(
        string.Create(CultureInfo.InvariantCulture, $"wincnid did not answer within {_timeout.TotalSeconds:0.###} s"),
        _socketPath,
        inner);

    private void Connect(Socket socket, long deadline)
    {
        var endpoint = new UnixDomainSocketEndPoint(_socketPath);

        // A listener with a full backlog makes a blocking connect wait indefinitely; connect non-blocking and
        // poll so the deadline also covers this step.
        socket.Blocking = false;
        try
        {
            socket.Connect(endpoint);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress or SocketError.TryAgain)
        {
            if (!socket.Poll(RemainingMicroseconds(deadline), SelectMode.SelectWrite))
            {
                throw new TimeoutException("connect timed out");
            }

            var error = (SocketError)(int)socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
            if (error != SocketError.Success)
            {
                throw new SocketException((int)error);
            }
        }

        socket.Blocking = true;
    }

    private string Describe(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.AddressNotAvailable or SocketError.AddressFamilyNotSupported
            => $"the wincnid socket {_socketPath} does not exist: is wincnid running? ({e.Message})",
        SocketError.ConnectionRefused
            => $"nothing is listening on {_socketPath}: is wincnid running? ({e.Message})",
        SocketError.AccessDenied
            => $"permission denied on {_socketPath}: the plugin must run as root (Windows: SYSTEM or Administrators)",
        _ when !File.Exists(_socketPath)
            => $"the wincnid socket {_socketPath} does not exist: is wincnid running? ({e.Message})",
        _ => $"cannot talk to wincnid on {_socketPath}: {e.Message}",
    };

    private static int RemainingMilliseconds(long deadline)
    {
        var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
        if (remaining <= TimeSpan.Zero)
        {
            throw new TimeoutException("deadline passed");
        }

        // 0 means "infinite" to Socket; never let a rounding step produce it.
        return Math.Max(1, (int)Math.Ceiling(remaining.TotalMilliseconds));
    }

    private static int RemainingMicroseconds(long deadline) =>
        (int)Math.Min(int.MaxValue, RemainingMilliseconds(deadline) * 1000L);
}
