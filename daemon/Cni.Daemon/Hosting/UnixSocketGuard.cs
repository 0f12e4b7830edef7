using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Security.AccessControl;
using System.Security.Principal;

namespace Cni.Daemon.Hosting;

/// <summary>
/// Makes the CNI socket reachable by root / SYSTEM and Administrators only, and refuses to start a second daemon on
/// a socket that is in use. The socket's directory is created private (Linux 0700; Windows an ACL without
/// inheritance), so nobody else can even reach the socket file during the moment between bind and chmod.
/// </summary>
public static class UnixSocketGuard
{
    /// <summary>Prepares the directory and removes a stale socket file left by a crashed daemon.</summary>
    public static void Prepare(string socketPath)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(socketPath))
            ?? throw new InvalidOperationException($"socket path {socketPath} has no directory");
        if (!Directory.Exists(directory))
        {
            if (OperatingSystem.IsWindows())
            {
                CreatePrivateDirectoryWindows(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        if (File.Exists(socketPath) || Directory.Exists(socketPath))
        {
            if (IsListening(socketPath))
            {
                throw new InvalidOperationException($"another wincnid is already listening on {socketPath}");
            }

            // A crashed daemon leaves its socket file behind; nobody answers on it, so it is safe to replace.
            File.Delete(socketPath);
        }
    }

    /// <summary>Restricts the bound socket file to its owner (root), for hosts whose umask is loose.</summary>
    public static void Restrict(string socketPath)
    {
        if (!OperatingSystem.IsWindows() && File.Exists(socketPath))
        {
            File.SetUnixFileMode(socketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    private static bool IsListening(string socketPath)
    {
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(socketPath));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    [SupportedOSPlatform("windows")]
    private static void CreatePrivateDirectoryWindows(string directory)
    {
        var security = new DirectorySecurity();
        security.SetAccessRuleProtection(isProtected: true, preserveInheritance: false);
        foreach (var sid in new[] { WellKnownSidType.LocalSystemSid, WellKnownSidType.BuiltinAdministratorsSid })
        {
            security.AddAccessRule(new FileSystemAccessRule(
                new SecurityIdentifier(sid, null),
                FileSystemRights.FullControl,
                InheritanceFlags.ContainerInherit | InheritanceFlags.ObjectInherit,
                PropagationFlags.None,
                AccessControlType.Allow));
        }

        new DirectoryInfo(directory).Create(security);
    }
}
