using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Cni.LocalCluster;

namespace Cni.E2E.Harness;

/// <summary>
/// A private containerd (CRI off; root, state, sockets and config under a scratch dir) running inside a node's
/// network namespace (entered with <c>nsenter --net</c>: <c>ip netns exec</c> remounts /sys, which hides the cgroup
/// mounts runc needs), and <c>ctr</c> wrapped so that its fixed CNI paths are the node's: in a private mount namespace
/// /etc/cni/net.d and /opt/cni/bin are the node's CNI directories, where <c>wincnid install-cni</c> placed the conflist
/// rendered from deploy/'s ConfigMap and wincni (so containerd execs exactly what the installer placed), and /var/lib
/// is a scratch directory (ctr needs nothing there but libcni's result cache). Not an overlay of the host's /var/lib:
/// a directory the host's side changed between two ctr calls (another test's podman removing /var/lib/cni) made the
/// overlay answer ESTALE ("mkdir /var/lib/cni: stale NFS file handle", seen once). Nothing on the host changes.
/// </summary>
internal sealed class Containerd : IAsyncDisposable
{
    private const string RunContainerd = "/run/containerd";

    /// <summary>
    /// containerd 1.6's libcni parses results only up to spec 1.0.0 ("unsupported CNI result version \"1.1.0\"" for
    /// the README's 1.1.0 conflist), so the runtime's conflist asks for 1.0.0; wincni answers in the requested version.
    /// </summary>
    public const string ContainerdCniVersion = "1.0.0";

    // Whether /run/containerd existed before the first containerd of this run started.
    private static bool? _runDirectoryExisted;

    private readonly ClusterNode _node;
    private readonly string _directory;
    private readonly List<Process> _foreground = [];
    private Process? _daemon;

    private Containerd(ClusterNode node, string directory)
    {
        _node = node;
        _directory = directory;
    }

    public string Socket => Path.Combine(_directory, "containerd.sock");

    private string LogFile => Path.Combine(_directory, "containerd.log");

    private string Wrapper => Path.Combine(_directory, "ctr-cni.sh");

