using System.Runtime.Versioning;
using Cni.Daemon.Tests.EndToEnd;

namespace Cni.Daemon.Tests.Faults;

/// <summary>
/// The attack of issue 13 through the published binaries: another user on the node (uid 65534, via setpriv) runs
/// <c>wincni</c> against wincnid's socket to delete other pods' leases, add its own, or GC everything. With the socket as
/// wincnid makes it, it cannot connect; with the socket's mode loosened by hand, wincnid's peer check refuses every
/// command. Either way every resident keeps its lease and endpoint, and nothing new appears. Beside
/// Cni.Daemon.Tests' SocketSecurityTests (the socket never connectable while wincnid starts under umask 000).
/// </summary>
[TestFixture]
[Category("Faults")]
[Category("Kernel")]
[NonParallelizable]
[SupportedOSPlatform("linux")]
public sealed class UnprivilegedClientTests
{
    private const UnixFileMode SearchableByAll = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    private static readonly string[] Residents = ["resident0", "resident1"];

    [SetUp]
    public void RequireRoot() => Unprivileged.Require();

    [TestCase(false, TestName = "Wincni_AsAnotherUserOnTheSocketAsMade_CannotConnectAndNothingChanges")]
    [TestCase(true, TestName = "Wincni_AsAnotherUserWithTheSocketModeLoosened_EveryCommandRefusedAndNothingChanges")]
    [CancelAfter(120_000)]
    public async Task Wincni_AsAnotherUser_NothingChanges(bool loosened, CancellationToken cancellationToken)
    {
        using var sandbox = new Sandbox();
        using var daemon = await WincnidProcess.StartReadyAsync(sandbox);
        var wincni = new Wincni(sandbox);
        foreach (var resident in Residents)
        {
            Assert.That((await wincni.AddAsync(resident)).Succeeded, Is.True);
        }

        var before = await DaemonStatus.FetchAsync(sandbox.Socket, cancellationToken);

        // The directories on the way can be searched by anyone, as /run can: only the socket itself keeps others out.
        File.SetUnixFileMode(sandbox.Root, SearchableByAll);
        File.SetUnixFileMode(Path.GetDirectoryName(sandbox.Socket)!, SearchableByAll);
        File.SetUnixFileMode(sandbox.NetnsDir, SearchableByAll | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        foreach (var file in Directory.GetFiles(sandbox.NetnsDir))
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        if (loosened)
        {
            File.SetUnixFileMode(sandbox.Socket, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
        }

        var config = wincni.Config();
        var attempts = new Dictionary<string, PluginOutcome>(StringComparer.Ordinal)
        {
            ["DEL of another pod"] = await Unprivileged.RunAsync(Binaries.Wincni, wincni.Env("DEL", Residents[0]), config),
            ["ADD of its own"] = await Unprivileged.RunAsync(Binaries.Wincni, wincni.Env("ADD", "intruder", sandbox.Netns("intruder")), config),
            ["GC with nothing valid"] = await Unprivileged.RunAsync(
                Binaries.Wincni,
                new Dictionary<string, string> { ["CNI_COMMAND"] = "GC", ["CNI_PATH"] = "/opt/cni/bin" },
                wincni.Config(extra: "\"cni.dev/valid-attachments\":[]")),
        };

        var after = await DaemonStatus.FetchAsync(sandbox.Socket, cancellationToken);
        await daemon.StopAsync();
        Assert.Multiple(() =>
        {
            foreach (var (what, outcome) in attempts)
            {
                Assert.That(outcome.Succeeded, Is.False, $"{what} as uid {Unprivileged.Uid}: {outcome.Message}");
                if (loosened)
                {
                    Assert.That(outcome.Stdout, Does.Contain($"uid {Unprivileged.Uid} may not use its socket"), $"{what}: the peer check names the refusal");
                }
                else
                {
                    Assert.That(outcome.ErrorCode, Is.EqualTo(11), $"{what}: a socket it may not open is unavailable to it: {outcome.Message}");
                }
            }

            Assert.That(after.LeaseIpByContainer, Is.EquivalentTo(before.LeaseIpByContainer), "leases changed");
            Assert.That(after.EndpointIpByName, Is.EquivalentTo(before.EndpointIpByName), "endpoints changed");
            if (loosened)
            {
                Assert.That(daemon.Output, Does.Contain($"(uid {Unprivileged.Uid}, gid {Unprivileged.Uid})"), "each refusal is logged with the peer");
            }
        });
    }

    /// <summary>The state directory tells other users nothing: container IDs, netns paths and addresses stay private.</summary>
    [Test]
    [CancelAfter(60_000)]
    public async Task StateDirectory_AsAnotherUser_NothingReadable(CancellationToken cancellationToken)
    {
        using var sandbox = new Sandbox();
        using var daemon = WincnidProcess.StartUnderUmask("000", "run", "--config", sandbox.ConfigFile, "--dataplane", "memory");
        await daemon.WaitReadyAsync(sandbox);
        Assert.That((await new Wincni(sandbox).AddAsync(Residents[0])).Succeeded, Is.True);
        File.SetUnixFileMode(sandbox.Root, SearchableByAll);

        var ip = (await DaemonStatus.FetchAsync(sandbox.Socket, cancellationToken)).LeaseIpByContainer[Residents[0]];

        // Everything another user can list and read under the state directory.
        var seen = await Unprivileged.RunAsync(
            "/bin/sh",
            new Dictionary<string, string> { ["STATE"] = sandbox.StateDir, ["PATH"] = "/usr/bin:/bin" },
            "ls -laR \"$STATE\"; find \"$STATE\" -type f -exec cat {} +\n");
        await daemon.StopAsync();

        Assert.That(seen.Stdout, Does.Not.Contain(Residents[0]).And.Not.Contain(ip), "another user read a container ID or an address:\n" + seen.Stdout);
    }
}
