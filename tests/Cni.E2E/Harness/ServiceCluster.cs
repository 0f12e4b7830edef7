using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using System.Text.Json;
using Cni.LocalCluster;
using k8s.Models;

namespace Cni.E2E.Harness;

/// <summary>A backend pod and its <see cref="IdentityServer"/>.</summary>
internal sealed record Backend(ClusterPod Pod, IdentityServer Server)
{
    public string Name => Pod.Name;
}

/// <summary>What a node's status says about a group of Services (<see cref="ServiceCluster.CountAsync"/>).</summary>
internal sealed record ProxyCounts(bool Synced, long Passes, int Listed, int Programmed, int Orphans, int Failures, int RemoteEndpoints);

/// <summary>
/// A two-node local cluster for service proxy tests, shared by the tests of one fixture: each test's pods, servers
/// and Services are tracked and removed by <see cref="ResetAsync"/> (the fixture's TearDown), so the next test starts
/// from a cluster without them, also after a failure.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class ServiceCluster : IAsyncDisposable
{
    /// <summary>The port every backend serves TCP and UDP on.</summary>
    public const int BackendPort = 8080;

    private readonly List<Backend> _backends = [];
    private readonly List<ClusterPod> _clients = [];
    private readonly List<string> _services = [];
    private int _sequence;

    private ServiceCluster(Cni.LocalCluster.LocalCluster cluster, ClusterNode n1, ClusterNode n2)
    {
        Cluster = cluster;
        N1 = n1;
        N2 = n2;
    }

    public Cni.LocalCluster.LocalCluster Cluster { get; }

    public ClusterNode N1 { get; }

    public ClusterNode N2 { get; }

    public IReadOnlyList<ClusterNode> Nodes => [N1, N2];

    /// <summary>The backends of the current test.</summary>
    public IReadOnlyList<Backend> Backends => _backends;

    /// <summary>Starts the cluster with two nodes and waits until each routes to the other's pod CIDR.</summary>
    public static async Task<ServiceCluster> StartAsync(LocalClusterOptions options, CancellationToken cancellationToken)
    {
        var cluster = await Cni.LocalCluster.LocalCluster.StartAsync(options, cancellationToken);
        try
        {
            var n1 = await cluster.AddNodeAsync(cancellationToken);
            var n2 = await cluster.AddNodeAsync(cancellationToken);
            await WaitForRouteAsync(n1, n2.PodCidr, cancellationToken);
            await WaitForRouteAsync(n2, n1.PodCidr, cancellationToken);
            return new ServiceCluster(cluster, n1, n2);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>A unique name for this fixture's objects: <c>&lt;stem&gt;-&lt;n&gt;</c>.</summary>
    public string NewName(string stem) => string.Create(CultureInfo.InvariantCulture, $"{stem}-{Interlocked.Increment(ref _sequence)}");

    /// <summary>
    /// A backend pod on <paramref name="node"/> labelled <c>app=<paramref name="app"/></c>, its server listening
    /// before CNI ADD makes the pod Running and Ready (so no endpoint is ever advertised before it serves).
    /// </summary>
    public async Task<Backend> AddBackendAsync(ClusterNode node, string app, CancellationToken cancellationToken)
    {
        var pod = await Cluster.CreatePodAsync(node, new ClusterPodOptions
        {
            Labels = new Dictionary<string, string> { ["app"] = app },
            Ports = [new V1ContainerPort { Name = "serve", ContainerPort = BackendPort, Protocol = "TCP" }, new V1ContainerPort { Name = "serve-udp", ContainerPort = BackendPort, Protocol = "UDP" }],
        }, cancellationToken);
        var server = IdentityServer.Start(pod.Netns, pod.Name, BackendPort);
        var backend = new Backend(pod, server);
        _backends.Add(backend);
        await pod.AddAsync(cancellationToken);
        return backend;
    }

    /// <summary>A pod no Service selects, to connect from.</summary>
    public async Task<ClusterPod> AddClientAsync(ClusterNode node, CancellationToken cancellationToken)
    {
        var pod = await Cluster.AddPodAsync(node, new ClusterPodOptions { Labels = new Dictionary<string, string> { ["role"] = "client" } }, cancellationToken);
        _clients.Add(pod);
        return pod;
    }

    /// <summary>Removes a backend the way a scale-down does: its Pod terminates (its endpoint stops being ready; the
    /// proxy must stop sending it new connections), and after <paramref name="grace"/> the pod and its server go.</summary>
    public async Task TerminateBackendAsync(Backend backend, TimeSpan grace, CancellationToken cancellationToken)
    {
        await backend.Pod.BeginTerminationAsync(grace, cancellationToken);
        await Task.Delay(grace, cancellationToken);
        await RemoveBackendAsync(backend, cancellationToken);
    }

    /// <summary>Removes a backend at once: Pod object, CNI DEL, namespace; then its server.</summary>
    public async Task RemoveBackendAsync(Backend backend, CancellationToken cancellationToken)
    {
        _backends.Remove(backend);
        await Cluster.RemovePodAsync(backend.Pod, cancellationToken);
        await backend.Server.DisposeAsync();
    }

    /// <summary>Applies a Service manifest (one document) and returns the stored Service (cluster IP, node ports).</summary>
    public async Task<V1Service> ApplyServiceAsync(string yaml, CancellationToken cancellationToken)
    {
        var applied = await Cluster.ApplyYamlAsync(yaml, cancellationToken);
        var service = applied.OfType<V1Service>().Single();
        if (!_services.Contains(service.Metadata.Name))
        {
            _services.Add(service.Metadata.Name);
        }

        return service;
    }

    /// <summary>Applies a Service object and returns the stored one.</summary>
    public async Task<V1Service> ApplyServiceAsync(V1Service service, CancellationToken cancellationToken)
    {
        var stored = await Cluster.ApplyAsync(service, cancellationToken);
        if (!_services.Contains(stored.Metadata.Name))
        {
            _services.Add(stored.Metadata.Name);
        }

        return stored;
    }

    /// <summary>Deletes a Service this fixture applied.</summary>
    public async Task DeleteServiceAsync(string name, CancellationToken cancellationToken)
    {
        _services.Remove(name);
        await Cluster.DeleteAsync<V1Service>(name, "default", cancellationToken);
    }

    /// <summary>A ClusterIP (or other <paramref name="type"/>) Service selecting <c>app=<paramref name="app"/></c>
    /// on port 80 → <see cref="BackendPort"/>, with <paramref name="extraSpec"/> lines added to its spec.</summary>
    public static string ServiceYaml(string name, string app, string protocol = "TCP", string type = "ClusterIP", string extraSpec = "") => $"""
        apiVersion: v1
        kind: Service
        metadata:
          name: {name}
          namespace: default
        spec:
          type: {type}
          selector:
            app: {app}
          ports:
          - name: serve
            port: 80
            targetPort: {BackendPort}
            protocol: {protocol}
        {extraSpec}
        """;

    /// <summary>A ClusterIP Service object selecting <c>app=<paramref name="app"/></c>, port 80 → <see cref="BackendPort"/>.</summary>
    public static V1Service ClusterIpService(string name, string app) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
        Spec = new V1ServiceSpec
        {
            Type = "ClusterIP",
            Selector = new Dictionary<string, string> { ["app"] = app },
            Ports = [new V1ServicePort { Name = "serve", Port = 80, TargetPort = BackendPort, Protocol = "TCP" }],
        },
    };

    /// <summary>
    /// Counts, in <paramref name="node"/>'s status, the Services whose name starts with <paramref name="prefix"/>:
    /// how many are listed and how many have every load balancer in HCN as wanted; also the orphans, the failures and
    /// the service proxy's remote endpoints (<c>wincni-svc-remote-*</c>). Null while the daemon does not answer.
    /// </summary>
    public static async Task<ProxyCounts?> CountAsync(ClusterNode node, string prefix, CancellationToken cancellationToken)
    {
        using var status = await DaemonClient.TryStatusAsync(node.Socket, cancellationToken);
        return status is null ? null : Count(status, prefix);
    }

    /// <summary><see cref="CountAsync"/> over a status document (e.g. what <c>wincnid status --json</c> printed).</summary>
    public static ProxyCounts? Count(JsonDocument status, string prefix)
    {
        ArgumentNullException.ThrowIfNull(status);
        if (!status.RootElement.TryGetProperty("serviceProxy", out var proxy) || proxy.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        int listed = 0, programmed = 0;
        if (proxy.TryGetProperty("services", out var services) && services.ValueKind == JsonValueKind.Array)
        {
            foreach (var entry in services.EnumerateArray().Where(e => e.GetProperty("service").GetString()!.StartsWith("default/" + prefix, StringComparison.Ordinal)))
            {
                listed++;
                programmed += IsProgrammed(entry, null) ? 1 : 0;
            }
        }

        var remote = status.RootElement.GetProperty("endpoints").EnumerateArray()
            .Count(e => e.GetProperty("name").GetString()!.StartsWith("wincni-svc-remote-", StringComparison.Ordinal));
        return new ProxyCounts(
            proxy.GetProperty("synced").GetBoolean(),
            proxy.GetProperty("passes").GetInt64(),
            listed,
            programmed,
            proxy.GetProperty("orphans").GetArrayLength(),
            proxy.GetProperty("failures").GetArrayLength(),
            remote);
    }

    /// <summary>Polls <see cref="CountAsync"/> until <paramref name="done"/> holds; returns how long it took and the last counts.</summary>
    public static async Task<(TimeSpan Elapsed, ProxyCounts Counts)> WaitForCountsAsync(
        ClusterNode node, string prefix, Func<ProxyCounts, bool> done, string what, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        ProxyCounts? last = null;
        while (true)
        {
            last = await CountAsync(node, prefix, cancellationToken) ?? last;
            if (last is { } counts && done(counts))
            {
                return (clock.Elapsed, counts);
            }

            if (clock.Elapsed > timeout)
            {
                Assert.Fail($"{node.NodeName}: {what} not reached within {timeout.TotalSeconds:0} s; last counts {last}\n{node.Log()[^Math.Min(node.Log().Length, 6000)..]}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>The Service's entry in <c>wincnid status</c> of <paramref name="node"/> (null when absent).</summary>
    public static async Task<JsonElement?> ServiceStatusAsync(ClusterNode node, string service, CancellationToken cancellationToken)
    {
        using var status = await DaemonClient.TryStatusAsync(node.Socket, cancellationToken);
        if (status is null || !status.RootElement.TryGetProperty("serviceProxy", out var proxy)
            || !proxy.TryGetProperty("services", out var services) || services.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        foreach (var entry in services.EnumerateArray())
        {
            if (entry.GetProperty("service").GetString() == "default/" + service)
            {
                return entry.Clone();
            }
        }

        return null;
    }

    /// <summary>
    /// Waits until <paramref name="node"/>'s status shows every load balancer of <paramref name="service"/> in HCN with
    /// the backends it wants, and those wanted by the ClusterIP one equal <paramref name="clusterIpBackends"/> (null: any);
    /// returns how long it took.
    /// </summary>
    public static async Task<TimeSpan> WaitForProgrammedAsync(ClusterNode node, string service, int? clusterIpBackends, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        JsonElement? last = null;
        while (true)
        {
            last = await ServiceStatusAsync(node, service, cancellationToken);
            if (last is { } entry && IsProgrammed(entry, clusterIpBackends))
            {
                return clock.Elapsed;
            }

            if (clock.Elapsed > limit)
            {
                Assert.Fail($"Service {service} not programmed on {node.NodeName} within {limit.TotalSeconds:0} s (ClusterIP backends wanted: {clusterIpBackends}); status entry: {last}\n{node.Log()}");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>Whether every load balancer of a status entry is in HCN as wanted, the ClusterIP one with <paramref name="clusterIpBackends"/> backends.</summary>
    public static bool IsProgrammed(JsonElement entry, int? clusterIpBackends)
    {
        var lbs = entry.GetProperty("loadBalancers").EnumerateArray().ToList();
        if (lbs.Count == 0)
        {
            return false;
        }

        foreach (var lb in lbs)
        {
            var desired = lb.GetProperty("desiredBackends").GetInt32();
            if (!lb.GetProperty("inHcn").GetBoolean() || lb.GetProperty("hcnBackends").ValueKind != JsonValueKind.Number || lb.GetProperty("hcnBackends").GetInt32() != desired)
            {
                return false;
            }

            if (clusterIpBackends is { } wanted && IsClusterIp(lb) && desired != wanted)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether a status load balancer entry is the ClusterIP frontend.</summary>
    public static bool IsClusterIp(JsonElement lb) => lb.GetProperty("key").GetString()!.EndsWith("/ClusterIP", StringComparison.Ordinal);

    /// <summary><c>wincni_hcn_calls_total</c> on <paramref name="node"/>'s /metrics, summed over outcomes, by operation.</summary>
    public static async Task<Dictionary<string, long>> HcnCallsAsync(ClusterNode node, CancellationToken cancellationToken)
    {
        var (status, body) = await NetnsClient.HttpGetAsync(node.Netns, new Uri("http://" + ClusterNode.HealthAddress + "/metrics"), cancellationToken);
        Assert.That(status, Is.EqualTo(200), $"/metrics on {node.NodeName}: {body}");
        var calls = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in body.Split('\n'))
        {
            if (!line.StartsWith("wincni_hcn_calls_total{", StringComparison.Ordinal))
            {
                continue;
            }

            var labels = line[(line.IndexOf('{', StringComparison.Ordinal) + 1)..line.IndexOf('}', StringComparison.Ordinal)];
            var operation = labels.Split(',').Select(l => l.Split('=', 2)).Where(p => p[0] == "operation").Select(p => p[1].Trim('"')).Single();
            var value = long.Parse(line[(line.LastIndexOf(' ') + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture);
            calls[operation] = calls.GetValueOrDefault(operation) + value;
        }

        return calls;
    }

    /// <summary>The services table of <paramref name="node"/> (<c>nft list table ip wincni_services</c>), or "" when there is none.</summary>
    public static async Task<string> ServicesTableAsync(ClusterNode node, CancellationToken cancellationToken)
    {
        var result = await Netns.ExecAsync(node.Netns, ["nft", "list", "table", "ip", "wincni_services"], cancellationToken);
        return result.Succeeded ? result.Stdout : string.Empty;
    }

    /// <summary>The whole nftables ruleset of <paramref name="node"/>.</summary>
    public static Task<string> RulesetAsync(ClusterNode node, CancellationToken cancellationToken) =>
        Netns.ExecCheckAsync(node.Netns, ["nft", "list", "ruleset"], cancellationToken);

    /// <summary>Both nodes' wincnid logs, for failure messages.</summary>
    public string Logs() => string.Concat(Cluster.Nodes.Select(n => $"\n---- {n.NodeName} wincnid log (tail)\n{Tail(n.Log(), 60)}"));

    /// <summary>Removes the current test's Services, backends and clients, and makes sure both daemons run.</summary>
    public async Task ResetAsync(CancellationToken cancellationToken)
    {
        foreach (var name in _services.ToList())
        {
            await DeleteServiceAsync(name, cancellationToken);
        }

        foreach (var backend in _backends.ToList())
        {
            await RemoveBackendAsync(backend, cancellationToken);
        }

        foreach (var client in _clients)
        {
            await Cluster.RemovePodAsync(client, cancellationToken);
        }

        _clients.Clear();
        foreach (var node in Nodes.Where(n => n.DaemonPid is null))
        {
            await node.StartDaemonAsync(cancellationToken);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (var backend in _backends)
        {
            await backend.Server.DisposeAsync();
        }

        await Cluster.DisposeAsync();
    }

    private static string Tail(string text, int lines)
    {
        var all = text.Split('\n');
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }

    private static async Task WaitForRouteAsync(ClusterNode node, string prefix, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var routes = await node.RoutesAsync(cancellationToken);
            if (routes.Split('\n').Any(l => l.StartsWith(prefix + " ", StringComparison.Ordinal)))
            {
                return;
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"route to {prefix} on {node.NodeName} missing after 30 s:\n{routes}\n{node.Log()}");
            }

            await Task.Delay(50, cancellationToken);
        }
    }
}
