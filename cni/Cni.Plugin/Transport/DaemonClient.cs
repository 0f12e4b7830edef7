using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Cni.Spec.Wire;

namespace Cni.Plugin.Transport;

/// <summary>
/// Sends one request to wincnid over its AF_UNIX socket and reads the answer, all within one deadline. A daemon that
/// is not there yet (no socket, connection refused) or that drops the connection before answering (killed mid-request)
/// is tried again after a short pause until the deadline: every CNI verb is idempotent, and a DaemonSet rollout or a
/// crash restarts wincnid in about a second, which must not fail the pods created meanwhile.
/// </summary>
/// <remarks>
/// Deliberately blocking: the plugin is a one-shot process that makes one call, and blocking socket I/O with
/// per-call timeouts avoids starting the thread pool, timers and HttpClient's handler pipeline, which together cost
/// more than the rest of an exec. Every wait is bounded by the deadline, so the plugin never hangs.
/// Cilium's plugin waits for its agent the same way (cilium pkg/client/client.go NewDefaultClientWithTimeout: retry
/// every 500 ms for up to 30 s, defaults.ClientConnectTimeout); the pauses here are shorter because wincnid binds its
/// socket first thing at start, so the usual wait is only the gap between a crash and the new process.
/// </remarks>
internal sealed class DaemonClient
{
    /// <summary>The first pause after a failed attempt; doubled after each one up to <see cref="MaxPause"/>.</summary>
    internal static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(20);

    /// <summary>The longest pause between attempts: a restarted daemon is noticed within this long.</summary>
    internal static readonly TimeSpan MaxPause = TimeSpan.FromMilliseconds(250);

    private readonly string _socketPath;
    private readonly TimeSpan _timeout;

    public DaemonClient(string socketPath, TimeSpan timeout)
    {
        _socketPath = socketPath;
        _timeout = timeout;
    }

    public DaemonResponse Send(ReadOnlySpan<byte> body)
    {
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(_timeout.TotalSeconds * Stopwatch.Frequency);
        var pause = FirstPause;
        for (var attempt = 1; ; attempt++)
        {
            Failure failure;
            try
            {
                return SendOnce(body, deadline);
            }
            catch (Exception e) when (Classify(e) is { } classified)
            {
                failure = classified;
            }

            var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
            if (!failure.Retriable || remaining <= TimeSpan.Zero)
            {
                throw Unavailable(failure, attempt, Stopwatch.GetElapsedTime(started));
            }

            // Jittered so that the plugins of many pods waiting for one daemon do not all knock at once.
            var jittered = pause * (0.5 + (Random.Shared.NextDouble() / 2));
            Thread.Sleep(jittered < remaining ? jittered : remaining);
            pause = pause * 2 < MaxPause ? pause * 2 : MaxPause;
        }
    }

    private DaemonResponse SendOnce(ReadOnlySpan<byte> body, long deadline)
    {
        // The daemon holds a request while it starts, up to the time the plugin will still wait for the answer.
        var remaining = Math.Max(1L, (long)Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline).TotalMilliseconds);
        var head = string.Create(
            CultureInfo.InvariantCulture,
            $"POST {DaemonProtocol.CniPath} HTTP/1.1\r\nHost: {DaemonProtocol.HostHeader}\r\nContent-Type: {DaemonProtocol.ContentType}\r\nAccept: {DaemonProtocol.ContentType}\r\n{DaemonProtocol.TimeoutHeader}: {remaining}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
        var request = new byte[Encoding.ASCII.GetByteCount(head) + body.Length];
        var headLength = Encoding.ASCII.GetBytes(head, request);
        body.CopyTo(request.AsSpan(headLength));
        return OperatingSystem.IsLinux() ? ExchangeWithLibc(request, deadline) : ExchangeWithSocket(request, deadline);
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private DaemonResponse ExchangeWithLibc(byte[] request, long deadline)
    {
        using var connection = Linux.UnixStreamConnection.Connect(_socketPath, deadline);
        SocketException? sendFailure = null;
        try
        {
            connection.Send(request, deadline);
        }
        catch (SocketException e) when (IsDropped(e.SocketErrorCode))
        {
            // The daemon may have answered before reading the whole request (a refusal) and closed: read that answer.
            sendFailure = e;
        }

        return ReadAnswer(new Http1ResponseReader((buffer, offset, count) => connection.Receive(buffer, offset, count, deadline), DaemonProtocol.MaxResponseBytes), sendFailure);
    }

    private DaemonResponse ExchangeWithSocket(byte[] request, long deadline)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        Connect(socket, deadline);
        SocketException? sendFailure = null;
        try
        {
            var sent = 0;
            while (sent < request.Length)
            {
                socket.SendTimeout = RemainingMilliseconds(deadline);
                sent += socket.Send(request, sent, request.Length - sent, SocketFlags.None);
            }
        }
        catch (SocketException e) when (IsDropped(e.SocketErrorCode))
        {
            sendFailure = e;
        }

        var reader = new Http1ResponseReader(
            (buffer, offset, count) =>
            {
                socket.ReceiveTimeout = RemainingMilliseconds(deadline);
                return socket.Receive(buffer, offset, count, SocketFlags.None);
            },
            DaemonProtocol.MaxResponseBytes);
        return ReadAnswer(reader, sendFailure);
    }

