using System.Globalization;
using System.Runtime.Versioning;
using System.Text;
using Cni.Spec;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace Cni.Daemon.Hosting;

/// <summary>
/// Checks, on every connection to the CNI socket, who connected (<see cref="PeerCredentials"/>) and lets only root and
/// wincnid's own user through; anyone else gets a logged refusal and an answer saying why, before a byte of their
/// request is read. The socket file's mode (0600, root) already keeps others out; this check still holds when that
/// mode is loosened by hand, or when the socket is reached through a bind mount or a file descriptor passed on.
/// </summary>
/// <remarks>
/// Windows has no SO_PEERCRED for AF_UNIX; there the socket file's ACL (SYSTEM and Administrators, see
/// <see cref="UnixSocketGuard"/>) is checked by the kernel at connect, as for Docker's and containerd's pipes.
/// </remarks>
[SupportedOSPlatform("linux")]
public sealed partial class PeerCredentialsCheck
{
    private readonly string _socket;
    private readonly uint _ownUid;
    private readonly ILogger _logger;

    public PeerCredentialsCheck(string socket, uint ownUid, ILogger<PeerCredentialsCheck> logger)
    {
        _socket = socket;
        _ownUid = ownUid;
        _logger = logger;
    }

    /// <summary>Whether a peer with <paramref name="uid"/> may use the socket: root, or the user wincnid runs as.</summary>
    public bool Allows(uint uid) => uid == 0 || uid == _ownUid;

    /// <summary>The connection middleware for the socket's <c>ListenOptions.Use</c>.</summary>
    public ConnectionDelegate Wrap(ConnectionDelegate next) => async connection =>
    {
        var socket = connection.Features.Get<IConnectionSocketFeature>()?.Socket;
        var peer = socket is null ? null : PeerCredentials.Read(socket);
        if (peer is not null && Allows(peer.Uid))
        {
            await next(connection).ConfigureAwait(false);
            return;
        }

        string allowed = _ownUid == 0 ? "root (uid 0)" : string.Create(CultureInfo.InvariantCulture, $"root (uid 0) and wincnid's own uid {_ownUid}");
        CniError refusal;
        if (peer is null)
        {
            LogUnidentified(_socket, allowed);
            refusal = CniError.Create(CniErrorCode.Internal, "wincnid refused the connection: the kernel did not say who connected", $"only {allowed} may use {_socket}");
        }
        else
        {
            LogRefused(_socket, peer.Pid, peer.Uid, peer.Gid, allowed);
            refusal = CniError.Create(
                CniErrorCode.Internal,
                string.Create(CultureInfo.InvariantCulture, $"wincnid refused the connection: uid {peer.Uid} may not use its socket"),
                $"only {allowed} may send CNI requests to {_socket}; run the container runtime, and so wincni, as root");
        }

        // Answered on the transport, so nothing the peer sent is ever parsed; the connection closes after it.
        var body = CniJson.Serialize(refusal);
        var head = Encoding.ASCII.GetBytes(string.Create(
            CultureInfo.InvariantCulture,
            $"HTTP/1.1 403 Forbidden\r\nContent-Type: {Cni.Spec.Wire.DaemonProtocol.ContentType}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"));
        try
        {
            await connection.Transport.Output.WriteAsync(head, connection.ConnectionClosed).ConfigureAwait(false);
            await connection.Transport.Output.WriteAsync(body, connection.ConnectionClosed).ConfigureAwait(false);
            await connection.Transport.Output.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ConnectionResetException)
        {
            // The peer went away; the refusal is logged.
        }
    };

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "Refused a connection to {Socket} from pid {Pid} (uid {Uid}, gid {Gid}): only {Allowed} may use the CNI socket")]
    private partial void LogRefused(string socket, int pid, uint uid, uint gid, string allowed);

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning, Message = "Refused a connection to {Socket}: the kernel did not report who connected (SO_PEERCRED); only {Allowed} may use the CNI socket")]
    private partial void LogUnidentified(string socket, string allowed);
}
