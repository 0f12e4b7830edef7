using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Cni.Daemon.Install;

/// <summary>
/// What the installer placed: one line per file, <c>sha256 path</c>. <c>--uninstall</c> removes a file only when it
/// still has the recorded content, so a file someone changed or replaced since stays.
/// </summary>
public sealed record InstallRecord(IReadOnlyList<InstallRecordEntry> Entries)
{
    public static string Hash(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    public static InstallRecord Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var entries = new List<InstallRecordEntry>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space == 64)
            {
                entries.Add(new InstallRecordEntry(line[(space + 1)..], line[..space]));
            }
        }

        return new InstallRecord(entries);
    }

    public string Format()
    {
        var text = new StringBuilder();
        foreach (var entry in Entries)
        {
            text.Append(CultureInfo.InvariantCulture, $"{entry.Sha256} {entry.Path}\n");
        }

        return text.ToString();
    }
}

/// <summary>One placed file and its content's SHA-256.</summary>
public sealed record InstallRecordEntry(string Path, string Sha256);