    public static async Task<Containerd> StartAsync(ClusterNode node, CancellationToken cancellationToken)
    {
        _runDirectoryExisted ??= Directory.Exists(RunContainerd);
        var directory = ClusterRun.NewDirectory("containerd");
        var containerd = new Containerd(node, directory);
        try
        {
            foreach (var sub in new[] { "root", "state", "opt", "varlib" })
            {
                Directory.CreateDirectory(Path.Combine(directory, sub));
            }

            using (var installed = JsonDocument.Parse(node.ConfList))
            {
                // What deploy/ ships must suit containerd 1.6's libcni, or this test would hide it.
                if (installed.RootElement.GetProperty("cniVersion").GetString() != ContainerdCniVersion)
                {
                    throw new InvalidOperationException($"the installed conflist asks for cniVersion {installed.RootElement.GetProperty("cniVersion")}, which containerd 1.6 rejects: {node.ConfList}");
                }
            }

            await File.WriteAllTextAsync(Path.Combine(directory, "config.toml"), $"""
                version = 2
                root = "{directory}/root"
                state = "{directory}/state"
                disabled_plugins = ["io.containerd.grpc.v1.cri"]
                [grpc]
                  address = "{containerd.Socket}"
                [debug]
                  address = "{directory}/debug.sock"
                [plugins."io.containerd.internal.v1.opt"]
                  path = "{directory}/opt"

                """, cancellationToken).ConfigureAwait(false);
            await File.WriteAllTextAsync(containerd.Wrapper, $"""
                #!/bin/sh
                set -e
                mount --bind "{Path.GetDirectoryName(node.CniConfDir)}" /etc/cni
                mount --bind "{Path.GetDirectoryName(Path.GetDirectoryName(node.CniBinDir))}" /opt
                mount --bind "{directory}/varlib" /var/lib
                exec ctr --address "{containerd.Socket}" --namespace default "$@"

                """, cancellationToken).ConfigureAwait(false);

            containerd._daemon = Shell.StartBackground("nsenter", ["--net=" + Netns.PathOf(node.Netns), "containerd", "--config", Path.Combine(directory, "config.toml")], containerd.LogFile);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (!(await containerd.CtrAsync(["version"], cancellationToken).ConfigureAwait(false)).Succeeded)
            {
                if (containerd._daemon.HasExited || DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException($"containerd did not start:\n{Shell.ReadShared(containerd.LogFile)}");
                }

                await Task.Delay(200, cancellationToken).ConfigureAwait(false);
            }

            var image = await BusyboxImage.BuildAsync(cancellationToken).ConfigureAwait(false);
            var imported = await containerd.CtrAsync(["image", "import", image], cancellationToken).ConfigureAwait(false);
            if (!imported.Succeeded)
            {
                throw new InvalidOperationException($"ctr image import: {imported}");
            }

            return containerd;
        }
        catch
        {
            await containerd.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Runs ctr (inside the node namespace, with the test's CNI paths).</summary>
    public Task<ShellResult> CtrAsync(IEnumerable<string> arguments, CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        Shell.RunAsync("nsenter", ["--net=" + Netns.PathOf(_node.Netns), "unshare", "--mount", "--propagation", "private", "sh", Wrapper, .. arguments], cancellationToken, timeout: timeout);

    /// <summary>
    /// <c>ctr run --rm --cni</c> in the foreground (a background process of the test): ctr calls ADD before the task
    /// starts and DEL when it ends. (Detached <c>ctr run -d</c> never calls DEL.)
    /// </summary>
    public Process RunForeground(string name, IEnumerable<string> command)
    {
        var process = Shell.StartBackground(
            "nsenter",
            ["--net=" + Netns.PathOf(_node.Netns), "unshare", "--mount", "--propagation", "private", "sh", Wrapper, "run", "--rm", "--cni", BusyboxImage.Reference, name, .. command],
            Path.Combine(_directory, name + ".log"));
        _foreground.Add(process);
        return process;
    }

    public string ForegroundLog(string name) => Shell.ReadShared(Path.Combine(_directory, name + ".log"));

    /// <summary>Waits until the container's task is RUNNING.</summary>
    public async Task WaitRunningAsync(string name, Process foreground, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var tasks = await CtrAsync(["task", "ls"], cancellationToken).ConfigureAwait(false);
            if (tasks.Stdout.Split('\n').Any(l => l.StartsWith(name + " ", StringComparison.Ordinal) && l.Contains("RUNNING", StringComparison.Ordinal)))
            {
                return;
            }

            if (foreground.HasExited || DateTime.UtcNow > deadline)
            {
                Assert.Fail($"container {name} is not running: {ForegroundLog(name)}\ncontainerd: {Shell.ReadShared(LogFile)}\nwincnid: {_node.Log()}");
            }

            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task<ShellResult> ExecAsync(string name, IEnumerable<string> command, CancellationToken cancellationToken) =>
        CtrAsync(["task", "exec", "--exec-id", "e" + Guid.NewGuid().ToString("N")[..12], name, .. command], cancellationToken, TimeSpan.FromSeconds(30));

    public async ValueTask DisposeAsync()
    {
        if (_daemon is { HasExited: false })
        {
            // Whatever a failed test left running: kill the tasks and remove the containers (their processes are ours).
            var tasks = await CtrAsync(["task", "ls", "-q"], CancellationToken.None).ConfigureAwait(false);
            foreach (var task in tasks.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                await CtrAsync(["task", "kill", "-s", "KILL", task], CancellationToken.None).ConfigureAwait(false);
            }

            foreach (var process in _foreground)
            {
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                try
                {
                    await process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    await Shell.KillAsync(process, CancellationToken.None).ConfigureAwait(false);
                }
            }

            var containers = await CtrAsync(["container", "ls", "-q"], CancellationToken.None).ConfigureAwait(false);
            foreach (var container in containers.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                await CtrAsync(["task", "rm", "-f", container], CancellationToken.None).ConfigureAwait(false);
                await CtrAsync(["container", "rm", container], CancellationToken.None).ConfigureAwait(false);
            }
        }

        if (_daemon is { } daemon)
        {
            if (!daemon.HasExited)
            {
                await Shell.RunAsync("kill", ["-TERM", daemon.Id.ToString(CultureInfo.InvariantCulture)], CancellationToken.None).ConfigureAwait(false);
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                try
                {
                    await daemon.WaitForExitAsync(wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    await Shell.KillAsync(daemon, CancellationToken.None).ConfigureAwait(false);
                }
            }

            daemon.Dispose();
        }

        foreach (var process in _foreground)
        {
            process.Dispose();
        }

        // ctr and the shim create /run/containerd/{fifo,runc,s} whatever the config says; remove it if we made it.
        if (_runDirectoryExisted == false && Directory.Exists(RunContainerd))
        {
            try
            {
                Directory.Delete(RunContainerd, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>The lease wincnid holds for a ctr container (CNI_CONTAINERID is "&lt;namespace&gt;-&lt;id&gt;").</summary>
    public static async Task<string> WaitForLeaseAsync(ClusterNode node, string containerId, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            using (var status = await DaemonClient.TryStatusAsync(node.Socket, cancellationToken).ConfigureAwait(false))
            {
                foreach (var lease in status?.RootElement.GetProperty("leases").EnumerateArray() ?? default)
                {
                    if (lease.GetProperty("containerId").GetString() == containerId)
                    {
                        return lease.GetProperty("addresses")[0].GetString()!.Split('/')[0];
                    }
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"no lease for {containerId}:\n{node.Log()}");
            }

            await Task.Delay(300, cancellationToken).ConfigureAwait(false);
        }
    }
}
