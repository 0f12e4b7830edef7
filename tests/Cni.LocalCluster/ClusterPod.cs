using System.Globalization;
using System.Text.Json;
using Cni.LocalCluster.Support;

namespace Cni.LocalCluster;

/// <summary>
/// A pod of the local cluster: a network namespace whose network comes from <c>wincni</c>, exec'd exactly as a
/// kubelet's runtime does (CNI_* environment, the network configuration on stdin, K8S_POD_* in CNI_ARGS). With
/// Kubernetes it also has a Pod object (namespace <c>default</c>) that follows it as a kubelet would keep it: Pending
/// on its node when created, Running and Ready with its IP after ADD, removed on dispose; tests change its readiness
/// and start its termination to see what a service proxy does.
/// </summary>
public sealed class ClusterPod : IAsyncDisposable
{
    private readonly List<System.Diagnostics.Process> _servers = [];
    private readonly PodObjects? _objects;
    private bool _added;

    internal ClusterPod(ClusterNode node, string name, string netns, ClusterPodOptions options, PodObjects? objects)
    {
        Node = node;
        Name = name;
        Netns = netns;
        Labels = options.Labels;
        _objects = objects;
    }

    /// <summary>The node the pod runs on.</summary>
    public ClusterNode Node { get; }

    /// <summary>The pod's name (also its container ID).</summary>
    public string Name { get; }

    /// <summary>The container ID the runtime passes (the pod's name).</summary>
    public string ContainerId => Name;

    /// <summary>The pod's network namespace.</summary>
    public string Netns { get; }

    /// <summary>The pod's IPv4 address after ADD.</summary>
    public string? Address { get; private set; }

    /// <summary>The pod's IPv6 address after ADD, on a dual-stack node; else null.</summary>
    public string? Address6 { get; private set; }

    /// <summary>The IPv6 gateway ADD returned, on a dual-stack node; else null.</summary>
    public string? Gateway6 { get; private set; }

    /// <summary>The gateway ADD returned.</summary>
    public string? Gateway { get; private set; }

    /// <summary>The Pod object's labels.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; }

    /// <summary>Sets the Pod's Ready condition, as a readiness probe turning would: a service proxy then treats its
    /// endpoint as (not) ready and serving.</summary>
    /// <exception cref="InvalidOperationException">The cluster runs without Kubernetes, or the Pod object is gone.</exception>
    public Task SetReadyAsync(bool ready, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RequireObjects().SetReady(this, ready);
        return Task.CompletedTask;
    }

    /// <summary>Deletes the Pod object gracefully: it turns terminating (<c>deletionTimestamp</c>; its endpoint serving
    /// but not ready while the Ready condition holds) and is removed when <paramref name="gracePeriod"/> ends. The pod's
    /// namespace and network stay until the pod is disposed, as a container may keep serving during its grace period.</summary>
    /// <exception cref="InvalidOperationException">The cluster runs without Kubernetes.</exception>
    public Task BeginTerminationAsync(TimeSpan gracePeriod, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(gracePeriod, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        RequireObjects().BeginTermination(this, gracePeriod);
        return Task.CompletedTask;
    }

    private PodObjects RequireObjects() =>
        _objects ?? throw new InvalidOperationException($"pod {Name} has no Pod object: the local cluster runs without Kubernetes");

    /// <summary>Runs CNI ADD through wincni and records the address.</summary>
    /// <exception cref="InvalidOperationException">wincni failed; the message has its error and the daemon's log.</exception>
    public async Task AddAsync(CancellationToken cancellationToken)
    {
        var result = await InvokeAsync("ADD", cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"wincni ADD for pod {Name} on {Node.NodeName} failed: {result}\n{Node.Log()}");
        }

        using var json = JsonDocument.Parse(result.Stdout);
        var ip = json.RootElement.GetProperty("ips")[0];
        Address = ip.GetProperty("address").GetString()!.Split('/')[0];
        Gateway = ip.TryGetProperty("gateway", out var gateway) ? gateway.GetString() : null;
        foreach (var other in json.RootElement.GetProperty("ips").EnumerateArray().Skip(1))
        {
            if (other.GetProperty("address").GetString() is { } text && text.Contains(':', StringComparison.Ordinal))
            {
                Address6 = text.Split('/')[0];
                Gateway6 = other.TryGetProperty("gateway", out var gateway6) ? gateway6.GetString() : null;
            }
        }

        _added = true;
        _objects?.ReportRunning(this, Address);
    }

    /// <summary>Runs CNI DEL through wincni.</summary>
    /// <exception cref="InvalidOperationException">wincni failed; the message has its error and the daemon's log.</exception>
    public async Task DelAsync(CancellationToken cancellationToken)
    {
        var result = await InvokeAsync("DEL", cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"wincni DEL for pod {Name} on {Node.NodeName} failed: {result}\n{Node.Log()}");
        }

