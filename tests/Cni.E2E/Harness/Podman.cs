using Cni.LocalCluster;

namespace Cni.E2E.Harness;

/// <summary>
/// podman 4.3 (Debian 12) with its CNI backend (<c>network_backend = "cni"</c>), run in a node's network namespace
/// (nsenter --net, so the netns files it creates under /run/netns are visible to wincnid) with storage, run root,
/// containers.conf, plugin dir (the published wincni plus /usr/lib/cni) and network config dir (one conflist: wincni)
/// under a scratch dir. Host directories podman creates regardless (/var/lib/containers, /var/lib/cni, /run/containers,
/// /run/libpod) are removed afterwards when they did not exist before.
/// </summary>
internal sealed class Podman : IAsyncDisposable
{
    /// <summary>podman 4.3's libcni parses results only up to spec 1.0.0, as containerd 1.6's does.</summary>
    public const string PodmanCniVersion = "1.0.0";

    private static readonly string[] HostDirectories = ["/var/lib/containers", "/var/lib/cni", "/run/containers", "/run/libpod"];

    private readonly ClusterNode _node;
    private readonly string _directory;
    private readonly HashSet<string> _existed;

    private Podman(ClusterNode node, string directory)
    {
        _node = node;
        _directory = directory;
        _existed = [.. HostDirectories.Where(Directory.Exists)];
    }

    public static async Task<Podman> StartAsync(ClusterNode node, CancellationToken cancellationToken)
    {
        var directory = ClusterRun.NewDirectory("podman");
        var podman = new Podman(node, directory);
        try
        {
            foreach (var sub in new[] { "net.d", "cni-bin", "storage", "run", "tmp" })
            {
                Directory.CreateDirectory(Path.Combine(directory, sub));
            }

            File.CreateSymbolicLink(Path.Combine(directory, "cni-bin", "wincni"), node.PluginPath);
            await File.WriteAllTextAsync(Path.Combine(directory, "net.d", "10-wincni.conflist"), node.ConfListFor(PodmanCniVersion), cancellationToken).ConfigureAwait(false);

            // The ulimits: without them runc fails with "error setting rlimit type 7" (the host's hard limits are lower).
            await File.WriteAllTextAsync(Path.Combine(directory, "containers.conf"), $"""
                [containers]
                default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
                [engine]
                cgroup_manager = "cgroupfs"
                events_logger = "file"
                events_logfile_path = "{directory}/events.log"
                tmp_dir = "{directory}/tmp"
                [network]
                network_backend = "cni"
                cni_plugin_dirs = ["{directory}/cni-bin", "/usr/lib/cni"]
                network_config_dir = "{directory}/net.d"

                """, cancellationToken).ConfigureAwait(false);

            var backend = await podman.RunAsync(["info", "--format", "{{.Host.NetworkBackend}}"], cancellationToken).ConfigureAwait(false);
            if (backend.Stdout.Trim() != "cni")
            {
                throw new InvalidOperationException($"podman's network backend is not cni: {backend}");
            }

            var image = await BusyboxImage.BuildAsync(cancellationToken).ConfigureAwait(false);
            var loaded = await podman.RunAsync(["load", "-i", image], cancellationToken).ConfigureAwait(false);
            if (!loaded.Succeeded)
            {
                throw new InvalidOperationException($"podman load: {loaded}");
            }

            return podman;
        }
        catch
        {
            await podman.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public Task<ShellResult> RunAsync(IEnumerable<string> arguments, CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        Shell.RunAsync(
            "nsenter",
            ["--net=" + Netns.PathOf(_node.Netns), "podman", "--root", Path.Combine(_directory, "storage"), "--runroot", Path.Combine(_directory, "run"), .. arguments],
            cancellationToken,
            environment: new Dictionary<string, string> { ["CONTAINERS_CONF"] = Path.Combine(_directory, "containers.conf") },
            timeout: timeout ?? TimeSpan.FromSeconds(90));

    public async ValueTask DisposeAsync()
    {
        // Containers a failed test left (DEL runs as they are removed), then the storage's own mounts.
        await RunAsync(["rm", "--all", "--force", "--time", "0"], CancellationToken.None).ConfigureAwait(false);
        await RunAsync(["system", "reset", "--force"], CancellationToken.None).ConfigureAwait(false);
        foreach (var directory in HostDirectories.Where(d => !_existed.Contains(d) && Directory.Exists(d)))
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
