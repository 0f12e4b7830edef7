using System.Net;
using Cni.Hcn.Errors;
using Cni.Hcn.Memory;

namespace Cni.Daemon.Tests.EndToEnd;

/// <summary>/healthz, /readyz and /metrics on the TCP listener, and the CNI socket's permissions, of an in-process wincnid.</summary>
[TestFixture]
[NonParallelizable]
public sealed class HealthEndpointsTests
{
    private Sandbox _sandbox = null!;
    private InProcessDaemon? _daemon;
    private HttpClient _http = null!;

    [SetUp]
    public void CreateSandbox()
    {
        _sandbox = new Sandbox();
        _http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
    }

    [TearDown]
    public async Task StopAsync()
    {
        _http.Dispose();
        try
        {
            if (_daemon is not null)
            {
                await _daemon.DisposeAsync();
                _daemon = null;
            }
        }
        finally
        {
            _sandbox.Dispose();
        }
    }

    private async Task<(HttpStatusCode Status, string Body)> GetAsync(string path)
    {
        using var response = await _http.GetAsync(_sandbox.HealthUri(path));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task Readyz_NetworkCannotBeCreated_503WithReasonUntilItExists()
    {
        _daemon = await InProcessDaemon.StartAsync(
            _sandbox,
            hcn => hcn.FailNext(MemoryHcnOperation.CreateNetwork, 10_000, HcnErrorCodes.RpcServerUnavailable),
            waitReady: false);
        var wincni = new Wincni(_sandbox);

        var (notReady, reason) = await GetAsync("/readyz");
        var (health, _) = await GetAsync("/healthz");
        var status = await wincni.StatusAsync();
        var add = await wincni.AddAsync("early", wincni.Config(extra: "\"timeoutSeconds\":1"));

        Assert.Multiple(() =>
        {
            Assert.That(notReady, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(reason, Does.StartWith("not ready: "));
            Assert.That(health, Is.EqualTo(HttpStatusCode.OK), "alive while not ready");
            Assert.That(status.ErrorCode, Is.EqualTo(50), status.Message);
            Assert.That(add.ErrorCode, Is.EqualTo(11), add.Message);
            Assert.That(add.Stdout, Does.Contain("wincnid is not ready").And.Match(@"waited 0\.\d s"), "held as long as the plugin waits, then the reason");
        });

        _daemon.Hcn.ClearFaults();
        await _daemon.WaitReadyAsync();
        var (ready, body) = await GetAsync("/readyz");
        Assert.That(ready, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That((await wincni.StatusAsync()).ExitCode, Is.Zero);
    }

    [Test]
    public async Task Metrics_AfterAddAndFailedAdd_CountsPerCommandAndCodeWithIpamAndHcnFigures()
    {
        _daemon = await InProcessDaemon.StartAsync(_sandbox);
        var wincni = new Wincni(_sandbox);
        Assert.That((await wincni.AddAsync("m1")).ExitCode, Is.Zero);
        _daemon.Hcn.FailNext(MemoryHcnOperation.CreateEndpoint, 1, HcnErrorCodes.RpcServerUnavailable);
        Assert.That((await wincni.AddAsync("m2")).ErrorCode, Is.EqualTo(11));

        var (status, metrics) = await GetAsync("/metrics");

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.Multiple(() =>
        {
            Assert.That(metrics, Does.Contain("wincni_cni_requests_total{command=\"ADD\",code=\"0\"} 1"));
            Assert.That(metrics, Does.Contain("wincni_cni_requests_total{command=\"ADD\",code=\"11\"} 1"));
            Assert.That(metrics, Does.Contain("wincni_cni_request_duration_seconds_bucket{command=\"ADD\",le="));
            Assert.That(metrics, Does.Contain("wincni_cni_request_duration_seconds_count{command=\"ADD\"} 2"));
            Assert.That(metrics, Does.Contain($"wincni_ipam_addresses{{pool=\"{Sandbox.PodCidr}\",state=\"leased\"}} 1"));
            Assert.That(metrics, Does.Contain($"wincni_ipam_addresses{{pool=\"{Sandbox.PodCidr}\",state=\"assignable\"}}"));
            Assert.That(metrics, Does.Contain("wincni_hcn_calls_total{operation=\"CreateEndpoint\",outcome=\"ok\"}"));
            Assert.That(metrics, Does.Contain("wincni_hcn_calls_total{operation=\"CreateEndpoint\",outcome=\"0x800706BA\"} 1").IgnoreCase);
            Assert.That(metrics, Does.Contain("wincni_hcn_call_duration_seconds_bucket{operation=\"CreateEndpoint\",le="));
            Assert.That(metrics, Does.Contain("wincni_ready 1"));
        });
    }

    [Test]
    [Platform(Exclude = "Win", Reason = "Unix file modes; Windows restricts the socket with an ACL")]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Socket_AfterStart_Mode0600InA0700Directory()
    {
        _daemon = await InProcessDaemon.StartAsync(_sandbox);

        var socketMode = File.GetUnixFileMode(_sandbox.Socket);
        var directoryMode = File.GetUnixFileMode(Path.GetDirectoryName(_sandbox.Socket)!);

        Assert.That(socketMode, Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(directoryMode, Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));
    }

    [Test]
    public async Task Healthz_Running_200()
    {
        _daemon = await InProcessDaemon.StartAsync(_sandbox);

        var (status, body) = await GetAsync("/healthz");

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(body, Is.EqualTo("ok\n"));
    }
}
