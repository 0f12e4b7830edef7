using System.Diagnostics;
using System.Globalization;
using System.Net;
using Cni.Daemon.Tests.EndToEnd;

namespace Cni.Daemon.Tests.Faults;

/// <summary>
/// wincnid's state directory fails under pods that already run, through the published binaries (memory dataplane):
/// it turns read-only, or fills up, on a 4 MiB tmpfs in wincnid's own mount namespace (nothing else is touched).
/// Meanwhile ADD and DEL fail with code 11 naming the cause, no resident loses its lease or endpoint, and nothing
/// lies (<c>/healthz</c> is not 200 while every command fails); once the disk is back, wincnid serves again without a
/// restart, the DEL that failed succeeds when retried, and the pool holds exactly what was acknowledged.
/// Beside Cni.Daemon.Tests' DiskFaultTests (ADD on a full disk, the immutable journal).
/// </summary>
[TestFixture]
[Category("Faults")]
[Category("Kernel")]
[NonParallelizable]
[Platform(Exclude = "Win", Reason = "Linux file systems and mount namespaces")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class StateDiskFaultTests
{
    private static readonly string[] Residents = ["resident0", "resident1", "resident2"];

    [Test]
    [CancelAfter(180_000)]
    public async Task AddAndDel_StateDiskFullUnderResidents_Code11NothingLostThenServesAgainWithoutRestart(CancellationToken cancellationToken)
    {
        using var sandbox = PrepareSandbox();
        var mount = "mount -t tmpfs -o size=4m,mode=0700 wincni-test \"$STATE\"".Replace("$STATE", sandbox.StateDir, StringComparison.Ordinal);
        using var daemon = await StartInOwnMountsAsync(sandbox, mount);
        var (wincni, before) = await AddResidentsAsync(sandbox, cancellationToken);
        var fill = Path.Combine(sandbox.StateDir, "fill");
        await InMountsOfAsync(daemon, cancellationToken, "dd", "if=/dev/zero", "of=" + fill, "bs=64k");

        await AssertFailingTruthfullyAsync(sandbox, wincni, before, [11], ["ENOSPC"], healthzFails: false, cancellationToken);

        // Room again: no restart, and the runtime's retries go through.
        await InMountsOfAsync(daemon, cancellationToken, "rm", "-f", fill);
        var clock = Stopwatch.StartNew();
        PluginOutcome retriedAdd;
        do
        {
            await Task.Delay(250, cancellationToken);
            retriedAdd = await wincni.AddAsync("during");
        }
        while (!retriedAdd.Succeeded && clock.Elapsed < TimeSpan.FromSeconds(60));

        var retriedDel = await wincni.DelAsync(Residents[0]);
        var after = await DaemonStatus.FetchAsync(sandbox.Socket, cancellationToken);
        TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"serving again {clock.Elapsed.TotalSeconds:0.0} s after the disk had room"));
        Assert.Multiple(() =>
        {
            Assert.That(retriedAdd.Succeeded, Is.True, retriedAdd.Message + "\n" + daemon.Output);
            Assert.That(retriedDel.Succeeded, Is.True, retriedDel.Message);
            Assert.That(daemon.HasExited, Is.False, "served again without a restart");
            Assert.That(after.LeaseIpByContainer.Keys, Is.EquivalentTo(new[] { Residents[1], Residents[2], "during" }));
            Assert.That(after.LeaseIpByContainer.Values, Is.Unique);
            Assert.That(after.OwnedEndpointCount, Is.EqualTo(after.LeaseIpByContainer.Count), "an endpoint without a lease, or a lease without one");
        });
    }

    /// <summary>
    /// The state directory's ext4 aborts (its journal failed: from now on every write is EIO and new files EROFS, as
    /// after <c>errors=remount-ro</c>), on an 8 MiB image on a tmpfs, loop-mounted in wincnid's mount namespace.
    /// </summary>
    [Test]
    [CancelAfter(180_000)]
    public async Task AddAndDel_StateFileSystemAbortedUnderResidents_CauseNamedResidentsKeptHealthzNotOk(CancellationToken cancellationToken)
    {
        PrivilegedTestGuard.Require("mkfs.ext4", "losetup", "truncate");
        using var sandbox = PrepareSandbox();
        var disk = Path.Combine(sandbox.Root, "disk");
        Directory.CreateDirectory(disk);
        var mount = $"mount -t tmpfs -o size=16m wincni-test '{disk}' && truncate -s 8M '{disk}/state.img' && mkfs.ext4 -q -F '{disk}/state.img' && mount -o loop '{disk}/state.img' '{sandbox.StateDir}' && chmod 0700 '{sandbox.StateDir}'";
        using var daemon = await StartInOwnMountsAsync(sandbox, mount);
        var (wincni, before) = await AddResidentsAsync(sandbox, cancellationToken);

        await InMountsOfAsync(daemon, cancellationToken, "mount", "-o", "remount,abort", sandbox.StateDir);

        // An aborted file system does not come back by itself: 11 or 999, as long as the cause is named.
        await AssertFailingTruthfullyAsync(sandbox, wincni, before, [11, 999], ["EROFS", "EIO", "read-only", "I/O error"], healthzFails: true, cancellationToken);
    }

    private static Sandbox PrepareSandbox()
    {
        PrivilegedTestGuard.Require("unshare", "nsenter", "mount", "dd");
        var sandbox = new Sandbox();
        Directory.CreateDirectory(sandbox.StateDir);
        File.SetUnixFileMode(sandbox.StateDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return sandbox;
    }

    /// <summary>wincnid in a private mount namespace where <paramref name="mount"/> (sh) ran first.</summary>
    private static async Task<WincnidProcess> StartInOwnMountsAsync(Sandbox sandbox, string mount)
    {
        var daemon = WincnidProcess.StartVia(
            ["unshare", "--mount", "--propagation", "private", "sh", "-c", mount + " && exec \"$0\" \"$@\""],
            "run", "--config", sandbox.ConfigFile, "--dataplane", "memory");
        try
        {
            await daemon.WaitReadyAsync(sandbox);
            return daemon;
        }
        catch
        {
            daemon.Dispose();
            throw;
        }
    }

    private static async Task<(Wincni Wincni, DaemonStatus Before)> AddResidentsAsync(Sandbox sandbox, CancellationToken cancellationToken)
    {
        var wincni = new Wincni(sandbox);
        foreach (var resident in Residents)
        {
            var added = await wincni.AddAsync(resident);
            Assert.That(added.Succeeded, Is.True, added.Message);
        }

        return (wincni, await DaemonStatus.FetchAsync(sandbox.Socket, cancellationToken));
    }

    /// <summary>
    /// While the disk fails: ADD and DEL fail naming the cause (11 when it passes by itself, as room on a disk does),
    /// the other residents keep their leases and endpoints, the failed ADD holds nothing, the failed DEL may have done
    /// part of its work but never left an endpoint without its lease (IPAM must not call an address free that an
    /// endpoint still carries), and with <paramref name="healthzFails"/> /healthz is not 200.
    /// </summary>
    private static async Task AssertFailingTruthfullyAsync(
        Sandbox sandbox, Wincni wincni, DaemonStatus before, int[] codes, string[] causes, bool healthzFails, CancellationToken cancellationToken)
    {
        var failedAdd = await wincni.AddAsync("during");
        var failedDel = await wincni.DelAsync(Residents[0]);
        TestContext.Out.WriteLine($"ADD: {failedAdd.Stdout}\nDEL of a resident: {failedDel.Stdout}");
        var during = await DaemonStatus.FetchAsync(sandbox.Socket, cancellationToken);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var health = await http.GetAsync(sandbox.HealthUri("/healthz"), cancellationToken);
        Assert.Multiple(() =>
        {
            Assert.That(failedAdd.ErrorCode, Is.AnyOf(codes.Cast<object>().ToArray()), failedAdd.Message);
            Assert.That(causes.Any(c => failedAdd.Message.Contains(c, StringComparison.OrdinalIgnoreCase)), Is.True, $"the cause ({string.Join(" or ", causes)}) is named: {failedAdd.Message}");
            Assert.That(failedAdd.Message, Does.Not.Contain("event log"), "no Windows advice on Linux");
            Assert.That(failedDel.ErrorCode, Is.AnyOf(codes.Cast<object>().ToArray()), failedDel.Message);
            Assert.That(during.LeaseIpByContainer.Where(l => l.Key != Residents[0]), Is.EquivalentTo(before.LeaseIpByContainer.Where(l => l.Key != Residents[0])), "another resident lost its lease, or the failed ADD holds one");
            Assert.That(during.EndpointIpByName.Where(e => e.Key != DaemonStatus.EndpointName(Residents[0])), Is.EquivalentTo(before.EndpointIpByName.Where(e => e.Key != DaemonStatus.EndpointName(Residents[0]))), "another resident's endpoint changed");
            Assert.That(
                !during.EndpointIpByName.ContainsKey(DaemonStatus.EndpointName(Residents[0])) || during.LeaseIpByContainer.ContainsKey(Residents[0]),
                Is.True,
                "the failed DEL left the endpoint but released its lease");
            if (healthzFails)
            {
                Assert.That(health.StatusCode, Is.Not.EqualTo(HttpStatusCode.OK), "/healthz says ok while every command fails until a person acts");
            }
        });
    }

    /// <summary>Runs a command in wincnid's mount namespace (where the tmpfs is).</summary>
    private static async Task InMountsOfAsync(WincnidProcess daemon, CancellationToken cancellationToken, params string[] command)
    {
        var startInfo = new ProcessStartInfo("nsenter") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { "-t", daemon.Id.ToString(CultureInfo.InvariantCulture), "-m", "--" }.Concat(command))
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)!;
        var error = await process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0 && command[0] != "dd")
        {
            Assert.Fail($"{string.Join(' ', command)} in wincnid's mount namespace failed ({process.ExitCode}): {error}");
        }
    }
}
