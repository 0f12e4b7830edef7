namespace Cni.Daemon.Install;

/// <summary>
/// The file names the installer uses beside a target, for one platform: the staged copy that is renamed into place
/// (same directory, so the rename never crosses a file system) and, on Windows, where a running <c>wincni.exe</c> is
/// renamed aside (a running image can be renamed but not overwritten or deleted).
/// </summary>
/// <param name="Windows">Whether the node is Windows (<c>wincni.exe</c>, rename-aside) or Linux (<c>wincni</c>, rename(2) over it).</param>
public sealed record InstallPaths(bool Windows)
{
    /// <summary>Marks the staged copies and the renamed-aside images, so a later run removes what an interrupted one left.</summary>
    public const string StagingSuffix = ".wincni-tmp";

    /// <summary>Suffix of an image renamed aside (followed by a number).</summary>
    public const string AsideSuffix = ".wincni-old";

    /// <summary>The record of what the installer placed (in the CNI bin directory: containerd reads only *.conf,
    /// *.conflist and *.json from the conf directory, but a file there is still one nobody expects).</summary>
    public const string RecordFileName = "wincni.installed";

    /// <summary>The conflist's default file name: containerd uses the first conflist by name, hence the 10- prefix.</summary>
    public const string DefaultConflistName = "10-wincni.conflist";

    /// <summary>The platform's paths (the running OS).</summary>
    public static InstallPaths Current { get; } = new(OperatingSystem.IsWindows());

    /// <summary>The plugin's file name.</summary>
    public string PluginFileName => Windows ? "wincni.exe" : "wincni";

    /// <summary>The daemon's file name (beside which the plugin ships).</summary>
    public string DaemonFileName => Windows ? "wincnid.exe" : "wincnid";

    /// <summary>The CNI binary directory kubelet's runtime execs plugins from (sig-windows-tools' C:\opt\cni\bin).</summary>
    public string DefaultBinDir => Windows ? @"C:\opt\cni\bin" : "/opt/cni/bin";

    /// <summary>The CNI configuration directory (sig-windows-tools' C:\etc\cni\net.d).</summary>
    public string DefaultConfDir => Windows ? @"C:\etc\cni\net.d" : "/etc/cni/net.d";

    /// <summary>The staged copy of <paramref name="target"/>: hidden (leading dot), unique per process.</summary>
    public string StagingPath(string target, int processId) =>
        Combine(DirectoryOf(target), "." + FileNameOf(target) + "." + processId.ToString(System.Globalization.CultureInfo.InvariantCulture) + StagingSuffix);

    /// <summary>Where a running <paramref name="target"/> is renamed aside: the first free <c>name.wincni-old-N</c>.</summary>
    public string AsidePath(string target, Func<string, bool> exists)
    {
        ArgumentNullException.ThrowIfNull(exists);
        for (var n = 1; ; n++)
        {
            var candidate = Combine(DirectoryOf(target), FileNameOf(target) + AsideSuffix + "-" + n.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (!exists(candidate)) return candidate;
        }
    }

    /// <summary>Whether <paramref name="fileName"/> is a staged copy or an aside image of <paramref name="targetFileName"/>.</summary>
    public static bool IsLeftoverOf(string fileName, string targetFileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        return (fileName.StartsWith("." + targetFileName + ".", StringComparison.Ordinal) && fileName.EndsWith(StagingSuffix, StringComparison.Ordinal))
            || fileName.StartsWith(targetFileName + AsideSuffix + "-", StringComparison.Ordinal);
    }

    /// <summary>Joins with this platform's separator (so the Windows logic is testable on Linux).</summary>
    public string Combine(string directory, string fileName)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var separator = Windows ? '\\' : '/';
        return directory.EndsWith('\\') || directory.EndsWith('/') ? directory + fileName : directory + separator + fileName;
    }

    /// <summary>The directory part of <paramref name="path"/> by this platform's separators.</summary>
    public string DirectoryOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var index = Windows ? path.LastIndexOfAny(['\\', '/']) : path.LastIndexOf('/');
        return index < 0 ? "." : path[..index];
    }

    /// <summary>The file name part of <paramref name="path"/> by this platform's separators.</summary>
    public string FileNameOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var index = Windows ? path.LastIndexOfAny(['\\', '/']) : path.LastIndexOf('/');
        return path[(index + 1)..];
    }
}