        _added = false;
    }

    /// <summary>Starts a TCP echo server (busybox nc, one cat per connection) on <paramref name="port"/> inside the pod.</summary>
    /// <exception cref="InvalidOperationException">It did not start listening within a few seconds.</exception>
    public Task StartEchoServerAsync(int port, CancellationToken cancellationToken) =>
        StartServerAsync(port, "echo", ["/bin/cat"], cancellationToken);

    /// <summary>
    /// Starts a TCP server on <paramref name="port"/> that answers every connection with the pod's name and closes it,
    /// so a client of a Service sees which backend it reached.
    /// </summary>
    /// <exception cref="InvalidOperationException">It did not start listening within a few seconds.</exception>
    public Task StartNameServerAsync(int port, CancellationToken cancellationToken) =>
        StartServerAsync(port, "name", ["/bin/echo", Name], cancellationToken);

    private async Task StartServerAsync(int port, string kind, IReadOnlyList<string> program, CancellationToken cancellationToken)
    {
        var portText = port.ToString(CultureInfo.InvariantCulture);
        var log = Path.Combine(Node.Directory, Name + "-" + kind + "-" + portText + ".log");
        _servers.Add(Shell.StartBackground("ip", ["netns", "exec", Netns, "busybox", "nc", "-ll", "-p", portText, "-e", .. program], log));
        for (var i = 0; i < 50; i++)
        {
            var listening = await Support.Netns.ExecAsync(Netns, ["busybox", "netstat", "-ltn"], cancellationToken).ConfigureAwait(false);
            if (listening.Stdout.Contains($":{portText} ", StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }

        throw new InvalidOperationException($"{kind} server on port {port} in pod {Name} did not start: {Shell.ReadShared(log)}");
    }

    /// <summary>Sends a line over TCP from this pod and returns what came back.</summary>
    public async Task<string> EchoAsync(string address, int port, string message, CancellationToken cancellationToken)
    {
        var result = await Support.Netns.ExecAsync(Netns, ["busybox", "nc", "-w", "2", address, port.ToString(CultureInfo.InvariantCulture)], cancellationToken, stdin: message + "\n", timeout: TimeSpan.FromSeconds(10))
            .ConfigureAwait(false);
        return result.Stdout.Trim();
    }

    /// <summary>Execs wincni with <paramref name="command"/> for this pod.</summary>
    public Task<ShellResult> InvokeAsync(string command, CancellationToken cancellationToken) =>
        InvokeAsync(command, "eth0", Node.NetConf, cancellationToken);

    /// <summary>
    /// Execs wincni with <paramref name="command"/> for this pod's attachment <paramref name="ifName"/> (CNI_IFNAME), with
    /// <paramref name="netConf"/> on stdin (e.g. the node's network configuration with a <c>prevResult</c> for CHECK).
    /// </summary>
    public Task<ShellResult> InvokeAsync(string command, string ifName, string netConf, CancellationToken cancellationToken) =>
        Shell.RunAsync(
            Node.PluginPath,
            [],
            cancellationToken,
            stdin: netConf,
            environment: new Dictionary<string, string>
            {
                ["CNI_COMMAND"] = command,
                ["CNI_CONTAINERID"] = Name,
                ["CNI_NETNS"] = Support.Netns.PathOf(Netns),
                ["CNI_IFNAME"] = ifName,
                ["CNI_PATH"] = Node.CniBinDir,
                ["CNI_ARGS"] = "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=" + Name + ";K8S_POD_INFRA_CONTAINER_ID=" + Name,
            });

    /// <summary>One ICMP echo from this pod; the round-trip time, or null when unanswered within a second.</summary>
    public async Task<TimeSpan?> PingAsync(string address, CancellationToken cancellationToken)
    {
        var result = await Support.Netns.ExecAsync(Netns, ["busybox", "ping", "-c", "1", "-W", "1", address], cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            return null;
        }

        // busybox: "round-trip min/avg/max = 0.071/0.071/0.071 ms"
        var line = result.Stdout.Split('\n').FirstOrDefault(l => l.Contains("min/avg/max", StringComparison.Ordinal));
        var values = line?.Split('=', 2)[1].Trim().Split(' ')[0].Split('/');
        return values is { Length: 3 } && double.TryParse(values[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var ms)
            ? TimeSpan.FromMilliseconds(ms)
            : TimeSpan.Zero;
    }

    /// <summary>Pings up to <paramref name="attempts"/> times (the first may wait for ARP or a new route); the first round-trip time or null.</summary>
    public async Task<TimeSpan?> ReachAsync(string address, CancellationToken cancellationToken, int attempts = 3)
    {
        for (var attempt = 0; attempt < attempts; attempt++)
        {
            if (await PingAsync(address, cancellationToken).ConfigureAwait(false) is { } rtt)
            {
                return rtt;
            }
        }

        return null;
    }

    /// <summary>Deletes its Pod object (first, so its endpoints go before its network), stops its servers, DELs (when
    /// added; failures ignored: the node may be gone) and removes the namespace.</summary>
    public async ValueTask DisposeAsync()
    {
        _objects?.Remove(this);
        foreach (var server in _servers)
        {
            await Shell.KillAsync(server, CancellationToken.None).ConfigureAwait(false);
            server.Dispose();
        }

        if (_added && Node.DaemonPid is not null)
        {
            try
            {
                await InvokeAsync("DEL", CancellationToken.None).ConfigureAwait(false);
            }
            catch (InvalidOperationException)
            {
                // Teardown goes on: the node's namespace and state go next.
            }
        }

        await Support.Netns.DeleteAsync(Netns, CancellationToken.None).ConfigureAwait(false);
    }
}
