using System.Diagnostics;

namespace Cni.Benchmarks;

/// <summary>Times whole process executions (fork, exec, run, exit), the cost a container runtime actually pays.</summary>
internal static class ExecTimer
{
    public static TimeSpan Run(string file, IReadOnlyDictionary<string, string> environment, byte[] stdin, bool expectSuccess = true)
    {
        var startInfo = new ProcessStartInfo(file)
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
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"cannot start {file}");
        try
        {
            process.StandardInput.BaseStream.Write(stdin);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The reference bridge answers VERSION without reading stdin and may be gone before we finish writing.
        }
        var stdout = process.StandardOutput.ReadToEnd();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        stopwatch.Stop();
        if (expectSuccess && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} exited with {process.ExitCode}: {stdout} {stderr}");
        }

        return stopwatch.Elapsed;
    }
}
