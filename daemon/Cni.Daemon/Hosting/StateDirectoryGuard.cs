using System.Globalization;

namespace Cni.Daemon.Hosting;

/// <summary>
/// The state directory holds what wincnid trusts after a restart (IP leases, HCN objects, netns paths): it is made
/// 0700 whatever the umask, and one that others can write is refused, since whoever writes there can forge leases
/// or point an endpoint at another pod's namespace. Windows: ProgramData's ACL decides (not checked here).
/// </summary>
public static class StateDirectoryGuard
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode WritableByOthers = UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;

    /// <summary>Creates <paramref name="stateDir"/> as 0700, or checks and tightens an existing one.</summary>
    /// <returns>The mode an existing directory was tightened from (group/other could read it), else null.</returns>
    /// <exception cref="DaemonStartupException">Others can write it, it is not a directory, or it cannot be made.</exception>
    public static UnixFileMode? Prepare(string stateDir)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateDir);
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        try
        {
            if (File.Exists(stateDir))
            {
                throw new DaemonStartupException($"stateDir {stateDir} is a file, not a directory");
            }

            if (!Directory.Exists(stateDir))
            {
                Directory.CreateDirectory(stateDir, Private);
                File.SetUnixFileMode(stateDir, Private); // a umask only takes bits away; this is the mode, exactly
                return null;
            }

            var mode = File.GetUnixFileMode(stateDir);
            if ((mode & WritableByOthers) != 0)
            {
                throw new DaemonStartupException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"stateDir {stateDir} is writable by {Who(mode)} (mode {Octal(mode)}): whoever can write there can forge IP leases and HCN state; chmod 700 {stateDir}, or choose another stateDir"));
            }

            if ((mode & ~Private & ~UnixFileMode.SetUser & ~UnixFileMode.SetGroup & ~UnixFileMode.StickyBit) != 0)
            {
                File.SetUnixFileMode(stateDir, Private);
                return mode;
            }

            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DaemonStartupException($"stateDir {stateDir} is not usable: {e.Message}", e);
        }
    }

    /// <summary>A mode as <c>0755</c>.</summary>
    public static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0xFFF, 8);

    private static string Who(UnixFileMode mode) =>
        (mode & UnixFileMode.GroupWrite) != 0 && (mode & UnixFileMode.OtherWrite) != 0 ? "its group and everyone"
        : (mode & UnixFileMode.OtherWrite) != 0 ? "everyone"
        : "its group";
}
