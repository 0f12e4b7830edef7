using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Cni.Daemon.Hosting;

/// <summary>
/// Who is on the other end of an AF_UNIX connection, as the kernel recorded it when the peer called connect
/// (SO_PEERCRED, unix(7)): the peer cannot claim anything else.
/// </summary>
/// <param name="Pid">The peer's process ID.</param>
/// <param name="Uid">The peer's effective user ID.</param>
/// <param name="Gid">The peer's effective group ID.</param>
public sealed record PeerCredentials(int Pid, uint Uid, uint Gid)
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    /// <summary>Reads the credentials of <paramref name="socket"/>'s peer (struct ucred: pid, uid, gid), or null when the kernel has none.</summary>
    [SupportedOSPlatform("linux")]
    public static PeerCredentials? Read(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        Span<byte> ucred = stackalloc byte[12];
        try
        {
            if (socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred) != ucred.Length)
            {
                return null;
            }
        }
        catch (SocketException)
        {
            return null;
        }

        // Native byte order, as the kernel wrote the struct.
        return new PeerCredentials(MemoryMarshal.Read<int>(ucred), MemoryMarshal.Read<uint>(ucred[4..]), MemoryMarshal.Read<uint>(ucred[8..]));
    }

    /// <summary>This process's effective user ID (the Uid line of /proc/self/status: real, effective, saved, filesystem).</summary>
    [SupportedOSPlatform("linux")]
    public static uint OwnEffectiveUid()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("Uid:", StringComparison.Ordinal))
            {
                var fields = line[4..].Split('\t', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                return uint.Parse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException("/proc/self/status has no Uid line");
    }
}
