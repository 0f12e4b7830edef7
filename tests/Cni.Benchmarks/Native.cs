using System.Diagnostics;

namespace Cni.Benchmarks;

/// <summary>Runs a helper command (ip, …) to completion and fails loudly when it fails.</summary>
internal static class Native
{
    public static string Run(string file, params string[] arguments) => TryRun(file, arguments, out var output)
        ? output
        : throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed: {output}");

    public static bool TryRun(string file, string[] arguments, out string output)
    {
        var startInfo = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        output = stdout.Result + stderr;
        return process.ExitCode == 0;
    }
}
