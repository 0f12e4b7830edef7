using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Cni.E2E.Harness;

/// <summary>
/// A "node": a network namespace joined to the cluster's underlay by a veth, running a child
/// <c>wincnid --dataplane kernel</c> (through <c>ip netns exec</c>) with its own config, state dir and socket.
/// </summary>
internal sealed class TestNode : IAsyncDisposable
{
    /// <summary>The node's CNI network name (node config networkName = conflist name).</summary>
    public const string NetworkName = "wincni";

    private Process? _daemon;

    private TestNode(string name, int index, string directory, string podCidr, string underlayAddress)
    {
        Name = name;
        Index = index;
        Directory = directory;
        PodCidr = podCidr;
        UnderlayAddress = underlayAddress;
    }

    /// <summary>The node's netns name.</summary>
    public string Name { get; }

    /// <summary>1-based node number in its cluster.</summary>
    public int Index { get; }

    /// <summary>Scratch directory: config, state, socket, logs.</summary>
    public string Directory { get; }

    /// <summary>The node's pod CIDR.</summary>
    public string PodCidr { get; }

    /// <summary>The node's address on the underlay.</summary>
    public string UnderlayAddress { get; }

    public string Socket => Path.Combine(Directory, "wincnid.sock");

    public string StateDir => Path.Combine(Directory, "state");

    public string ConfigFile => Path.Combine(Directory, "node.yaml");

    public string LogFile => Path.Combine(Directory, "wincnid.log");

    /// <summary>The bridge's address (.1): the pod subnet's gateway in the node namespace.</summary>
    public string BridgeAddress => AddressInPodCidr(1);

    /// <summary>The network config a runtime passes on stdin (one plugin of <see cref="ConfList"/>).</summary>
    public string NetConf => $$"""{"cniVersion":"1.1.0","name":"{{NetworkName}}","type":"wincni","socket":"{{Socket}}"}""";

    /// <summary>The conflist installed for runtimes (DESIGN.md §4), with this node's socket.</summary>
    public string ConfList => ConfListFor("1.1.0");

    /// <summary>The conflist with another cniVersion (runtimes whose libcni predates spec 1.1).</summary>
    public string ConfListFor(string cniVersion) =>
        $$"""{"cniVersion":"{{cniVersion}}","name":"{{NetworkName}}","plugins":[{"type":"wincni","socket":"{{Socket}}"}]}""";

    /// <summary>The running daemon's PID, or null.</summary>
    public int? DaemonPid => _daemon is { HasExited: false } d ? d.Id : null;

    /// <summary>Creates the namespace, plugs it into the underlay, writes the config and starts the daemon.</summary>
    public static async Task<TestNode> StartAsync(string underlay, int index, string mode, CancellationToken cancellationToken)
    {
        var name = ClusterRun.UniqueName("n");
        var node = new TestNode(
            name,
            index,
            ClusterRun.NewDirectory(name),
            string.Create(CultureInfo.InvariantCulture, $"10.244.{index}.0/24"),
            string.Create(CultureInfo.InvariantCulture, $"192.168.200.{10 + index}"));
        try
        {
            await Netns.CreateAsync(name, cancellationToken).ConfigureAwait(false);

            // The veth is created straight between the two namespaces: nothing appears in the root namespace.
            var port = string.Create(CultureInfo.InvariantCulture, $"port{index}");
            await Shell.CheckAsync("ip", ["link", "add", port, "netns", underlay, "type", "veth", "peer", "name", "eth0", "netns", name], cancellationToken).ConfigureAwait(false);
            await Netns.ExecCheckAsync(underlay, ["ip", "link", "set", port, "master", TestCluster.UnderlayBridge, "up"], cancellationToken).ConfigureAwait(false);
            await Netns.ExecCheckAsync(name, ["ip", "addr", "add", node.UnderlayAddress + "/24", "dev", "eth0"], cancellationToken).ConfigureAwait(false);
            await Netns.ExecCheckAsync(name, ["ip", "link", "set", "eth0", "up"], cancellationToken).ConfigureAwait(false);

            await File.WriteAllTextAsync(node.ConfigFile, $"""
                mode: {mode}
                networkName: {NetworkName}
                clusterCIDRs: [10.244.0.0/16]
                serviceCIDRs: [10.96.0.0/12]
                podCIDRs: [{node.PodCidr}]
                nodeIP: {node.UnderlayAddress}
                stateDir: {node.StateDir}
                socket: {node.Socket}

                """, cancellationToken).ConfigureAwait(false);
            await node.StartDaemonAsync(cancellationToken).ConfigureAwait(false);
            return node;
        }
        catch
        {
            await node.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>An address of the pod CIDR by offset (1 = .1).</summary>
    public string AddressInPodCidr(int offset) =>
        string.Create(CultureInfo.InvariantCulture, $"10.244.{Index}.{offset}");

    /// <summary>Starts <c>wincnid run --dataplane kernel</c> inside the node and waits until it reports ready.</summary>
    public async Task StartDaemonAsync(CancellationToken cancellationToken)
    {
        if (DaemonPid is not null)
        {
            throw new InvalidOperationException($"wincnid already runs in {Name} (pid {DaemonPid})");
        }

        await File.AppendAllTextAsync(LogFile, $"---- start {DateTimeOffset.UtcNow:O}\n", cancellationToken).ConfigureAwait(false);
        _daemon = Shell.StartBackground("ip", ["netns", "exec", Name, Binaries.Wincnid, "run", "--config", ConfigFile, "--dataplane", "kernel"], LogFile);
        await DaemonClient.WaitUntilReadyAsync(_daemon, Socket, "in " + Name, Log, TimeSpan.FromSeconds(45), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>SIGKILLs the daemon (a crash: no shutdown code runs).</summary>
    public async Task KillDaemonAsync(CancellationToken cancellationToken)
    {
        if (_daemon is { } daemon)
        {
            await Shell.KillAsync(daemon, cancellationToken).ConfigureAwait(false);
            daemon.Dispose();
            _daemon = null;
        }
    }

    /// <summary><c>wincnid status --json</c> against the node's socket.</summary>
    public async Task<JsonDocument> StatusAsync(CancellationToken cancellationToken)
    {
        var output = await Shell.CheckAsync(Binaries.Wincnid, ["status", "--json", "--socket", Socket], cancellationToken).ConfigureAwait(false);
        return JsonDocument.Parse(output);
    }

    /// <summary>Links in the node namespace: name → ifindex.</summary>
    public Task<Dictionary<string, int>> LinksAsync(CancellationToken cancellationToken) => Netns.LinksAsync(Name, cancellationToken);

    /// <summary>The daemon's log so far (for failure messages).</summary>
    public string Log() => Shell.ReadShared(LogFile);

    public async ValueTask DisposeAsync()
    {
        await KillDaemonAsync(CancellationToken.None).ConfigureAwait(false);
        await Netns.DeleteAsync(Name, CancellationToken.None).ConfigureAwait(false);
    }

}
