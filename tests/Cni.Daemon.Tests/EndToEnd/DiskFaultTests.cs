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
