using System.Text.Json;
using Cni.Plugin.Tests.Fakes;

namespace Cni.Plugin.Tests;

/// <summary>
/// Shared set-up for tests that exec the published <c>wincni</c>: a fake daemon on a temporary socket, a stand-in
/// namespace file, and helpers for the reference's notation (E = the base environment, C11 = the base config).
/// </summary>
public abstract class PluginTestBase
{
    protected const string ContainerId = "abc123";

    protected FakeDaemon Daemon { get; private set; } = null!;

    protected FakeNodeState Node { get; private set; } = null!;

    /// <summary>
    /// An existing file that stands for the container's netns. The plugin only checks that a path CNI_NETNS exists
    /// and is not its own namespace; the namespace itself is the daemon's business.
    /// </summary>
    protected string Netns { get; private set; } = null!;

    private string _directory = null!;

    [OneTimeSetUp]
    public async Task StartDaemonAsync()
    {
        Daemon = await FakeDaemon.StartAsync().ConfigureAwait(false);
        _directory = Path.Combine(Path.GetTempPath(), "wincni-ns-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_directory);
        Netns = Path.Combine(_directory, "cni-1234");
        await File.WriteAllTextAsync(Netns, "").ConfigureAwait(false);
    }

    [OneTimeTearDown]
    public async Task StopDaemonAsync()
    {
        await Daemon.DisposeAsync().ConfigureAwait(false);
        Directory.Delete(_directory, recursive: true);
    }

    [SetUp]
    public void ResetDaemon()
    {
        Daemon.Reset();
        Node = new FakeNodeState();
        Daemon.Handler = Node.Handle;
    }

    /// <summary>E: CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_PATH plus the command.</summary>
    protected Dictionary<string, string> Env(string command) => new()
    {
        ["CNI_COMMAND"] = command,
        ["CNI_CONTAINERID"] = ContainerId,
        ["CNI_NETNS"] = Netns,
        ["CNI_IFNAME"] = "eth0",
        ["CNI_PATH"] = "/opt/cni/bin",
    };

    /// <summary>C11 (or another version), pointed at the fake daemon, with extra top-level members appended.</summary>
    protected string Config(string version = "1.1.0", string extra = "") =>
        $$"""{"cniVersion":"{{version}}","name":"dbnet","type":"x","socket":{{JsonString(Daemon.SocketPath)}}{{(extra.Length > 0 ? "," + extra : "")}}}""";

    protected static string JsonString(string value) => JsonSerializer.Serialize(value, WireTestJsonContext.Default.String);

    protected static Task<PluginOutcome> RunAsync(IReadOnlyDictionary<string, string> env, string stdin, TimeSpan? timeout = null) =>
        PluginProcess.RunAsync(env, stdin, timeout);

    /// <summary>Asserts a failed exec printed exactly one CNI error document with <paramref name="code"/> and returns it.</summary>
    protected static JsonElement AssertError(PluginOutcome outcome, int code)
    {
        Assert.That(outcome.ExitCode, Is.Not.Zero, () => $"expected failure; stdout: {outcome.Stdout}");
        using var document = JsonDocument.Parse(outcome.Stdout);
        var error = document.RootElement.Clone();
        Assert.Multiple(() =>
        {
            Assert.That(error.GetProperty("code").GetInt32(), Is.EqualTo(code), () => outcome.Stdout);
            Assert.That(error.GetProperty("msg").GetString(), Is.Not.Empty);
        });
        return error;
    }

    /// <summary>Asserts success with nothing on stdout (DEL, CHECK, GC, STATUS).</summary>
    protected static void AssertEmptySuccess(PluginOutcome outcome)
    {
        Assert.That(outcome.ExitCode, Is.Zero, () => $"stdout: {outcome.Stdout} stderr: {outcome.Stderr}");
        Assert.That(outcome.Stdout, Is.Empty);
    }

    /// <summary>Asserts success and returns the single JSON document on stdout.</summary>
    protected static JsonElement AssertResult(PluginOutcome outcome)
    {
        Assert.That(outcome.ExitCode, Is.Zero, () => $"stdout: {outcome.Stdout} stderr: {outcome.Stderr}");
        using var document = JsonDocument.Parse(outcome.Stdout);
        return document.RootElement.Clone();
    }

    protected static string MessageAndDetails(JsonElement error) =>
        error.GetProperty("msg").GetString() + " " + (error.TryGetProperty("details", out var d) ? d.GetString() : "");
}
