using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cni.LocalCluster.Support;

namespace Cni.LocalCluster;

/// <summary>
/// One node of the local cluster: a network namespace with an underlay address, its Node object in the API server
/// (as kubelet and the controller manager would make it: addresses and a pod CIDR), and <c>wincnid --dataplane
/// kernel</c> running inside with <c>--node-name</c> and a kubeconfig for the API server (standalone, without them,
/// in a cluster without Kubernetes).
/// </summary>
public sealed class ClusterNode : IAsyncDisposable
{
    /// <summary>The HCN network name (and CNI network name) of every node.</summary>
    public const string NetworkName = "wincni";

    /// <summary>wincnid's health/metrics address inside each node (loopback is per namespace, so one port serves all).</summary>
    public const string HealthAddress = "127.0.0.1:9872";

    private Process? _daemon;
    private int _podSequence;

    internal ClusterNode(string nodeName, string netns, int index, string directory, string? kubeconfig)
    {
        NodeName = nodeName;
        Netns = netns;
        Index = index;
        Directory = directory;
        Kubeconfig = kubeconfig;
    }

    /// <summary>The Node object's name.</summary>
    public string NodeName { get; }

    /// <summary>The node's network namespace.</summary>
    public string Netns { get; }

    /// <summary>1-based node number.</summary>
    public int Index { get; }

    /// <summary>The node's files: config, state, socket, log.</summary>
    public string Directory { get; }

    /// <summary>The kubeconfig wincnid uses (the API server's underlay address); null when it runs standalone.</summary>
    public string? Kubeconfig { get; }

    /// <summary>The pod CIDR the "controller manager" gave this Node.</summary>
    public string PodCidr => string.Create(CultureInfo.InvariantCulture, $"10.244.{Index}.0/24");

    /// <summary>The IPv6 pod CIDR of a dual-stack cluster's node.</summary>
    public string PodCidr6 => string.Create(CultureInfo.InvariantCulture, $"fd00:10:244:{Index:x}::/64");

    /// <summary>The node's IPv6 underlay address on a dual-stack cluster (its second InternalIP).</summary>
    public string Address6 => string.Create(CultureInfo.InvariantCulture, $"{LocalCluster.UnderlayPrefix6}{10 + Index:x}");

    /// <summary>The node's underlay address (its InternalIP).</summary>
    public string Address => string.Create(CultureInfo.InvariantCulture, $"192.168.200.{10 + Index}");

    /// <summary>wincnid's socket.</summary>
    public string Socket => Path.Combine(Directory, "wincnid.sock");

    /// <summary>wincnid's state directory (IPAM journal, KernelHcn objects).</summary>
    public string StateDir => Path.Combine(Directory, "state");

    /// <summary>The bridge's address (.1): the pod subnet's gateway in the node namespace.</summary>
    public string BridgeAddress => AddressInPodCidr(1);

    /// <summary>wincnid's node config file.</summary>
    public string ConfigFile => Path.Combine(Directory, "node.yaml");

    /// <summary>wincnid's log (stdout and stderr).</summary>
    public string LogFile => Path.Combine(Directory, "wincnid.log");

    /// <summary>The node's CNI binary directory (its /opt/cni/bin), where <c>wincnid install-cni</c> put wincni.</summary>
    public string CniBinDir => Path.Combine(Directory, "opt", "cni", "bin");

    /// <summary>The node's CNI configuration directory (its /etc/cni/net.d), where <c>wincnid install-cni</c> put the conflist.</summary>
    public string CniConfDir => Path.Combine(Directory, "etc", "cni", "net.d");

    /// <summary>The plugin a runtime on this node execs: the one the installer placed.</summary>
    public string PluginPath => Path.Combine(CniBinDir, "wincni");

    /// <summary>The installed conflist.</summary>
    public string ConfListPath => Path.Combine(CniConfDir, DeployConfig.ConflistName);

    /// <summary>
    /// The network configuration a runtime on this node passes to wincni: the installed conflist's plugin entry with
    /// the list's cniVersion and name, as libcni builds it (compact JSON).
    /// </summary>
    public string NetConf
    {
        get
        {
            var list = JsonNode.Parse(ConfList)!.AsObject();
            var conf = new JsonObject { ["cniVersion"] = list["cniVersion"]!.DeepClone(), ["name"] = list["name"]!.DeepClone() };
            foreach (var (key, value) in list["plugins"]![0]!.AsObject()) conf[key] = value?.DeepClone();
            return conf.ToJsonString();
        }
    }

    /// <summary>The conflist the installer placed on this node (from the ConfigMap, with this node's socket).</summary>
    public string ConfList => File.ReadAllText(ConfListPath);

    /// <summary>An address of the pod CIDR by offset (1 = .1).</summary>
    public string AddressInPodCidr(int offset) => string.Create(CultureInfo.InvariantCulture, $"10.244.{Index}.{offset}");

