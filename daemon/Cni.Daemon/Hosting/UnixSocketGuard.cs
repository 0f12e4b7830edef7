using System.Globalization;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Security.AccessControl;
using System.Security.Cryptography;
using System.Security.Principal;

namespace Cni.Daemon.Hosting;

/// <summary>
/// The file-system side of the CNI socket: a directory nobody else can write, no second daemon on the same path, and
/// a socket file that nobody but root (Windows: SYSTEM and Administrators) can ever connect to, not even for the
/// moment between bind and chmod.
/// </summary>
/// <remarks>
/// On Linux, bind(2) creates the socket file with mode 0777 minus the umask, so binding in place and then chmod-ing
/// leaves a window in which anyone who can reach the directory connects (under umask 000 the file is 0777; a
/// connection, once made, outlives the chmod). The umask cannot be narrowed around the bind: it is per process, and
/// wincnid's other threads create files (the IPAM journal) at the same time. fchmod(2) on the socket before bind
/// happens to work on Linux (the new inode takes the socket inode's mode) but is documented nowhere. So the socket is
/// bound inside a fresh directory only its owner can enter, listening and chmod-ed 0600 there, and then renamed
/// into place: rename(2) is atomic, so the path shows either the old file or the finished socket, and nobody can
/// reach it in the private directory meanwhile (POSIX connect(): EACCES when search permission is denied on a
/// component of the path; unix(7): pathname sockets honour the permissions of the directory they are in).
/// On Windows, an AF_UNIX socket file is created with the ACL its directory passes on, and connect needs write access
/// to it ("AF_UNIX comes to Windows", Microsoft devblogs 2017): the directory is created with an ACL that grants
/// SYSTEM and Administrators only and blocks inheritance, the security descriptor Docker gives its API pipe
/// (moby daemon/listeners/listeners_windows.go: D:P(A;;GA;;;BA)(A;;GA;;;SY)).
/// </remarks>
public static class UnixSocketGuard
{
    /// <summary>The largest socket path in bytes: sockaddr_un's sun_path holds 108 including the terminating NUL.</summary>
    public const int MaxPathBytes = 107;

    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlySocket = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Makes sure the socket's directory exists and nobody but its owner (root) can add, replace or remove files in
    /// it, and that no other daemon listens on <paramref name="socketPath"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The directory is writable by others, or another daemon listens.</exception>
    public static void Prepare(string socketPath)
    {
        var directory = DirectoryOf(socketPath);
        if (!Directory.Exists(directory))
        {
            if (OperatingSystem.IsWindows())
            {
                CreatePrivateDirectoryWindows(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, OwnerOnlyDirectory);
            }
        }
        else if (OperatingSystem.IsWindows())
        {
            RefuseWritableByOthersWindows(directory);
        }
        else
        {
            RefuseWritableByOthers(directory);
        }

        if ((File.Exists(socketPath) || Directory.Exists(socketPath)) && IsListening(socketPath))
        {
            throw new InvalidOperationException($"another wincnid is already listening on {socketPath}");
        }
    }

    /// <summary>
    /// Binds <paramref name="socket"/> to <paramref name="socketPath"/> and starts listening, with its final
    /// permissions from the first moment the path names it; a stale socket file left by a crashed daemon is replaced.
    /// Call <see cref="Prepare"/> first.
    /// </summary>
    public static void BindAndListen(Socket socket, string socketPath, int backlog)
    {
        ArgumentNullException.ThrowIfNull(socket);
        if (OperatingSystem.IsWindows())
        {
            // The directory's protected ACL is the socket file's from its creation; a stale file must go first.
            if (File.Exists(socketPath))
            {
                File.Delete(socketPath);
            }

            socket.Bind(new UnixDomainSocketEndPoint(socketPath));
            socket.Listen(backlog);
            return;
        }

        BindInPrivateDirectoryAndRename(socket, socketPath, backlog);
    }

    /// <summary>The directory a socket path lives in.</summary>
    public static string DirectoryOf(string socketPath) =>
        Path.GetDirectoryName(Path.GetFullPath(socketPath))
        ?? throw new InvalidOperationException($"socket path {socketPath} has no directory");

