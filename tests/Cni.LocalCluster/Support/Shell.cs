using System.Diagnostics;
using System.Text;

namespace Cni.LocalCluster.Support;

/// <summary>The outcome of one process run.</summary>
public sealed record ShellResult(int ExitCode, string Stdout, string Stderr)
{
    public bool Succeeded => ExitCode == 0;

    public override string ToString() => $"exit {ExitCode}; stdout: {Stdout.Trim()}; stderr: {Stderr.Trim()}";
}

/// <summary>Runs set-up tools and the binaries under test as child processes (argument lists, never a shell string).</summary>
public static class Shell
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Runs a process to completion; a timeout kills it (and its children) and reports exit code -1.</summary>
    public static async Task<ShellResult> RunAsync(
        string file,
        IEnumerable<string> arguments,
        CancellationToken cancellationToken,
        string? stdin = null,
        IReadOnlyDictionary<string, string>? environment = null,
        TimeSpan? timeout = null)
    {
        var info = StartInfo(file, arguments, environment);

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin.AsMemory(), cancellationToken).ConfigureAwait(false);
        }

        process.StandardInput.Close();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout ?? DefaultTimeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            return new ShellResult(-1, await stdout.ConfigureAwait(false), $"timed out after {timeout ?? DefaultTimeout}: {await stderr.ConfigureAwait(false)}");
        }

        return new ShellResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    /// <summary>Runs a process and throws with its output when it fails.</summary>
    public static async Task<string> CheckAsync(string file, IEnumerable<string> arguments, CancellationToken cancellationToken, string? stdin = null, TimeSpan? timeout = null)
    {
        var list = arguments.ToList();
        var result = await RunAsync(file, list, cancellationToken, stdin, timeout: timeout).ConfigureAwait(false);
        return result.Succeeded ? result.Stdout : throw new InvalidOperationException($"{file} {string.Join(' ', list)}: {result}");
    }

    /// <summary>
    /// Starts a long-running process with stdout and stderr appended to <paramref name="logFile"/>. Started through
    /// <c>ip netns exec</c> the PID is the program's own (ip execs it), so killing it by PID kills the program.
    /// </summary>
    public static Process StartBackground(string file, IEnumerable<string> arguments, string logFile, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = StartInfo(file, arguments, environment);

        var log = new StreamWriter(new FileStream(logFile, FileMode.Append, FileAccess.Write, FileShare.ReadWrite), Encoding.UTF8) { AutoFlush = true };
        var sync = new object();
        var closed = false;
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        void Write(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (sync)
            {
                if (!closed)
                {
                    log.WriteLine(line);
                }
            }
        }

        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.Exited += (_, _) =>
        {
            // Let the output readers drain before the log is closed.
            process.WaitForExit();
            lock (sync)
            {
                closed = true;
                log.Dispose();
            }
        };
        if (!process.Start())
        {
            log.Dispose();
            throw new InvalidOperationException($"{file} did not start");
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Kills a process we started (SIGKILL) and waits for it.</summary>
    public static async Task KillAsync(Process process, CancellationToken cancellationToken)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: false);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited on its own.
        }

        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a log file that a background process may still append to.</summary>
    public static string ReadShared(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    private static ProcessStartInfo StartInfo(string file, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        return info;
    }
}
