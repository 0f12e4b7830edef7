using System.Globalization;

namespace Cni.LocalCluster.Support;

/// <summary><c>ip netns</c> and running commands inside a namespace.</summary>
public static class Netns
{
    public static string PathOf(string name) => "/var/run/netns/" + name;

    public static async Task CreateAsync(string name, CancellationToken cancellationToken)
    {
        await Shell.CheckAsync("ip", ["netns", "add", name], cancellationToken).ConfigureAwait(false);
        await ExecCheckAsync(name, ["ip", "link", "set", "lo", "up"], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Kills every process inside the namespace (only our own run there), then deletes it. Never fails.</summary>
    public static async Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        var pids = await Shell.RunAsync("ip", ["netns", "pids", name], cancellationToken).ConfigureAwait(false);
        foreach (var line in pids.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid != Environment.ProcessId)
            {
                await Shell.RunAsync("kill", ["-KILL", line], cancellationToken).ConfigureAwait(false);
            }
        }

        for (var attempt = 0; attempt < 20; attempt++)
        {
            var result = await Shell.RunAsync("ip", ["netns", "del", name], cancellationToken).ConfigureAwait(false);
            if (result.Succeeded || !File.Exists(PathOf(name)))
            {
                return;
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    public static Task<ShellResult> ExecAsync(string name, IEnumerable<string> command, CancellationToken cancellationToken, string? stdin = null, TimeSpan? timeout = null) =>
        Shell.RunAsync("ip", ["netns", "exec", name, .. command], cancellationToken, stdin, timeout: timeout);

    public static Task<string> ExecCheckAsync(string name, IEnumerable<string> command, CancellationToken cancellationToken) =>
        Shell.CheckAsync("ip", ["netns", "exec", name, .. command], cancellationToken);

    /// <summary>Links in a namespace: name → ifindex.</summary>
    public static async Task<Dictionary<string, int>> LinksAsync(string name, CancellationToken cancellationToken)
    {
        var output = await ExecCheckAsync(name, ["ip", "-o", "link", "show"], cancellationToken).ConfigureAwait(false);
        var links = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // "7: wc2728e19a580f7@if6: <BROADCAST,...>"
            var parts = line.Split(':', 3, StringSplitOptions.TrimEntries);
            if (parts.Length >= 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                links[parts[1].Split('@')[0]] = index;
            }
        }

        return links;
    }

    /// <summary>One ICMP echo from the namespace; true when answered within a second.</summary>
    public static async Task<bool> PingAsync(string name, string address, CancellationToken cancellationToken)
    {
        var result = await ExecAsync(name, ["busybox", "ping", "-c", "1", "-W", "1", address], cancellationToken).ConfigureAwait(false);
        return result.Succeeded;
    }
}
