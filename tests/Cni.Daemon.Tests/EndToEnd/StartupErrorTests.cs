using System.Net;
using System.Net.Sockets;

namespace Cni.Daemon.Tests.EndToEnd;

/// <summary>
/// The published wincnid refused to start by something an operator must fix: exit code 2 and one line that says what
/// and where, never a stack trace (exit 1); and what it creates is private whatever the umask.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class StartupErrorTests
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(60);

    private Sandbox _sandbox = null!;

    [SetUp]
    public void CreateSandbox() => _sandbox = new Sandbox();

    [TearDown]
    public void DeleteSandbox() => _sandbox.Dispose();

    private Task<(int ExitCode, string Output)> RunAsync(params string[] extra) =>
        WincnidProcess.RunToEndAsync(ExitTimeout, ["run", "--config", _sandbox.ConfigFile, "--dataplane", "memory", .. extra]);

    private static void AssertOneLine(int exit, string output, string expected)
    {
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(2), output);
            Assert.That(output, Does.Contain("wincnid: " + expected));
            Assert.That(output, Does.Not.Contain("   at ").And.Not.Contain("Unhandled exception"), "no stack trace");
        });
    }

    [TestCase("10.244.0.0/31")]
    [TestCase("10.244.0.0/32")]
    public async Task Run_PodCidrTooSmall_Exit2NamingTheItemAndLine(string cidr)
    {
        await File.WriteAllTextAsync(_sandbox.ConfigFile, (await File.ReadAllTextAsync(_sandbox.ConfigFile)).Replace(Sandbox.PodCidr, cidr, StringComparison.Ordinal));

        var (exit, output) = await RunAsync();

        Assert.That(exit, Is.EqualTo(2), output);
        Assert.That(output, Does.Contain($"podCIDRs[0]: {cidr} is too small").And.Contain("line "));
        Assert.That(output, Does.Not.Contain("   at "));
    }

    [Test]
    public async Task Run_SocketFlagLongerThanSunPath_Exit2()
    {
        var socket = "/tmp/" + new string('s', 110) + ".sock";

        var (exit, output) = await RunAsync("--socket", socket);

        AssertOneLine(exit, output, "socket " + socket + ": the path is 120 bytes, AF_UNIX allows at most 107");
    }

    [Test]
    public async Task Run_HealthPortInUse_Exit2NamingTheAddress()
    {
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        squatter.Bind(new IPEndPoint(IPAddress.Loopback, _sandbox.HealthPort));
        squatter.Listen();

        var (exit, output) = await RunAsync();

        AssertOneLine(exit, output, $"healthAddress {_sandbox.HealthAddress} is in use by another process");
    }

    [Test]
    [Category("Kernel")]
    public async Task Run_SocketDirectoryOnAReadOnlyFileSystem_Exit2NamingTheDirectory()
    {
        // A private mount namespace in which the socket's directory is bind-mounted read-only: nothing outside changes.
        PrivilegedTestGuard.Require("unshare", "mount");
        var directory = Path.GetDirectoryName(_sandbox.Socket)!;
        Directory.CreateDirectory(directory);

        var (exit, output) = await WincnidProcess.RunToEndViaAsync(
            ["unshare", "--mount", "--propagation", "private", "sh", "-c", "mount --bind -o ro \"$DIR\" \"$DIR\" && exec \"$0\" \"$@\"".Replace("$DIR", directory, StringComparison.Ordinal)],
            ExitTimeout,
            "run", "--config", _sandbox.ConfigFile, "--dataplane", "memory");

        AssertOneLine(exit, output, $"socket {_sandbox.Socket}: ");
        Assert.That(output, Does.Contain("Read-only file system"));
    }

    [Test]
    [Platform(Exclude = "Win", Reason = "Unix file modes")]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Run_StateDirWritableByOthers_Exit2WithTheFix()
    {
        Directory.CreateDirectory(_sandbox.StateDir);
        File.SetUnixFileMode(_sandbox.StateDir, (UnixFileMode)0b111_111_111);

        var (exit, output) = await RunAsync();

        AssertOneLine(exit, output, $"stateDir {_sandbox.StateDir} is writable by its group and everyone (mode 0777)");
        Assert.That(output, Does.Contain("chmod 700"));
    }

    [Test]
    [Platform(Exclude = "Win", Reason = "Unix file modes")]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Run_Umask000_StateDirectory0700AndEveryStateFile0600()
    {
        using var daemon = WincnidProcess.StartVia(["sh", "-c", "umask 000 && exec \"$0\" \"$@\""], "run", "--config", _sandbox.ConfigFile, "--dataplane", "memory");
        await daemon.WaitReadyAsync(_sandbox);
        Assert.That((await new Wincni(_sandbox).AddAsync("umask0")).ExitCode, Is.Zero);
        await daemon.StopAsync();

        var directories = Directory.GetDirectories(_sandbox.StateDir, "*", SearchOption.AllDirectories).Append(_sandbox.StateDir).ToList();
        var files = Directory.GetFiles(_sandbox.StateDir, "*", SearchOption.AllDirectories);
        Assert.Multiple(() =>
        {
            Assert.That(files, Is.Not.Empty);
            foreach (var directory in directories)
            {
                Assert.That(File.GetUnixFileMode(directory), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute), directory);
            }

            foreach (var file in files)
            {
                Assert.That(File.GetUnixFileMode(file), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite), file);
            }
        });
    }

    [Test]
    public async Task Run_HttpApiServerWithBearerToken_Exit2UnlessExplicitlyAllowed()
    {
        var kubeconfig = Path.Combine(_sandbox.Root, "kubeconfig");
        await File.WriteAllTextAsync(kubeconfig, """
            apiVersion: v1
            kind: Config
            clusters:
            - name: c
              cluster: {server: "https://192.0.2.1:6443", insecure-skip-tls-verify: true}
            users:
            - name: u
              user: {token: not-a-real-token}
            contexts:
            - name: c
              context: {cluster: c, user: u}
            current-context: c
            """);

        var (exit, output) = await RunAsync("--kubeconfig", kubeconfig, "--api-server", "http://127.0.0.1:9", "--node-name", "n1");

        AssertOneLine(exit, output, "Kubernetes access: API server http://127.0.0.1:9/ is plain http://");
        Assert.That(output, Does.Contain("--allow-insecure-api-server"));
        Assert.That(output, Does.Not.Contain("not-a-real-token"));

        // Allowed: it starts (and waits for its Node on the unreachable server), saying so loudly.
        using var allowed = WincnidProcess.Start("run", "--config", _sandbox.ConfigFile, "--dataplane", "memory",
            "--kubeconfig", kubeconfig, "--api-server", "http://127.0.0.1:9", "--node-name", "n1", "--allow-insecure-api-server");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!allowed.Output.Contains("INSECURE", StringComparison.Ordinal) && !allowed.HasExited && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.That(allowed.Output, Does.Contain("INSECURE: the API server http://127.0.0.1:9/ is plain http://"));
        Assert.That(allowed.HasExited, Is.False, allowed.Output);
    }
}
