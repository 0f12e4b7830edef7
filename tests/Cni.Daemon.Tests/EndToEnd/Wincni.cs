using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Cni.Daemon.Tests.EndToEnd;

/// <summary>What one exec of the published <c>wincni</c> produced.</summary>
internal sealed record PluginOutcome(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>The CNI error code on stdout, or null (success or no document).</summary>
    public int? ErrorCode
    {
        get
        {
            if (ExitCode == 0 || string.IsNullOrWhiteSpace(Stdout))
            {
                return null;
            }

            using var document = JsonDocument.Parse(Stdout);
            return document.RootElement.TryGetProperty("code", out var code) ? code.GetInt32() : null;
        }
    }

    public string Message => Stdout + " " + Stderr;

    /// <summary>The first IP address of an ADD result (without prefix).</summary>
    public string Ip
    {
        get
        {
            using var document = JsonDocument.Parse(Stdout);
            var address = document.RootElement.GetProperty("ips")[0].GetProperty("address").GetString()!;
            return address[..address.IndexOf('/', StringComparison.Ordinal)];
        }
    }
}

/// <summary>
/// Execs the published <c>wincni</c> as a runtime does (the pattern of Cni.Plugin.Tests' PluginProcess): a controlled
/// environment and stdin, nothing inherited; never waits forever.
/// </summary>
internal sealed class Wincni
{
    private readonly Sandbox _sandbox;

    public Wincni(Sandbox sandbox)
    {
        _sandbox = sandbox;
    }

    public string Config(string version = "1.1.0", string extra = "") =>
        $$"""{"cniVersion":"{{version}}","name":"{{Sandbox.NetworkName}}","type":"wincni","socket":{{JsonSerializer.Serialize(_sandbox.Socket, TestJsonContext.Default.String)}}{{(extra.Length > 0 ? "," + extra : "")}}}""";

    public Dictionary<string, string> Env(string command, string containerId, string? netns = null, string ifName = "eth0") => new()
    {
        ["CNI_COMMAND"] = command,
        ["CNI_CONTAINERID"] = containerId,
        ["CNI_NETNS"] = netns ?? _sandbox.Netns(containerId),
        ["CNI_IFNAME"] = ifName,
        ["CNI_PATH"] = "/opt/cni/bin",
        ["CNI_ARGS"] = $"IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=pod-{containerId}",
    };

    public Task<PluginOutcome> AddAsync(string containerId, string? config = null) => RunAsync(Env("ADD", containerId), config ?? Config());

    public Task<PluginOutcome> DelAsync(string containerId, string? config = null) => RunAsync(Env("DEL", containerId), config ?? Config());

    public Task<PluginOutcome> CheckAsync(string containerId, string prevResult) =>
        RunAsync(Env("CHECK", containerId), Config(extra: "\"prevResult\":" + prevResult));

    public Task<PluginOutcome> StatusAsync() =>
        RunAsync(new Dictionary<string, string> { ["CNI_COMMAND"] = "STATUS", ["CNI_PATH"] = "/opt/cni/bin" }, Config());

    /// <summary>GC with the given valid attachments (containerID, ifname) of this network.</summary>
    public Task<PluginOutcome> GcAsync(IEnumerable<string> validContainerIds)
    {
        var list = string.Join(",", validContainerIds.Select(id => $$"""{"containerID":"{{id}}","ifname":"eth0"}"""));
        return RunAsync(
            new Dictionary<string, string> { ["CNI_COMMAND"] = "GC", ["CNI_PATH"] = "/opt/cni/bin" },
            Config(extra: $"\"cni.dev/valid-attachments\":[{list}],\"cni.dev/attachments\":[{list}]"));
    }

    public static Task<PluginOutcome> RunAsync(IReadOnlyDictionary<string, string> environment, string stdin, TimeSpan? timeout = null) =>
        RunAsync(environment, Encoding.UTF8.GetBytes(stdin), timeout);

    public static async Task<PluginOutcome> RunAsync(IReadOnlyDictionary<string, string> environment, byte[] stdin, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(90);
        var startInfo = new ProcessStartInfo(Binaries.Wincni)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.Environment.Clear();
        foreach (var (key, value) in environment)
        {
            startInfo.Environment[key] = value;
        }

        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(startInfo)!;
        using var cts = new CancellationTokenSource(limit);
        var stdoutTask = process.StandardOutput.ReadToEndAsync(cts.Token);
        var stderrTask = process.StandardError.ReadToEndAsync(cts.Token);
        try
        {
            await process.StandardInput.BaseStream.WriteAsync(stdin, cts.Token).ConfigureAwait(false);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The plugin may answer before reading all of stdin; that answer is what the test looks at.
        }

        try
        {
            await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"wincni {environment.GetValueOrDefault("CNI_COMMAND")} did not exit within {limit}");
        }

        return new PluginOutcome(process.ExitCode, await stdoutTask.ConfigureAwait(false), await stderrTask.ConfigureAwait(false), stopwatch.Elapsed);
    }

    /// <summary>Runs <paramref name="work"/> for every item with at most <paramref name="parallelism"/> at a time.</summary>
    public static async Task<T[]> BoundedAsync<TItem, T>(IReadOnlyList<TItem> items, int parallelism, Func<TItem, Task<T>> work)
    {
        var results = new T[items.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, items.Count),
            new ParallelOptions { MaxDegreeOfParallelism = parallelism },
            async (i, _) => results[i] = await work(items[i]).ConfigureAwait(false)).ConfigureAwait(false);
        return results;
    }
}
