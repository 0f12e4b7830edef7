using System.Diagnostics;
using System.Net;
using System.Text;

namespace Cni.Daemon.Tests.EndToEnd;

/// <summary>
/// <c>wincnid</c> from artifacts/bin as a child process (the only way to SIGKILL it), with its output kept for
/// failure messages. Disposing kills it if it still runs.
/// </summary>
internal sealed class WincnidProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private WincnidProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static WincnidProcess Start(params string[] arguments) => StartVia([], arguments);

    /// <summary>
    /// Starts wincnid through <paramref name="launcher"/> (a program and its arguments, followed by wincnid's path and
    /// <paramref name="arguments"/>), e.g. a shell that sets the umask, or unshare for a private mount namespace.
    /// </summary>
    public static WincnidProcess StartVia(IReadOnlyList<string> launcher, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(launcher.Count == 0 ? Binaries.Wincnid : launcher[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in launcher.Skip(1).Concat(launcher.Count == 0 ? [] : [Binaries.Wincnid]).Concat(arguments))
        {
            startInfo.ArgumentList.Add(argument);
        }

        return new WincnidProcess(Process.Start(startInfo)!);
    }

    /// <summary>Starts wincnid with <paramref name="umask"/> (octal, e.g. "000") instead of the test's.</summary>
    public static WincnidProcess StartUnderUmask(string umask, params string[] arguments)
    {
        // exec: the shell becomes wincnid, so this process is the daemon (SIGKILL reaches it).
        var startInfo = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["-c", $"umask {umask} && exec \"$0\" \"$@\"", Binaries.Wincnid, .. arguments])
        {
            startInfo.ArgumentList.Add(argument);
        }

        return new WincnidProcess(Process.Start(startInfo)!);
    }

    /// <summary>Starts <c>wincnid run --config … --dataplane memory</c> and waits until /readyz says ready.</summary>
    public static async Task<WincnidProcess> StartReadyAsync(Sandbox sandbox)
    {
        var daemon = Start("run", "--config", sandbox.ConfigFile, "--dataplane", "memory");
        try
        {
            await daemon.WaitReadyAsync(sandbox).ConfigureAwait(false);
            return daemon;
        }
        catch
        {
            daemon.Dispose();
            throw;
        }
    }

    /// <summary>Runs <c>wincnid</c> to completion (status, bad options) and returns its exit code and output.</summary>
    public static Task<(int ExitCode, string Output)> RunToEndAsync(TimeSpan timeout, params string[] arguments) =>
        RunToEndViaAsync([], timeout, arguments);

    /// <summary>As <see cref="RunToEndAsync"/>, through <paramref name="launcher"/> (see <see cref="StartVia"/>).</summary>
    public static async Task<(int ExitCode, string Output)> RunToEndViaAsync(IReadOnlyList<string> launcher, TimeSpan timeout, params string[] arguments)
    {
        using var process = StartVia(launcher, arguments);
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process._process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"wincnid {string.Join(' ', arguments)} did not exit within {timeout}: {process.Output}");
        }

        process._process.WaitForExit(); // flush the async output readers
        return (process._process.ExitCode, process.Output);
    }

    public async Task WaitReadyAsync(Sandbox sandbox)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"wincnid exited with {_process.ExitCode} before it was ready: {Output}");
            }

            try
            {
                using var response = await client.GetAsync(sandbox.HealthUri("/readyz")).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(100).ConfigureAwait(false);
        }

        throw new TimeoutException($"wincnid was not ready within 90 s: {Output}");
    }

    /// <summary>SIGKILL: no shutdown code runs, exactly like a crash or an OOM kill.</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    /// <summary>SIGTERM and wait: the graceful stop a DaemonSet rollout does.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
        {
            await kill.WaitForExitAsync().ConfigureAwait(false);
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                Kill();
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