    /// <summary>The response; when sending failed, only a complete response already on its way counts, else the send's failure.</summary>
    private static DaemonResponse ReadAnswer(Http1ResponseReader reader, SocketException? sendFailure)
    {
        if (sendFailure is null)
        {
            return reader.ReadResponse();
        }

        try
        {
            return reader.ReadResponse();
        }
        catch (Exception e) when (e is IOException or SocketException or InvalidDataException)
        {
            throw sendFailure;
        }
    }

    private static bool IsDropped(SocketError error) =>
        error is SocketError.ConnectionReset or SocketError.Shutdown or SocketError.ConnectionAborted;

    /// <summary>What went wrong in one attempt, and whether another attempt may go better; null for a bug (not caught).</summary>
    private Failure? Classify(Exception e) => e switch
    {
        TimeoutException or SocketException { SocketErrorCode: SocketError.TimedOut or SocketError.WouldBlock } =>
            new Failure(string.Create(CultureInfo.InvariantCulture, $"wincnid did not answer within {_timeout.TotalSeconds:0.###} s"), Retriable: false, e),

        // Nobody there yet: no socket file, or a file nobody listens on (a crashed daemon's, until the new one binds).
        SocketException { SocketErrorCode: SocketError.AddressNotAvailable or SocketError.AddressFamilyNotSupported } s =>
            new Failure($"the wincnid socket {_socketPath} does not exist: is wincnid running? ({s.Message})", Retriable: true, e),
        SocketException { SocketErrorCode: SocketError.ConnectionRefused } s =>
            new Failure($"nothing is listening on {_socketPath}: is wincnid running? ({s.Message})", Retriable: true, e),
        SocketException { SocketErrorCode: SocketError.AccessDenied } =>
            new Failure($"permission denied on {_socketPath}: the plugin must run as root (Windows: SYSTEM or Administrators)", Retriable: false, e),

        // The daemon went away in the middle of the exchange (killed, restarted): the verb is idempotent, ask again.
        SocketException s when IsDropped(s.SocketErrorCode) =>
            new Failure($"wincnid dropped the connection before answering ({s.Message})", Retriable: true, e),
        EndOfStreamException eof =>
            new Failure($"wincnid closed the connection before answering ({eof.Message})", Retriable: true, e),
        SocketException s when !File.Exists(_socketPath) =>
            new Failure($"the wincnid socket {_socketPath} does not exist: is wincnid running? ({s.Message})", Retriable: true, e),
        SocketException s =>
            new Failure($"cannot talk to wincnid on {_socketPath}: {s.Message}", Retriable: false, e),
        InvalidDataException bad =>
            new Failure($"wincnid sent a malformed HTTP response: {bad.Message}", Retriable: false, e),
        IOException io =>
            new Failure($"the connection to wincnid broke: {io.Message}", Retriable: false, e),
        _ => null,
    };

    private DaemonUnavailableException Unavailable(Failure last, int attempts, TimeSpan waited)
    {
        if (attempts == 1)
        {
            return new DaemonUnavailableException(last.Message, _socketPath, last.Exception);
        }

        // Say how long the plugin waited and how often it asked, so "try again later" is not mistaken for a first try.
        var message = string.Create(
            CultureInfo.InvariantCulture,
            $"{last.Message}; waited {waited.TotalSeconds:0.0} s over {attempts} attempts");
        return new DaemonUnavailableException(message, _socketPath, last.Exception);
    }

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

    /// <summary>One attempt's failure: the message for the runtime, and whether trying again can help.</summary>
    private sealed record Failure(string Message, bool Retriable, Exception Exception);
}
