using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Cni.LocalCluster.Support;

/// <summary>
/// .NET sockets that live in another network namespace (a pod's, a node's, a client's on the underlay), so a test
/// can be a client or a server there in-process, with real packets, and without a process per connection: a socket
/// belongs to the namespace it was created in, whatever thread later uses it.
/// </summary>
/// <remarks>
/// Each socket is created on a short-lived thread that first enters the namespace (setns is per thread), as
/// <see cref="NetnsListener"/> does, so no other thread of the process ever changes namespace.
/// </remarks>
[SupportedOSPlatform("linux")]
public static partial class NetnsSocket
{
    private const int CloneNewNet = 0x40000000;

    /// <summary>A new, unbound socket inside namespace <paramref name="netns"/> (its name under /var/run/netns).</summary>
    /// <exception cref="IOException">The namespace cannot be entered (errno in the message).</exception>
    public static Socket Create(string netns, SocketType type, ProtocolType protocol)
    {
        ArgumentNullException.ThrowIfNull(netns);
        Socket? socket = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using (var handle = File.OpenHandle(Netns.PathOf(netns)))
                {
                    if (setns(handle.DangerousGetHandle().ToInt32(), CloneNewNet) != 0)
                    {
                        throw new IOException($"setns {netns}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
                    }
                }

                socket = new Socket(AddressFamily.InterNetwork, type, protocol);
            }
            catch (Exception e) when (e is IOException or SocketException or UnauthorizedAccessException)
            {
                failure = e;
            }
        })
        {
            IsBackground = true,
            Name = "netns-socket",
        };
        thread.Start();
        thread.Join();
        return failure is null ? socket! : throw new IOException($"socket in namespace {netns}: {failure.Message}", failure);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setns(int fd, int nstype);
}
