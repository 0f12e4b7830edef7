using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Cni.Daemon.Hosting;

/// <summary>
/// The CNI socket, bound and listening before anything else in wincnid starts, with its final permissions from the
/// first moment (<see cref="UnixSocketGuard"/>). A request that arrives while wincnid loads IPAM, opens the dataplane
/// and ensures the node network waits in the kernel's backlog instead of being refused, and is read as soon as the
/// host runs; the host then holds it until the node is ready (<see cref="ReadinessHold"/>). Kestrel takes the
/// listening socket over as is, so nothing arriving in between is lost.
/// </summary>
public sealed class CniSocket : IDisposable
{
    /// <summary>Connections the kernel queues before wincnid accepts them (Kestrel's default).</summary>
    public const int Backlog = 512;

    private Socket? _listener;

    private CniSocket(string path, Socket listener)
    {
        Path = path;
        _listener = listener;
    }

    /// <summary>The socket's path.</summary>
    public string Path { get; }

    /// <summary>Binds and listens on <paramref name="path"/>.</summary>
    /// <exception cref="DaemonStartupException">The path, its directory or another daemon on it forbid it; the message says which and what to do.</exception>
    public static CniSocket Bind(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var bytes = Encoding.UTF8.GetByteCount(path);
        if (bytes > UnixSocketGuard.MaxPathBytes)
        {
            throw new DaemonStartupException(string.Create(
                CultureInfo.InvariantCulture,
                $"socket {path}: the path is {bytes} bytes, AF_UNIX allows at most {UnixSocketGuard.MaxPathBytes}; use a shorter --socket or socket in the node config"));
        }

        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            UnixSocketGuard.Prepare(path);
            UnixSocketGuard.BindAndListen(listener, path, Backlog);
            return new CniSocket(path, listener);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or SocketException)
        {
            listener.Dispose();
            throw new DaemonStartupException($"socket {path}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Serves this socket from the host <paramref name="builder"/> builds: Kestrel's transport takes the listening
    /// socket over (with whatever waits in its backlog) instead of binding a new one, and on Linux every connection's
    /// peer is checked (<see cref="PeerCredentialsCheck"/>).
    /// </summary>
    public void ServeWith(WebApplicationBuilder builder, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(loggers);
        builder.WebHost.UseSockets(sockets =>
        {
            var bindOthers = sockets.CreateBoundListenSocket;
            sockets.CreateBoundListenSocket = endpoint =>
                endpoint is UnixDomainSocketEndPoint unix && string.Equals(unix.ToString(), Path, StringComparison.Ordinal)
                    ? Interlocked.Exchange(ref _listener, null) ?? throw new InvalidOperationException($"the CNI socket {Path} was handed to a listener already")
                    : bindOthers(endpoint);
        });
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenUnixSocket(Path, listen =>
        {
            if (OperatingSystem.IsLinux())
            {
                var check = new PeerCredentialsCheck(Path, PeerCredentials.OwnEffectiveUid(), loggers.CreateLogger<PeerCredentialsCheck>());
                listen.Use(check.Wrap);
            }
        }));
    }

    /// <summary>Closes the socket and removes its file, unless a host took it over (the host then owns both).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _listener, null) is { } listener)
        {
            listener.Dispose();
            try
            {
                File.Delete(Path);
            }
            catch (IOException)
            {
                // A stale socket file is replaced at the next start.
            }
        }
    }
}
