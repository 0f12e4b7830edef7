using System.Net.Sockets;
using System.Text.Json;
using Cni.Plugin.Tests.Fakes;

namespace Cni.Plugin.Tests;

/// <summary>How the published <c>wincni</c> behaves when the daemon is missing, slow, refusing or broken.</summary>
[TestFixture]
[Parallelizable(ParallelScope.None)]
public sealed class DaemonTransportTests : PluginTestBase
{
    private static string ConfigFor(string socketPath, string extra = "") =>
        $$"""{"cniVersion":"1.1.0","name":"dbnet","type":"x","socket":{{JsonString(socketPath)}}{{extra}}}""";

    [Test]
    public async Task Add_SocketNeverAppears_Code11NamingSocketAndHowLongItWaited()
    {
        var outcome = await RunAsync(Env("ADD"), ConfigFor("/nonexistent/wincnid.sock", ",\"timeoutSeconds\":1"), TimeSpan.FromSeconds(15));

        var details = AssertError(outcome, 11).GetProperty("details").GetString();
        Assert.That(details, Does.Contain("/nonexistent/wincnid.sock").And.Contain("does not exist"));
        Assert.That(details, Does.Match(@"waited 1\.\d s over \d+ attempts"));
        Assert.That(outcome.Elapsed, Is.GreaterThan(TimeSpan.FromSeconds(0.9)).And.LessThan(TimeSpan.FromSeconds(10)));
    }

