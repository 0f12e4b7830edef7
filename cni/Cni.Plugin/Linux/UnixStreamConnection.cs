using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;

namespace Cni.Plugin.Linux;

/// <summary>
/// One AF_UNIX stream connection made with plain libc calls, every wait bounded by a deadline through poll(2).
/// </summary>
/// <remarks>
/// <see cref="Socket"/> would do, but on Linux its first use starts the ".NET Sockets" epoll thread, probes the
/// address families and routes a receive with a timeout through the async engine and a thread-pool thread: about a
/// millisecond of a plugin exec that lives for a few. Four syscalls do the same job. Errors surface as
/// <see cref="SocketException"/> with the matching <see cref="SocketError"/>, so callers treat both paths alike.
/// </remarks>
[SupportedOSPlatform("linux")]
internal sealed partial class UnixStreamConnection : IDisposable
{
    private const int AfUnix = 1;
    private const int SockStream = 1;
    private const int SockNonblock = 0x800;
    private const int SockCloexec = 0x80000;
    private const int SolSocket = 1;
    private const int SoError = 4;
    private const int MsgNosignal = 0x4000;
    private const short PollIn = 0x001;
    private const short PollOut = 0x004;
    private const int EINTR = 4;
    private const int EAGAIN = 11;
    private const int EINPROGRESS = 115;
    private const int SunPathLength = 108;

    private readonly int _fd;

    private UnixStreamConnection(int fd) => _fd = fd;

    /// <summary>Connects to <paramref name="path"/> before <paramref name="deadline"/> (a <see cref="System.Diagnostics.Stopwatch"/> timestamp).</summary>
    /// <exception cref="SocketException">The connection was refused, the path does not exist, or access is denied.</exception>
    /// <exception cref="TimeoutException">The deadline passed.</exception>
    public static UnixStreamConnection Connect(string path, long deadline)
    {
        var address = new SockaddrUn { Family = AfUnix };
        var pathBytes = Encoding.UTF8.GetBytes(path);
        if (pathBytes.Length >= SunPathLength)
        {
            throw new SocketException((int)SocketError.InvalidArgument);
        }

        unsafe
        {
            pathBytes.CopyTo(new Span<byte>(address.Path, SunPathLength));
        }

        var fd = socket(AfUnix, SockStream | SockNonblock | SockCloexec, 0);
        if (fd < 0)
        {
            throw Error(Marshal.GetLastPInvokeError());
        }

        var connection = new UnixStreamConnection(fd);
        try
        {
            while (true)
            {
                if (connect(fd, address, 2 + pathBytes.Length + 1) == 0)
                {
                    return connection;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno == EINTR)
                {
                    continue;
                }

                if (errno == EINPROGRESS)
                {
                    connection.Wait(PollOut, deadline);
                    var status = 0;
                    var length = sizeof(int);
                    if (getsockopt(fd, SolSocket, SoError, ref status, ref length) != 0)
                    {
                        throw Error(Marshal.GetLastPInvokeError());
                    }

                    return status == 0 ? connection : throw Error(status);
                }

                if (errno == EAGAIN)
                {
                    // A unix listener with a full backlog: the kernel offers no completion to wait for, so retry
                    // shortly, within the deadline.
                    _ = poll(IntPtr.Zero, 0, Math.Min(5, RemainingMilliseconds(deadline)));
                    continue;
                }

                throw Error(errno);
            }
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Writes all of <paramref name="data"/> before the deadline.</summary>
    public void Send(ReadOnlySpan<byte> data, long deadline)
    {
        while (!data.IsEmpty)
        {
            var written = send(_fd, data, data.Length, MsgNosignal);
            if (written >= 0)
            {
                data = data[(int)written..];
                continue;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno == EAGAIN)
            {
                Wait(PollOut, deadline);
            }
            else if (errno != EINTR)
            {
                throw Error(errno);
            }
        }
    }

    /// <summary>Reads at most <paramref name="count"/> bytes (0 = the peer closed) before the deadline.</summary>
    public int Receive(byte[] buffer, int offset, int count, long deadline)
    {
        while (true)
        {
            var read = recv(_fd, buffer.AsSpan(offset, count), count, 0);
            if (read >= 0)
            {
                return (int)read;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno == EAGAIN)
            {
                Wait(PollIn, deadline);
            }
            else if (errno != EINTR)
            {
                throw Error(errno);
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _ = close(_fd);

    private void Wait(short events, long deadline)
    {
        while (true)
        {
            var descriptor = new PollFd { Fd = _fd, Events = events };
            var ready = PollOne(ref descriptor, RemainingMilliseconds(deadline));
            if (ready > 0)
            {
                return;
            }

            if (ready < 0 && Marshal.GetLastPInvokeError() is var errno && errno != EINTR)
            {
                throw Error(errno);
            }
        }
    }

    private static int RemainingMilliseconds(long deadline)
    {
        var remaining = System.Diagnostics.Stopwatch.GetElapsedTime(System.Diagnostics.Stopwatch.GetTimestamp(), deadline);
        if (remaining <= TimeSpan.Zero)
        {
            throw new TimeoutException("deadline passed");
        }

        return Math.Max(1, (int)Math.Min(int.MaxValue, Math.Ceiling(remaining.TotalMilliseconds)));
    }

    /// <summary>errno → the <see cref="SocketError"/> the managed socket layer would have reported.</summary>
    private static SocketException Error(int errno) => new((int)(errno switch
    {
        1 or 13 => SocketError.AccessDenied,            // EPERM, EACCES
        2 or 20 => SocketError.AddressNotAvailable,     // ENOENT, ENOTDIR: no socket file at that path
        111 => SocketError.ConnectionRefused,           // ECONNREFUSED: a file, nobody listening
        104 => SocketError.ConnectionReset,             // ECONNRESET
        32 => SocketError.Shutdown,                     // EPIPE
        110 => SocketError.TimedOut,                    // ETIMEDOUT
        _ => SocketError.SocketError,
    }));

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct SockaddrUn
    {
        public ushort Family;
        public fixed byte Path[SunPathLength];
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    private static int PollOne(ref PollFd descriptor, int timeoutMilliseconds)
    {
        unsafe
        {
            fixed (PollFd* pointer = &descriptor)
            {
                return poll((IntPtr)pointer, 1, timeoutMilliseconds);
            }
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int connect(int sockfd, in SockaddrUn address, int addressLength);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getsockopt(int sockfd, int level, int optname, ref int optval, ref int optlen);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint send(int sockfd, ReadOnlySpan<byte> buffer, nint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint recv(int sockfd, Span<byte> buffer, nint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int poll(IntPtr fds, nuint count, int timeout);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);
}
