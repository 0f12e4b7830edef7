using System.Diagnostics;
using System.Net;

namespace Cni.Daemon.Tests.EndToEnd;

/// <summary>
/// The state directory's disk misbehaves under a running wincnid: it tells the truth on /healthz and /readyz, fails
/// CNI requests with code 11, and comes back by itself once the disk does.
/// </summary>
[TestFixture]
[Category("Kernel")]
[NonParallelizable]
[Platform(Exclude = "Win", Reason = "Linux file systems and mount namespaces")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DiskFaultTests
{
    private Sandbox _sandbox = null!;
    private HttpClient _http = null!;

    [SetUp]
    public void SetUp()
    {
        PrivilegedTestGuard.Require("chattr");
        _sandbox = new Sandbox();
        _http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
    }

    [TearDown]
    public void TearDown()
    {
        _http?.Dispose();
        _sandbox?.Dispose();
    }

    [Test]
    public async Task Healthz_JournalFileMadeImmutable_503WithTheCauseThenRecoversWithoutARestart()
    {
        await using var daemon = await InProcessDaemon.StartAsync(_sandbox);
        var wincni = new Wincni(_sandbox);
        Assert.That((await wincni.AddAsync("before")).ExitCode, Is.Zero);
        var journal = Path.Combine(_sandbox.StateDir, "ipam", "leases.wal");

        Chattr("+i", journal);
        try
        {
            // The write fails (EPERM) and so does cutting it back: the journal is out of service.
            var failed = await wincni.AddAsync("during");
            var (health, healthBody) = await GetAsync("/healthz");
            var (ready, readyBody) = await GetAsync("/readyz");

            Assert.Multiple(() =>
            {
                Assert.That(failed.ErrorCode, Is.EqualTo(11), failed.Message);
                Assert.That(health, Is.EqualTo(HttpStatusCode.ServiceUnavailable), "/healthz must not say ok while every ADD fails");
                Assert.That(healthBody, Does.Contain("out of service since").And.Contain("retries on its own"));
                Assert.That(ready, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
                Assert.That(readyBody, Does.Contain("IPAM journal"));
            });
        }
        finally
        {
            Chattr("-i", journal);
        }

        var deadline = Stopwatch.StartNew();
        while ((await GetAsync("/healthz")).Status != HttpStatusCode.OK && deadline.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(100);
        }

        var after = await wincni.AddAsync("after");
        Assert.Multiple(async () =>
        {
            Assert.That((await GetAsync("/healthz")).Status, Is.EqualTo(HttpStatusCode.OK), $"recovered within {deadline.Elapsed}");
            Assert.That(after.ExitCode, Is.Zero, after.Message);
            Assert.That((await GetAsync("/readyz")).Status, Is.EqualTo(HttpStatusCode.OK));
        });
        TestContext.Out.WriteLine($"journal back in service {deadline.Elapsed.TotalSeconds:0.0} s after the file was writable again");
    }

    [Test]
    public async Task Add_StateDiskFullOnTheMemoryDataplane_Code11NamingEnospcAndNothingLeftOnceThereIsRoomAgain()
    {
        // The state directory is a 4 MiB tmpfs in wincnid's own mount namespace: filling it fills nothing else.
        PrivilegedTestGuard.Require("unshare", "nsenter", "mount", "dd");
        Directory.CreateDirectory(_sandbox.StateDir);
        File.SetUnixFileMode(_sandbox.StateDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var mountAndRun = "mount -t tmpfs -o size=4m,mode=0700 wincni-test \"$STATE\" && exec \"$0\" \"$@\"".Replace("$STATE", _sandbox.StateDir, StringComparison.Ordinal);
        using var daemon = WincnidProcess.StartVia(["unshare", "--mount", "--propagation", "private", "sh", "-c", mountAndRun], "run", "--config", _sandbox.ConfigFile, "--dataplane", "memory");
        await daemon.WaitReadyAsync(_sandbox);
        var wincni = new Wincni(_sandbox);
        for (var i = 0; i < 3; i++)
        {
            var before = await wincni.AddAsync($"before{i}");
            Assert.That(before.ExitCode, Is.Zero, before.Message);
        }

        var fill = Path.Combine(_sandbox.StateDir, "fill");
        await InDaemonMountsAsync(daemon, "dd", "if=/dev/zero", "of=" + fill, "bs=64k");
        var failed = new List<PluginOutcome>();
        for (var i = 0; i < 5; i++)
        {
            failed.Add(await wincni.AddAsync($"full{i}"));
        }

        Assert.That(failed.Select(f => f.ErrorCode), Is.All.EqualTo(11), string.Join("\n", failed.Select(f => f.Message)));
        Assert.That(failed[0].Message, Does.Contain("ENOSPC").And.Not.Contain("event log"));

        // Room again: the next ADDs succeed at once (none meets an endpoint that IPAM believes gone), without a restart.
        await InDaemonMountsAsync(daemon, "rm", "-f", fill);
        var after = new List<PluginOutcome>();
        for (var i = 0; i < 8; i++)
        {
            after.Add(await wincni.AddAsync($"after{i}"));
        }

        var status = await DaemonStatus.FetchAsync(_sandbox.Socket);
        Assert.Multiple(() =>
        {
            Assert.That(after.Where(a => !a.Succeeded).Select(a => a.Message), Is.Empty);
            Assert.That(after.Select(a => a.Ip).Concat(Enumerable.Range(0, 3).Select(i => status.LeaseIpByContainer[$"before{i}"])), Is.Unique);
            Assert.That(status.LeaseIpByContainer.Keys.Where(k => k.StartsWith("full", StringComparison.Ordinal)), Is.Empty, "the failed ADDs hold no lease");
            Assert.That(status.OwnedEndpointCount, Is.EqualTo(status.LeaseIpByContainer.Count), "no endpoint without a lease");
        });
    }

    /// <summary>Runs a command in wincnid's mount namespace (where the small tmpfs is), as root.</summary>
    private static async Task InDaemonMountsAsync(WincnidProcess daemon, params string[] command)
    {
        var startInfo = new ProcessStartInfo("nsenter") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { "-t", daemon.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "-m", "--" }.Concat(command))
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0 && command[0] != "dd")
        {
            Assert.Fail($"{string.Join(' ', command)} in wincnid's mount namespace failed ({process.ExitCode}): {error}");
        }
    }

    private async Task<(HttpStatusCode Status, string Body)> GetAsync(string path)
    {
        using var response = await _http.GetAsync(_sandbox.HealthUri(path));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static void Chattr(string flag, string path)
    {
        using var process = Process.Start(new ProcessStartInfo("chattr", [flag, path]) { RedirectStandardError = true, UseShellExecute = false })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            Assert.Fail($"chattr {flag} {path} failed ({process.ExitCode}): {error}; the file system must support the immutable attribute (ext4, xfs, btrfs)");
        }
    }
}