    /// <summary>The installed conflist with another cniVersion.</summary>
    public string ConfListFor(string cniVersion)
    {
        var list = JsonNode.Parse(ConfList)!.AsObject();
        list["cniVersion"] = cniVersion;
        return list.ToJsonString();
    }

    /// <summary>
    /// Runs <c>wincnid install-cni</c> as the DaemonSet's init container does: wincni from <paramref name="sourceDir"/>
    /// (default: the published binaries) and the conflist rendered from <paramref name="conflistFile"/> (the ConfigMap's)
    /// with this node's config, into this node's CNI directories. Returns the installer's output.
    /// </summary>
    public Task<string> InstallCniAsync(string conflistFile, CancellationToken cancellationToken, string? sourceDir = null, string? wincnid = null) =>
        Shell.CheckAsync(
            wincnid ?? Binaries.Wincnid,
            ["install-cni", "--cni-bin-dir", CniBinDir, "--cni-conf-dir", CniConfDir, "--conflist", conflistFile, "--config", ConfigFile, "--source-dir", sourceDir ?? Binaries.Directory],
            cancellationToken);

    /// <summary>The next pod number on this node (1, 2, ...), never reused, so pod names stay unique after removals.</summary>
    internal int NextPodOrdinal() => Interlocked.Increment(ref _podSequence);

    /// <summary>The running daemon's process ID, or null.</summary>
    public int? DaemonPid => _daemon is { HasExited: false } d ? d.Id : null;

    /// <summary>The wincnid this node runs (the published one unless an upgrade replaced it).</summary>
    public string DaemonExecutable { get; set; } = Binaries.Wincnid;

    /// <summary>Stops wincnid as kubelet stops a pod: SIGTERM, then SIGKILL after <paramref name="grace"/>.</summary>
    public async Task StopDaemonAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        if (_daemon is not { } daemon) return;
        if (!daemon.HasExited)
        {
            await Shell.RunAsync("kill", ["-TERM", daemon.Id.ToString(CultureInfo.InvariantCulture)], cancellationToken).ConfigureAwait(false);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(grace);
            try
            {
                await daemon.WaitForExitAsync(wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                await Shell.KillAsync(daemon, cancellationToken).ConfigureAwait(false);
            }
        }

        daemon.Dispose();
        _daemon = null;
    }

    /// <summary>Starts wincnid and waits until it reports ready (pod CIDRs known, network ensured).</summary>
    public async Task StartDaemonAsync(CancellationToken cancellationToken)
    {
        if (DaemonPid is not null)
        {
            throw new InvalidOperationException($"wincnid already runs on {NodeName} (pid {DaemonPid})");
        }

        await File.AppendAllTextAsync(LogFile, $"---- start {DateTimeOffset.UtcNow:O}\n", cancellationToken).ConfigureAwait(false);
        string[] node = Kubeconfig is null ? [] : ["--node-name", NodeName, "--kubeconfig", Kubeconfig];
        _daemon = Shell.StartBackground(
            "ip",
            ["netns", "exec", Netns, DaemonExecutable, "run", "--config", ConfigFile, "--dataplane", "kernel", .. node],
            LogFile);
        await DaemonClient.WaitUntilReadyAsync(_daemon, Socket, "on " + NodeName, Log, TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Kills wincnid with SIGKILL (pods keep their network: it lives in the kernel).</summary>
    public async Task KillDaemonAsync(CancellationToken cancellationToken)
    {
        if (_daemon is { } daemon)
        {
            await Shell.KillAsync(daemon, cancellationToken).ConfigureAwait(false);
            daemon.Dispose();
            _daemon = null;
        }
    }

    /// <summary>The kernel routes of the node namespace (<c>ip route</c>), for route assertions.</summary>
    public Task<string> RoutesAsync(CancellationToken cancellationToken) =>
        Support.Netns.ExecCheckAsync(Netns, ["ip", "-4", "route", "show"], cancellationToken);

    /// <summary><c>wincnid status --json</c> against the node's socket.</summary>
    public async Task<JsonDocument> StatusAsync(CancellationToken cancellationToken)
    {
        var output = await Shell.CheckAsync(Binaries.Wincnid, ["status", "--json", "--socket", Socket], cancellationToken).ConfigureAwait(false);
        return JsonDocument.Parse(output);
    }

    /// <summary>Links in the node namespace: name → ifindex.</summary>
    public Task<Dictionary<string, int>> LinksAsync(CancellationToken cancellationToken) => Support.Netns.LinksAsync(Netns, cancellationToken);

    /// <summary>The daemon's log so far.</summary>
    public string Log() => Shell.ReadShared(LogFile);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await KillDaemonAsync(CancellationToken.None).ConfigureAwait(false);
        await Support.Netns.DeleteAsync(Netns, CancellationToken.None).ConfigureAwait(false);
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort; the sweep of the run directory follows.
        }
    }
}