    [Test]
    public async Task Add_NobodyListening_Code11AfterWaitingTheTimeout()
    {
        // A socket file whose listener is gone (a crashed daemon's): connect is refused until a new one binds.
        var directory = Directory.CreateTempSubdirectory("wincni-");
        var path = Path.Combine(directory.FullName, "dead.sock");
        try
        {
            using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
            {
                // .NET removes the file of a socket it bound when that socket closes; moved away, the file stays.
                socket.Bind(new UnixDomainSocketEndPoint(path + ".bound"));
                File.Move(path + ".bound", path);
            }

            var error = AssertError(await RunAsync(Env("ADD"), ConfigFor(path, ",\"timeoutSeconds\":1"), TimeSpan.FromSeconds(15)), 11);

            Assert.That(error.GetProperty("details").GetString(), Does.Contain(path).And.Contain("nothing is listening").And.Contain("waited"));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Test]
    public async Task Add_DaemonStartsWhileThePluginWaits_Succeeds()
    {
        var path = FakeDaemon.NewSocketPath();
        var plugin = RunAsync(Env("ADD"), ConfigFor(path, ",\"timeoutSeconds\":20"), TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromMilliseconds(700));
        Assert.That(plugin.IsCompleted, Is.False, "the plugin waits for the daemon");

        await using var late = await FakeDaemon.StartAsync(path);
        late.Handler = Node.Handle;
        var outcome = await plugin;

        AssertResult(outcome);
        Assert.That(late.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Add_DaemonDropsTheConnectionMidRequest_AskedAgainAndSucceeds()
    {
        var answers = new Queue<FakeDaemonResponse>([FakeDaemonResponse.Drop, FakeDaemonResponse.Drop]);
        Daemon.Handler = request => answers.Count > 0 ? answers.Dequeue() : Node.Handle(request);

        var outcome = await RunAsync(Env("ADD"), Config());

        AssertResult(outcome);
        Assert.That(Daemon.Requests, Has.Count.EqualTo(3), "two dropped attempts, then the answer");
        Assert.That(Daemon.Requests.Select(r => r.Body), Is.All.EqualTo(Daemon.Requests[0].Body), "the same request each time");
    }

    [Test]
    public async Task Add_DaemonAnswersAnError_NotAskedAgain()
    {
        Daemon.Handler = _ => new FakeDaemonResponse(503, """{"cniVersion":"1.1.0","code":11,"msg":"wincnid is not ready: starting"}""");

        AssertError(await RunAsync(Env("ADD"), Config()), 11);

        Assert.That(Daemon.Requests, Has.Count.EqualTo(1), "an answer, even an error, is final: the daemon already waited");
    }

    [Test]
    public async Task Add_Always_TellsTheDaemonHowLongItWillWait()
    {
        AssertResult(await RunAsync(Env("ADD"), Config(extra: "\"timeoutSeconds\":7")));

        var header = Daemon.Requests.Single().TimeoutHeader;
        Assert.That(int.TryParse(header, out var milliseconds), Is.True, header);
        Assert.That(milliseconds, Is.InRange(5_000, 7_000));
    }

    [Test]
    public async Task Add_DaemonSlowerThanTimeout_Code11WithinTheTimeout()
    {
        Daemon.Handler = _ => new FakeDaemonResponse(200, "", TimeSpan.FromSeconds(20));

        var outcome = await RunAsync(Env("ADD"), ConfigFor(Daemon.SocketPath, ",\"timeoutSeconds\":1"), TimeSpan.FromSeconds(15));

        var error = AssertError(outcome, 11);
        Assert.That(error.GetProperty("msg").GetString() + error.GetProperty("details").GetString(), Does.Contain("1 s"));
        Assert.That(outcome.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
    }

    [Test]
    public async Task Status_DaemonSlowerThanTimeout_Code50()
    {
        Daemon.Handler = _ => new FakeDaemonResponse(200, "", TimeSpan.FromSeconds(20));

        var outcome = await RunAsync(
            new Dictionary<string, string> { ["CNI_COMMAND"] = "STATUS" },
            ConfigFor(Daemon.SocketPath, ",\"timeoutSeconds\":1"),
            TimeSpan.FromSeconds(15));

        AssertError(outcome, 50);
    }

    [Test]
    public async Task Status_DaemonNotReady_PassesDaemonsCodeThrough()
    {
        Daemon.Handler = _ => new FakeDaemonResponse(503, """{"cniVersion":"1.1.0","code":50,"msg":"network wincni does not exist yet"}""");

        var error = AssertError(await RunAsync(new Dictionary<string, string> { ["CNI_COMMAND"] = "STATUS" }, Config()), 50);

        Assert.That(error.GetProperty("msg").GetString(), Is.EqualTo("network wincni does not exist yet"));
    }

    [Test]
    public async Task Add_DaemonAnswersGarbageError_Code999QuotingIt()
    {
        Daemon.Handler = _ => new FakeDaemonResponse(500, "<html>boom</html>");

        var error = AssertError(await RunAsync(Env("ADD"), Config()), 999);

        Assert.That(error.GetProperty("details").GetString(), Does.Contain("HTTP 500").And.Contain("boom"));
    }

    [Test]
    public async Task Add_DaemonOverloadedWithoutBody_Code11()
    {
        Daemon.Handler = _ => new FakeDaemonResponse(503, "");

        AssertError(await RunAsync(Env("ADD"), Config()), 11);
    }

    [TestCase("not json", TestName = "Add_DaemonResultNotJson_Code999")]
    [TestCase("""{"cniVersion":"1.0.0","ips":[{"address":"10.1.0.5/16"}]}""", TestName = "Add_DaemonResultInWrongVersion_Code999")]
    [TestCase("""{"cniVersion":"1.1.0","interfaces":[{"name":"eth0"}],"ips":[{"address":"10.1.0.5/16","interface":1}]}""", TestName = "Add_DaemonResultIndexOutOfRange_Code999")]
    public async Task Add_DaemonResultInvalid_Code999AndNoResultOnStdout(string body)
    {
        Daemon.Handler = _ => FakeDaemonResponse.Ok(body);

        var outcome = await RunAsync(Env("ADD"), Config());

        var error = AssertError(outcome, 999);
        Assert.That(error.GetProperty("msg").GetString(), Does.Contain("invalid ADD result"));
    }

    [Test]
    public async Task Del_DaemonPrintsSomething_StdoutStaysEmpty()
    {
        Daemon.Handler = _ => FakeDaemonResponse.Ok("""{"unexpected":true}""");

        AssertEmptySuccess(await RunAsync(Env("DEL"), Config()));
    }

    [Test]
    public async Task Add_StdinLargerThanLimit_Code5WithoutContactingDaemon()
    {
        var huge = new string('x', 5 * 1024 * 1024);

        var outcome = await RunAsync(Env("ADD"), Config(extra: $"\"blob\":\"{huge}\""));

        var error = AssertError(outcome, 5);
        Assert.That(error.GetProperty("msg").GetString(), Does.Contain("stdin"));
        Assert.That(Daemon.Requests, Is.Empty);
    }

    [Test]
    public async Task Add_BinaryGarbageOnStdin_Code6()
    {
        var garbage = new byte[4096];
        new Random(42).NextBytes(garbage);

        var outcome = await PluginProcess.RunAsync(Env("ADD"), garbage);

        AssertError(outcome, 6);
    }

    [Test]
    public async Task Add_Failure_StdoutHoldsOneDocumentAndStderrExplains()
    {
        var outcome = await RunAsync(Env("ADD"), ConfigFor("/nonexistent/wincnid.sock", ",\"timeoutSeconds\":0.2"));

        Assert.That(() => JsonDocument.Parse(outcome.Stdout), Throws.Nothing);
        Assert.That(outcome.Stdout.Trim(), Does.StartWith("{").And.EndWith("}"));
        Assert.That(outcome.Stderr, Does.Contain("wincni:"));
    }

    [Test]
    public async Task Add_WithLogFile_AppendsOneLinePerInvocation()
    {
        var log = Path.Combine(Path.GetTempPath(), "wincni-test-" + Guid.NewGuid().ToString("N") + ".log");
        try
        {
            var stdin = Config(extra: $"\"logFile\":{JsonString(log)}");
            AssertResult(await RunAsync(Env("ADD"), stdin));
            AssertEmptySuccess(await RunAsync(Env("DEL"), stdin));

            var lines = await File.ReadAllLinesAsync(log);
            Assert.That(lines, Has.Length.EqualTo(2));
            Assert.That(lines[0], Does.Contain("ADD").And.Contain("containerId=abc123").And.Contain(" ok"));
            Assert.That(lines[1], Does.Contain("DEL"));
        }
        finally
        {
            File.Delete(log);
        }
    }

    [Test]
    public async Task Add_ConcurrentInvocations_EachGetsItsOwnAnswer()
    {
        var runs = Enumerable.Range(0, 24).Select(i =>
        {
            var env = Env("ADD");
            env["CNI_CONTAINERID"] = $"c{i}";
            return RunAsync(env, Config());
        });

        var outcomes = await Task.WhenAll(runs);

        Assert.That(outcomes.Select(o => o.ExitCode), Is.All.Zero);
        Assert.That(Daemon.Requests.Select(r => r.Request.ContainerId).Distinct().Count(), Is.EqualTo(24));
    }
}
