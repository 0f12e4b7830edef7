using System.Globalization;
using System.Runtime.Versioning;

namespace Cni.Daemon.Tests.EndToEnd;

/// <summary>
/// The CNI socket as another user on the node sees it: never connectable, not even while wincnid starts under umask
/// 000; and should its mode be loosened by hand, every connection from another uid is refused, logged and answered.
/// </summary>
[TestFixture]
[Category("Kernel")]
[NonParallelizable]
[SupportedOSPlatform("linux")]
public sealed class SocketSecurityTests
{
    private const UnixFileMode SearchableByAll = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    [SetUp]
    public void RequireRoot() => Unprivileged.Require();

    [Test]
    [CancelAfter(300_000)]
    public async Task Start_UnderUmask000_SocketNeverConnectableByAnotherUser(CancellationToken cancellationToken)
    {
        using var sandbox = new Sandbox();

        // The socket's directory can be searched by anyone (as /run can): only the socket file itself keeps them out.
        var run = Path.GetDirectoryName(sandbox.Socket)!;
        Directory.CreateDirectory(run);
        File.SetUnixFileMode(sandbox.Root, SearchableByAll);
        File.SetUnixFileMode(run, SearchableByAll | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        using var prober = Unprivileged.StartProber(sandbox.Socket, Path.Combine(run, "stop"));

        const int Starts = 5;
        for (var i = 0; i < Starts; i++)
        {
            using var daemon = WincnidProcess.StartUnderUmask("000", "run", "--config", sandbox.ConfigFile, "--dataplane", "memory");
            await daemon.WaitReadyAsync(sandbox);
            Assert.That(File.GetUnixFileMode(sandbox.Socket), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite), daemon.Output);
            Assert.That(Directory.GetDirectories(run), Is.Empty, "no staging directory left behind");
            daemon.Kill();
        }

        var (connected, denied, absent, other) = await prober.StopAsync();
        TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"uid {Unprivileged.Uid} tried {connected + denied + absent + other} connects across {Starts} starts under umask 000: {connected} connected, {denied} denied, {absent} found no listening socket, {other} other"));
        Assert.That(connected, Is.Zero, "another user connected to the CNI socket");
        Assert.That(denied, Is.Positive, "the prober tried while the socket existed");
        Assert.That(other, Is.Zero);
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task Connect_AsAnotherUserWithTheModeLoosened_RefusedLoggedAndAnswered(CancellationToken cancellationToken)
    {
        using var sandbox = new Sandbox();
        using var daemon = await WincnidProcess.StartReadyAsync(sandbox);
        var run = Path.GetDirectoryName(sandbox.Socket)!;
        File.SetUnixFileMode(sandbox.Root, SearchableByAll);
        File.SetUnixFileMode(run, SearchableByAll);
        File.SetUnixFileMode(sandbox.Socket, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var wincni = new Wincni(sandbox);
        var status = new Dictionary<string, string> { ["CNI_COMMAND"] = "STATUS", ["CNI_PATH"] = "/opt/cni/bin" };

        var refused = await Unprivileged.RunAsync(Binaries.Wincni, status, wincni.Config());
        var asRoot = await wincni.StatusAsync();

        Assert.That(refused.ErrorCode, Is.EqualTo(999), refused.Message);
        Assert.That(refused.Stdout, Does.Contain($"uid {Unprivileged.Uid} may not use its socket").And.Contain("root"), refused.Message);
        Assert.That(asRoot.ExitCode, Is.Zero, asRoot.Message);
        await daemon.StopAsync();
        Assert.That(daemon.Output, Does.Contain($"Refused a connection to {sandbox.Socket} from pid").And.Contain($"(uid {Unprivileged.Uid}, gid {Unprivileged.Uid})"));
    }
}
