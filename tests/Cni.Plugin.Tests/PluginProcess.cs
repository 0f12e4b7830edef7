using System.Diagnostics;
using System.Text;

namespace Cni.Plugin.Tests;

/// <summary>What one exec of the published <c>wincni</c> binary produced.</summary>
public sealed record PluginOutcome(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed);

/// <summary>Execs the published <c>wincni</c> binary exactly as a runtime does: a chosen environment and stdin, nothing else.</summary>
public static class PluginProcess
{
    private static readonly Lazy<string> BinaryPath = new(FindBinary);

    public static string Binary => BinaryPath.Value;

    public static async Task<PluginOutcome> RunAsync(
        IReadOnlyDictionary<string, string> environment,
        byte[] stdin,
        TimeSpan? timeout = null)
    {
        var startInfo = new ProcessStartInfo(Binary)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // The runtime's environment is inherited in real life, but tests must control every CNI_* variable.
        startInfo.Environment.Clear();
        foreach (var (key, value) in environment)
        {
            startInfo.Environment[key] = value;
        }

        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(startInfo)!;
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        var stdoutTask = process.StandardOutput.ReadToEndAsync(cts.Token);
        var stderrTask = process.StandardError.ReadToEndAsync(cts.Token);
        try
        {
            await process.StandardInput.BaseStream.WriteAsync(stdin, cts.Token).ConfigureAwait(false);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The plugin may exit before reading all of stdin (e.g. an oversized document); that is its answer.
        }

        try
        {
            await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"wincni did not exit within {timeout ?? TimeSpan.FromSeconds(30)}");
        }

        var stdout = await stdoutTask.ConfigureAwait(false);
        var stderr = await stderrTask.ConfigureAwait(false);
        return new PluginOutcome(process.ExitCode, stdout, stderr, stopwatch.Elapsed);
    }

    public static Task<PluginOutcome> RunAsync(IReadOnlyDictionary<string, string> environment, string stdin, TimeSpan? timeout = null) =>
        RunAsync(environment, Encoding.UTF8.GetBytes(stdin), timeout);

    private static string FindBinary()
    {
        var name = OperatingSystem.IsWindows() ? "wincni.exe" : "wincni";
        var fromEnvironment = Environment.GetEnvironmentVariable("WINCNI_BIN_DIR");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            var candidate = Path.Combine(fromEnvironment, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }

            throw new FileNotFoundException($"WINCNI_BIN_DIR is {fromEnvironment} but {candidate} does not exist; run `dotnet pwsh ./Makefile.ps1 publish`");
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "artifacts", "bin", name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"the published {name} was not found under artifacts/bin; run `dotnet pwsh ./Makefile.ps1 publish` (the test target does this)");
    }
}
