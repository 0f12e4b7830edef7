namespace Cni.Node.Ipam;

/// <summary>
/// The journal's files and directory are readable by the daemon's user alone (0600 and 0700, whatever the umask):
/// they name pods, containers, netns paths and addresses. Modes are set explicitly as well as at creation, because a
/// umask only takes bits away and a directory made by an older version may be looser. No-ops on Windows, where the
/// state directory's ACL (ProgramData) decides.
/// </summary>
internal static class PrivateFiles
{
    /// <summary>rw-------.</summary>
    public const UnixFileMode File = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>rwx------.</summary>
    public const UnixFileMode Directory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Opens (or creates, as 0600) <paramref name="path"/>; an existing file is made 0600 too.</summary>
    public static FileStream Open(string path, FileMode mode, FileAccess access, FileShare share, int bufferSize = 4096)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = share, BufferSize = bufferSize };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = File;
        }

        var stream = new FileStream(path, options);
        if (!OperatingSystem.IsWindows() && access != FileAccess.Read)
        {
            try
            {
                System.IO.File.SetUnixFileMode(stream.SafeFileHandle, File);
            }
            catch
            {
                stream.Dispose();
                throw;
            }
        }

        return stream;
    }

    /// <summary>Creates <paramref name="path"/> (and missing parents) as 0700, or makes an existing one 0700.</summary>
    public static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            System.IO.Directory.CreateDirectory(path);
            return;
        }

        System.IO.Directory.CreateDirectory(path, Directory);
        System.IO.File.SetUnixFileMode(path, Directory);
    }
}
