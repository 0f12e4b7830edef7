using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Cni.Daemon.Tests.EndToEnd;

/// <summary>
/// Another user on the node: commands run as <c>nobody</c> (uid 65534) through <c>setpriv</c> (util-linux), and a
/// prober that connects to a socket as fast as it can (perl-base, in every Debian) and counts what happened. Needs
/// root; with CI=true a missing piece fails the test, elsewhere it is ignored.
/// </summary>
internal static class Unprivileged
{
    public const int Uid = 65534;

    private static readonly string[] SetprivArguments = ["--reuid=65534", "--regid=65534", "--clear-groups", "--"];

    /// <summary>connect(2) in a loop until the stop file appears; prints how often it connected, was denied, found nothing.</summary>
    private const string ProberScript = """
        use strict; use Socket; use Errno;
        my ($path, $stop) = @ARGV;
        my ($connected, $denied, $absent, $other) = (0, 0, 0, 0);
        until (-e $stop) {
            socket(my $s, PF_UNIX, SOCK_STREAM, 0) or die "socket: $!";
            if (connect($s, pack_sockaddr_un($path))) { $connected++ }
            elsif ($!{EACCES}) { $denied++ }
            elsif ($!{ENOENT} || $!{ECONNREFUSED}) { $absent++ }
            else { $other++ }
            close($s);
        }
        print "$connected $denied $absent $other\n";
        """;

    public static void Require()
    {
        string? problem = !OperatingSystem.IsLinux() ? "Linux"
            : !Environment.IsPrivilegedProcess ? "root (to run a client as another user)"
            : !File.Exists("/usr/bin/setpriv") ? "setpriv (apt-get install util-linux)"
            : !File.Exists("/usr/bin/perl") ? "perl (apt-get install perl-base)"
            : null;
        if (problem is null)
        {
            return;
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail($"socket security test cannot run in CI: it needs {problem}");
        }

        Assert.Ignore($"socket security test needs {problem}");
    }

    /// <summary>Runs <paramref name="file"/> as nobody with a cleared environment plus <paramref name="environment"/>.</summary>
    public static async Task<PluginOutcome> RunAsync(string file, IReadOnlyDictionary<string, string> environment, string stdin)
    {
        var startInfo = new ProcessStartInfo("/usr/bin/setpriv")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[.. SetprivArguments, file])
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment.Clear();
        foreach (var (key, value) in environment)
        {
            startInfo.Environment[key] = value;
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(startInfo)!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = process.StandardOutput.ReadToEndAsync(cts.Token);
        var stderr = process.StandardError.ReadToEndAsync(cts.Token);
        await process.StandardInput.WriteAsync(stdin.AsMemory(), cts.Token);
        process.StandardInput.Close();
        await process.WaitForExitAsync(cts.Token);
        return new PluginOutcome(process.ExitCode, await stdout, await stderr, clock.Elapsed);
    }

    /// <summary>Starts connecting to <paramref name="socketPath"/> as nobody, over and over, until stopped.</summary>
    public static Prober StartProber(string socketPath, string stopFile)
    {
        var startInfo = new ProcessStartInfo("/usr/bin/setpriv")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[.. SetprivArguments, "/usr/bin/perl", "-e", ProberScript, socketPath, stopFile])
        {
            startInfo.ArgumentList.Add(argument);
        }

        return new Prober(Process.Start(startInfo)!, stopFile);
    }

    /// <summary>A running prober; <see cref="StopAsync"/> returns its counts.</summary>
    internal sealed class Prober : IDisposable
    {
        private readonly Process _process;
        private readonly string _stopFile;
        private readonly Task<string> _stdout;
        private readonly Task<string> _stderr;

        public Prober(Process process, string stopFile)
        {
            _process = process;
            _stopFile = stopFile;
            _stdout = process.StandardOutput.ReadToEndAsync();
            _stderr = process.StandardError.ReadToEndAsync();
        }

        public async Task<(long Connected, long Denied, long Absent, long Other)> StopAsync()
        {
            await File.WriteAllTextAsync(_stopFile, "");
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(cts.Token);
            var counts = (await _stdout).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (counts.Length != 4)
            {
                throw new InvalidOperationException($"the prober printed '{await _stdout}' ({await _stderr})");
            }

            var n = counts.Select(c => long.Parse(c, CultureInfo.InvariantCulture)).ToArray();
            return (n[0], n[1], n[2], n[3]);
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }

            _process.Dispose();
        }
    }
}
