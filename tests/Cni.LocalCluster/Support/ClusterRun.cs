using System.Globalization;

namespace Cni.LocalCluster.Support;

/// <summary>
/// One test run's identity: every network namespace it creates is named <c>wce-&lt;pid&gt;-…</c> and every file lives
/// under one temp directory, so a sweep can remove exactly what this run (or a dead earlier run) left behind.
/// </summary>
public static class ClusterRun
{
    /// <summary>Common prefix of every E2E network namespace.</summary>
    public const string NamespacePrefix = "wce-";

    private const string NetnsDirectory = "/var/run/netns";

    private static int _sequence;

    /// <summary>This run's namespace prefix, e.g. <c>wce-4242-</c>.</summary>
    public static string Prefix { get; } = string.Create(CultureInfo.InvariantCulture, $"{NamespacePrefix}{Environment.ProcessId}-");

    /// <summary>This run's scratch directory (configs, state dirs, sockets, logs).</summary>
    public static string Root { get; } = Path.Combine(Path.GetTempPath(), string.Create(CultureInfo.InvariantCulture, $"wincni-e2e-{Environment.ProcessId}"));

    /// <summary>A name unique in this run: <c>&lt;prefix&gt;&lt;label&gt;&lt;n&gt;</c>, short enough for a netns file name.</summary>
    public static string UniqueName(string label) =>
        string.Create(CultureInfo.InvariantCulture, $"{Prefix}{label}{Interlocked.Increment(ref _sequence)}");

    /// <summary>A fresh scratch directory under <see cref="Root"/>.</summary>
    public static string NewDirectory(string label)
    {
        var path = Path.Combine(Root, string.Create(CultureInfo.InvariantCulture, $"{label}-{Interlocked.Increment(ref _sequence)}"));
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>
    /// Removes what this run left (<paramref name="ownRunOnly"/>) or what any dead run left: the processes inside its
    /// namespaces (which only it started), the namespaces, and its scratch directory.
    /// </summary>
    public static async Task SweepAsync(bool ownRunOnly, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(NetnsDirectory))
        {
            return;
        }

        foreach (var name in Directory.EnumerateFiles(NetnsDirectory).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal))
        {
            if (ownRunOnly ? name.StartsWith(Prefix, StringComparison.Ordinal) : IsFromDeadRun(name))
            {
                await Netns.DeleteAsync(name, cancellationToken).ConfigureAwait(false);
            }
        }

        if (ownRunOnly)
        {
            TryDeleteDirectory(Root);
        }
        else
        {
            foreach (var directory in Directory.EnumerateDirectories(Path.GetTempPath(), "wincni-e2e-*"))
            {
                if (int.TryParse(Path.GetFileName(directory)["wincni-e2e-".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && !IsAlive(pid))
                {
                    TryDeleteDirectory(directory);
                }
            }
        }
    }

    private static bool IsFromDeadRun(string name)
    {
        if (!name.StartsWith(NamespacePrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = name[NamespacePrefix.Length..];
        var dash = rest.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 && int.TryParse(rest.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && !IsAlive(pid);
    }

    private static bool IsAlive(int pid) => Directory.Exists(string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}"));

    private static void TryDeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
            // A socket or mount still busy: the next run's sweep retries.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
