using System.Net;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Cni.LocalCluster.Support;

/// <summary>
/// A listening TCP socket created inside another network namespace, for an in-process server (the stand-in API
/// server) that the cluster's nodes must reach on the underlay: a socket belongs to the namespace it was created in,
/// whatever thread later accepts on it.
/// </summary>
/// <remarks>
/// The socket is made with plain libc calls on a short-lived thread that first enters the namespace (setns is
/// per thread), so the process's other threads never change namespace. The caller owns the returned descriptor
/// (Kestrel's ListenHandle takes it over and closes it on stop).
/// </remarks>
[SupportedOSPlatform("linux")]
public static partial class NetnsListener
{
    private const int CloneNewNet = 0x40000000;
    private const int AfInet = 2;
    private const int SockStream = 1;
    private const int SockCloexec = 0x80000;
    private const int SolSocket = 1;
    private const int SoReuseaddr = 2;

    /// <summary>Creates a socket bound to <paramref name="endpoint"/> (IPv4) and listening, inside <paramref name="netnsPath"/>.</summary>
    /// <returns>The socket's file descriptor.</returns>
    /// <exception cref="IOException">The namespace cannot be entered or the address cannot be bound (errno in the message).</exception>
    public static int Open(string netnsPath, IPEndPoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (endpoint.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            throw new ArgumentException("only IPv4 endpoints are supported", nameof(endpoint));
        }

        var result = 0;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = OpenOnThisThread(netnsPath, endpoint);
            }
            catch (IOException e)
            {
                failure = e;
            }
        })
        {
            IsBackground = true,
            Name = "netns-listener",
        };
        thread.Start();
        thread.Join();
        return failure is null ? result : throw failure;
    }

    private static int OpenOnThisThread(string netnsPath, IPEndPoint endpoint)
    {
        using (var netns = File.OpenHandle(netnsPath))
        {
            if (setns(netns.DangerousGetHandle().ToInt32(), CloneNewNet) != 0)
            {
                throw Failure($"setns {netnsPath}");
            }
        }

        var fd = socket(AfInet, SockStream | SockCloexec, 0);
        if (fd < 0)
        {
            throw Failure("socket");
        }

        var one = 1;
        var address = new SockaddrIn
        {
            Family = AfInet,
            PortNetworkOrder = (ushort)IPAddress.HostToNetworkOrder((short)endpoint.Port),
        };
        endpoint.Address.TryWriteBytes(MemoryMarshal.AsBytes(new Span<uint>(ref address.Address)), out _);
        if (setsockopt(fd, SolSocket, SoReuseaddr, ref one, sizeof(int)) != 0
            || bind(fd, address, Marshal.SizeOf<SockaddrIn>()) != 0
            || listen(fd, 512) != 0)
        {
            var error = Failure($"bind/listen {endpoint} in {netnsPath}");
            _ = close(fd);
            throw error;
        }

        return fd;
    }

    private static IOException Failure(string what) =>
        new($"{what}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");

    [StructLayout(LayoutKind.Sequential)]
    private struct SockaddrIn
    {
        public ushort Family;
        public ushort PortNetworkOrder;
        public uint Address;
        public ulong Zero;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setns(int fd, int nstype);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setsockopt(int sockfd, int level, int optname, ref int optval, int optlen);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int bind(int sockfd, in SockaddrIn address, int addressLength);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int listen(int sockfd, int backlog);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);
}