    [UnsupportedOSPlatform("windows")]
    private static void BindInPrivateDirectoryAndRename(Socket socket, string socketPath, int backlog)
    {
        var directory = DirectoryOf(socketPath);

        // Short on purpose: the staging path must fit in sun_path too.
        var staging = Path.Combine(directory, ".w" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3)));
        var stagingSocket = Path.Combine(staging, "s");
        if (System.Text.Encoding.UTF8.GetByteCount(stagingSocket) > MaxPathBytes)
        {
            throw new InvalidOperationException(string.Create(
                CultureInfo.InvariantCulture,
                $"the socket's directory path is too long: wincnid binds in a private directory beside the socket first, which needs the directory path to be at most {MaxPathBytes - 10} bytes"));
        }

        if (Directory.Exists(staging) || File.Exists(staging))
        {
            throw new IOException($"{staging} exists already; remove it (a leftover of an interrupted start)");
        }

        // mkdir(2) with 0700: the umask can only take bits away.
        Directory.CreateDirectory(staging, OwnerOnlyDirectory);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(stagingSocket));
            socket.Listen(backlog);
            File.SetUnixFileMode(stagingSocket, OwnerOnlySocket);

            // rename(2): atomic, and replaces a crashed daemon's stale socket file in the same step.
            File.Move(stagingSocket, socketPath, overwrite: true);
        }
        finally
        {
            try
            {
                if (File.Exists(stagingSocket))
                {
                    File.Delete(stagingSocket);
                }

                Directory.Delete(staging);
            }
            catch (IOException)
            {
                // Nothing anyone else can enter; the next start uses another name.
            }
        }
    }

    [UnsupportedOSPlatform("windows")]
    private static void RefuseWritableByOthers(string directory)
    {
        var mode = File.GetUnixFileMode(directory);
        var writers = (mode & UnixFileMode.GroupWrite) != 0 && (mode & UnixFileMode.OtherWrite) != 0 ? "its group and others"
            : (mode & UnixFileMode.GroupWrite) != 0 ? "its group"
            : (mode & UnixFileMode.OtherWrite) != 0 ? "others"
            : null;
        if (writers is not null)
        {
            // A sticky bit does not help: while wincnid is down anyone may put their own socket at the path, and the
            // plugin, running as root, would send pod requests to it.
            throw new InvalidOperationException(string.Create(
                CultureInfo.InvariantCulture,
                $"its directory {directory} is writable by {writers} (mode {Convert.ToString((int)mode, 8)}): they could replace the socket or put their own in its place. Use a directory only root can write (chmod go-w {directory}), such as the default /run/wincni, which wincnid creates 0700"));
        }
    }

    [SupportedOSPlatform("windows")]
    private static void RefuseWritableByOthersWindows(string directory)
    {
        const FileSystemRights writeRights = FileSystemRights.WriteData | FileSystemRights.AppendData
            | FileSystemRights.DeleteSubdirectoriesAndFiles | FileSystemRights.Delete
            | FileSystemRights.ChangePermissions | FileSystemRights.TakeOwnership;
        var trusted = new[]
        {
            new SecurityIdentifier(WellKnownSidType.LocalSystemSid, null),
            new SecurityIdentifier(WellKnownSidType.BuiltinAdministratorsSid, null),
        };
        var rules = new DirectoryInfo(directory).GetAccessControl().GetAccessRules(includeExplicit: true, includeInherited: true, typeof(SecurityIdentifier));
        foreach (FileSystemAccessRule rule in rules)
        {
            // Inherit-only entries (CREATOR OWNER's, for instance) say nothing about the directory itself.
            if (rule.AccessControlType != AccessControlType.Allow || rule.PropagationFlags.HasFlag(PropagationFlags.InheritOnly)
                || (rule.FileSystemRights & writeRights) == 0 || trusted.Contains(rule.IdentityReference))
            {
                continue;
            }

            var who = rule.IdentityReference.Value;
            try
            {
                who = rule.IdentityReference.Translate(typeof(NTAccount)).Value;
            }
            catch (IdentityNotMappedException)
            {
                // Keep the SID.
            }

            throw new InvalidOperationException(
                $"its directory {directory} lets {who} create or delete files ({rule.FileSystemRights}): they could put their own socket in its place. "
                + $"Allow only SYSTEM and Administrators (icacls \"{directory}\" /inheritance:r /grant:r SYSTEM:(OI)(CI)F Administrators:(OI)(CI)F), or remove the directory and let wincnid create it");
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
