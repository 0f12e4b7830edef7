using System.Globalization;
using System.Net;
using Cni.LocalCluster.Support;
using Cni.StandInApiServer;
using Cni.StandInApiServer.Controllers;
using k8s;
using k8s.Models;

namespace Cni.LocalCluster;

/// <summary>
/// A kind-style Kubernetes cluster on one Linux machine, without any traffic outside namespaces it creates: an
/// underlay namespace with a bridge (192.168.200.0/24), a stand-in API server reachable from the nodes on the
/// underlay (192.168.200.1:6443) and from this process on loopback, N node namespaces each running
/// <c>wincnid --dataplane kernel</c> with its Node name and a kubeconfig, and pods as further namespaces. Without
/// Kubernetes (<see cref="LocalClusterOptions.Kubernetes"/>), the same nodes run wincnid standalone.
/// </summary>
/// <remarks>
/// The harness plays kubelet (registers each Node with its addresses; keeps each pod's Pod object: scheduled, then
/// Running and Ready with its IP; execs wincni for pods) and the controller manager (gives each Node a pod CIDR
/// 10.244.N.0/24; an <see cref="EndpointSliceWriter"/> keeps the EndpointSlices of Services with selectors, so
/// <see cref="ApplyAsync{T}"/> or <see cref="ApplyYamlAsync"/> of a Service behaves as on a cluster). Disposing
/// removes every namespace, process and file it made, also after failures.
/// </remarks>
public sealed class LocalCluster : IAsyncDisposable
{
    /// <summary>The API server's address on the underlay, as the nodes see it.</summary>
    public const string ApiServerUnderlayAddress = "192.168.200.1";

    /// <summary>The API server's port on the underlay.</summary>
    public const int ApiServerUnderlayPort = 6443;

    private const string UnderlayBridge = "ul0";

    /// <summary>The underlay's IPv6 prefix on a dual-stack cluster (::1 the underlay, ::N+10 node N).</summary>
    internal const string UnderlayPrefix6 = "fd00:200::";

    /// <summary>The IPv6 cluster CIDR of a dual-stack cluster (node N's pod CIDR is fd00:10:244:N::/64).</summary>
    public const string ClusterCidr6 = "fd00:10:244::/56";

    /// <summary>The IPv6 service CIDR of a dual-stack cluster.</summary>
    public const string ServiceCidr6 = "fd00:10:96::/112";

    /// <summary>
    /// The modes a local cluster runs: those KernelHcn realizes. nat is single-node (pods are reachable from outside only
    /// through host ports, there are no routes between nodes); transparent puts pods on the underlay itself
    /// (192.168.200.0/24, node N's static pool 192.168.200.(100+10(N-1))..+9, gateway the underlay's .1).
    /// </summary>
    public static IReadOnlyList<string> Modes { get; } = ["overlay", "l2bridge", "nat", "transparent"];

    /// <summary>The gateway transparent pods use: the underlay's own address (as a router of the physical network).</summary>
    public const string TransparentGateway = ApiServerUnderlayAddress;

    private readonly List<ClusterNode> _nodes = [];
    private readonly List<ClusterPod> _pods = [];
    private readonly Lock _podsGate = new();
    private readonly List<UnderlayHost> _hosts = [];
    private readonly LocalClusterOptions _options;
    private readonly DeployConfig _deploy;
    private readonly StandInApiServer.StandInApiServer? _apiServer;
    private readonly EndpointSliceWriter? _sliceWriter;
    private readonly PodObjects? _podObjects;
    private int _nodeSequence;
    private int _hostSequence;

    private LocalCluster(LocalClusterOptions options, string underlay, string directory, DeployConfig deploy)
    {
        _options = options;
        _deploy = deploy;
        Underlay = underlay;
        Directory = directory;
        _apiServer = !options.Kubernetes ? null : new StandInApiServer.StandInApiServer(new StandInApiServerOptions
        {
            BookmarkInterval = TimeSpan.FromSeconds(20),
            AdditionalListeners =
            [
                () => NetnsListener.Open(Support.Netns.PathOf(underlay), new IPEndPoint(IPAddress.Parse(ApiServerUnderlayAddress), ApiServerUnderlayPort)),
            ],
        });
        if (_apiServer is not null)
        {
            _sliceWriter = new EndpointSliceWriter(_apiServer.Store);
            _podObjects = new PodObjects(_apiServer.Store, TimeProvider.System);
        }
    }

    /// <summary>The underlay namespace.</summary>
    public string Underlay { get; }

    /// <summary>The cluster's files (kubeconfigs, node directories).</summary>
    public string Directory { get; }

    /// <summary>The stand-in API server (its <see cref="StandInApiServer.StandInApiServer.Store"/> gives tests direct access).</summary>
    /// <exception cref="InvalidOperationException">The cluster runs without Kubernetes.</exception>
    public StandInApiServer.StandInApiServer ApiServer => _apiServer ?? throw new InvalidOperationException("this local cluster runs without Kubernetes (no API server)");

    /// <summary>A kubeconfig for this machine's kubectl (the API server on loopback).</summary>
    public string Kubeconfig => Path.Combine(Directory, "kubeconfig");

    /// <summary>The rendered ConfigMap's conflist, as the DaemonSet's pods see it mounted.</summary>
    public string ConfigMapConflist => Path.Combine(Directory, "configmap", DeployConfig.ConflistName);

    /// <summary>The kubeconfig the nodes use (the API server on the underlay).</summary>
    public string NodeKubeconfig => Path.Combine(Directory, "node-kubeconfig");

    /// <summary>The nodes, in the order they were added.</summary>
    public IReadOnlyList<ClusterNode> Nodes => _nodes;

    /// <summary>The pods, in the order they were added.</summary>
    public IReadOnlyList<ClusterPod> Pods
    {
        get
        {
            lock (_podsGate)
            {
                return [.. _pods];
            }
        }
    }

    /// <summary>The node mode.</summary>
    public string Mode => _options.Mode;

    /// <summary>Creates the underlay and starts the API server (no nodes yet).</summary>
    public static async Task<LocalCluster> StartAsync(LocalClusterOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!Modes.Contains(options.Mode, StringComparer.Ordinal))
        {
            throw new ArgumentException($"mode '{options.Mode}' is not one of {string.Join(", ", Modes)} (l2tunnel needs Azure's host networking)", nameof(options));
        }

        if (options.DualStack && options.Mode != "l2bridge")
        {
            throw new ArgumentException("dual-stack needs mode l2bridge (overlay carries IPv4 only)", nameof(options));
        }

        // Leftovers of runs that were killed before their teardown (their process is gone) are removed first.
        await ClusterRun.SweepAsync(ownRunOnly: false, cancellationToken).ConfigureAwait(false);
        var deploy = await DeployConfig.LoadAsync(options.Mode, cancellationToken).ConfigureAwait(false);
        var cluster = new LocalCluster(options, ClusterRun.UniqueName("ul"), ClusterRun.NewDirectory("cluster"), deploy);
        try
        {
            // The ConfigMap's files where the DaemonSet mounts them (/etc/wincni).
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(cluster.ConfigMapConflist)!);
            await File.WriteAllTextAsync(Path.Combine(Path.GetDirectoryName(cluster.ConfigMapConflist)!, "node.yaml"), deploy.NodeConfig, cancellationToken).ConfigureAwait(false);
            await File.WriteAllTextAsync(cluster.ConfigMapConflist, deploy.Conflist, cancellationToken).ConfigureAwait(false);
            var overlay = System.IO.Directory.Exists(Path.Combine(DeployConfig.DeployDirectory, "overlays", "mixed-" + options.Mode))
                ? "mixed-" + options.Mode
                : $"mixed-{DeployConfig.FallbackMode} with mode: {options.Mode}";
            cluster.Report($"node config and conflist from deploy/overlays/{overlay} (ConfigMap {DeployConfig.ConfigMapName}), placed on each node by wincnid install-cni");
            cluster.Report($"underlay namespace {cluster.Underlay} (bridge {UnderlayBridge}, 192.168.200.0/24)");
            await Support.Netns.CreateAsync(cluster.Underlay, cancellationToken).ConfigureAwait(false);
            await Support.Netns.ExecCheckAsync(cluster.Underlay, ["ip", "link", "add", UnderlayBridge, "type", "bridge"], cancellationToken).ConfigureAwait(false);
            await Support.Netns.ExecCheckAsync(cluster.Underlay, ["ip", "addr", "add", ApiServerUnderlayAddress + "/24", "dev", UnderlayBridge], cancellationToken).ConfigureAwait(false);
            if (options.DualStack)
            {
                await Support.Netns.ExecCheckAsync(cluster.Underlay, ["ip", "-6", "addr", "add", UnderlayPrefix6 + "1/64", "dev", UnderlayBridge, "nodad"], cancellationToken).ConfigureAwait(false);
            }

            await Support.Netns.ExecCheckAsync(cluster.Underlay, ["ip", "link", "set", UnderlayBridge, "up"], cancellationToken).ConfigureAwait(false);
            if (cluster._apiServer is { } apiServer)
            {
                await apiServer.StartAsync(cancellationToken).ConfigureAwait(false);
                cluster._sliceWriter!.Start();
                apiServer.WriteKubeconfig(cluster.Kubeconfig);
                WriteKubeconfig(cluster.NodeKubeconfig, string.Create(CultureInfo.InvariantCulture, $"http://{ApiServerUnderlayAddress}:{ApiServerUnderlayPort}"));
                cluster.Report($"API server on {apiServer.BaseAddress} (this machine) and http://{ApiServerUnderlayAddress}:{ApiServerUnderlayPort} (nodes)");
            }

            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Adds a node: its namespace on the underlay, its Node object (addresses, pod CIDR), and wincnid started with
    /// <c>--node-name</c> and the node kubeconfig; returns once wincnid is ready.
    /// </summary>
    public async Task<ClusterNode> AddNodeAsync(CancellationToken cancellationToken)
    {
        if (Mode == "nat" && _nodes.Count > 0)
        {
            throw new InvalidOperationException("mode nat is a single-node mode: pods sit behind their node's NAT and no node routes to another's pods");
        }

        var index = Interlocked.Increment(ref _nodeSequence);
        if (Mode == "transparent" && index > 10)
        {
            throw new InvalidOperationException("mode transparent: at most 10 nodes (each takes 10 addresses of 192.168.200.100-199)");
        }

        var nodeName = string.Create(CultureInfo.InvariantCulture, $"node-{index}");
        var netns = ClusterRun.UniqueName("n");
        var node = new ClusterNode(nodeName, netns, index, ClusterRun.NewDirectory(nodeName), _apiServer is null ? null : NodeKubeconfig);
        _nodes.Add(node);
        Report(Mode == "transparent"
            ? string.Create(CultureInfo.InvariantCulture, $"node {nodeName}: namespace {netns}, {node.Address}, pods from 192.168.200.{100 + (10 * (index - 1))}-{109 + (10 * (index - 1))} (static pool on the underlay)")
            : $"node {nodeName}: namespace {netns}, {node.Address}, pod CIDR {node.PodCidr}");

        await Support.Netns.CreateAsync(netns, cancellationToken).ConfigureAwait(false);

        // The veth goes straight between the two namespaces: nothing appears in the root namespace.
        var port = string.Create(CultureInfo.InvariantCulture, $"port{index}");
        await Shell.CheckAsync("ip", ["link", "add", port, "netns", Underlay, "type", "veth", "peer", "name", "eth0", "netns", netns], cancellationToken).ConfigureAwait(false);
        await Support.Netns.ExecCheckAsync(Underlay, ["ip", "link", "set", port, "master", UnderlayBridge, "up"], cancellationToken).ConfigureAwait(false);
        await Support.Netns.ExecCheckAsync(netns, ["ip", "addr", "add", node.Address + "/24", "dev", "eth0"], cancellationToken).ConfigureAwait(false);
        if (_options.DualStack)
        {
            await Support.Netns.ExecCheckAsync(netns, ["ip", "-6", "addr", "add", node.Address6 + "/64", "dev", "eth0", "nodad"], cancellationToken).ConfigureAwait(false);
        }

        await Support.Netns.ExecCheckAsync(netns, ["ip", "link", "set", "eth0", "up"], cancellationToken).ConfigureAwait(false);

        // With Kubernetes the pod CIDR and node IP come from the Node object; standalone, from the node config.
        var standalone = string.Empty;
        if (_apiServer is not null)
        {
            RegisterNode(node);
        }
        else
        {
            standalone = Mode == "transparent"
                ? $"nodeIP: {node.Address}\n"
                : $"podCIDRs: [{string.Join(", ", PodCidrsOf(node))}]\nnodeIP: {node.Address}\n";
        }

        if (Mode == "transparent")
        {
            // Pods take addresses of the underlay itself, from a range of their own per node, through the node's eth0.
            var first = 100 + (10 * (index - 1));
            standalone += string.Create(CultureInfo.InvariantCulture,
                $"adapterName: eth0\nstaticPool: {{subnet: 192.168.200.0/24, gateway: {TransparentGateway}, rangeStart: 192.168.200.{first}, rangeEnd: 192.168.200.{first + 9}}}\n");
        }

        // The ConfigMap's node config (mode, network name, CIDRs, VXLAN) with what differs per node here, where all
        // nodes share one file system; then the installer places wincni and the conflist, as the init container does.
        var dualStack = _options.DualStack ? $"clusterCIDRs: [10.244.0.0/16, {ClusterCidr6}]\nserviceCIDRs: [10.96.0.0/12, {ServiceCidr6}]\n" : string.Empty;
        await File.WriteAllTextAsync(node.ConfigFile, _deploy.NodeConfigWith($"""
            stateDir: {node.StateDir}
            socket: {node.Socket}
            healthAddress: {ClusterNode.HealthAddress}

            mode: {Mode}

            """ + dualStack + standalone + (_options.ExtraNodeConfig is { } extra ? extra.TrimEnd() + "\n" : string.Empty)), cancellationToken).ConfigureAwait(false);
        await node.InstallCniAsync(ConfigMapConflist, cancellationToken).ConfigureAwait(false);
        await node.StartDaemonAsync(cancellationToken).ConfigureAwait(false);
        return node;
    }

    /// <summary>
    /// Adds a machine on the underlay that is no node (a client outside the cluster, as a load balancer or a user
    /// would be): a namespace with one address, 192.168.200.201 and up, on the underlay bridge. Removed with the cluster.
    /// </summary>
    public async Task<UnderlayHost> AddUnderlayHostAsync(CancellationToken cancellationToken)
    {
        var index = Interlocked.Increment(ref _hostSequence);
        if (index > 50) throw new InvalidOperationException("at most 50 underlay hosts (192.168.200.201-250)");
        var host = new UnderlayHost(ClusterRun.UniqueName("h"), string.Create(CultureInfo.InvariantCulture, $"192.168.200.{200 + index}"));
        _hosts.Add(host);
        Report($"underlay host: namespace {host.Netns}, {host.Address}");
        await Support.Netns.CreateAsync(host.Netns, cancellationToken).ConfigureAwait(false);
        var port = string.Create(CultureInfo.InvariantCulture, $"host{index}");
        await Shell.CheckAsync("ip", ["link", "add", port, "netns", Underlay, "type", "veth", "peer", "name", "eth0", "netns", host.Netns], cancellationToken).ConfigureAwait(false);
        await Support.Netns.ExecCheckAsync(Underlay, ["ip", "link", "set", port, "master", UnderlayBridge, "up"], cancellationToken).ConfigureAwait(false);
        await Support.Netns.ExecCheckAsync(host.Netns, ["ip", "addr", "add", host.Address + "/24", "dev", "eth0"], cancellationToken).ConfigureAwait(false);
        await Support.Netns.ExecCheckAsync(host.Netns, ["ip", "link", "set", "eth0", "up"], cancellationToken).ConfigureAwait(false);
        return host;
    }

    /// <summary>Removes a node the way a cluster does: its pods go, its Node object is deleted, the machine goes away.</summary>
    public async Task RemoveNodeAsync(ClusterNode node, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        foreach (var pod in Pods.Where(p => p.Node == node))
        {
            await pod.DisposeAsync().ConfigureAwait(false);
            lock (_podsGate)
            {
                _pods.Remove(pod);
            }
        }

        _apiServer?.Store.Delete<V1Node>(node.NodeName);
        await node.DisposeAsync().ConfigureAwait(false);
        _nodes.Remove(node);
        Report($"node {node.NodeName} removed");
    }

    /// <summary>Creates a pod namespace on <paramref name="node"/> and runs CNI ADD for it through wincni; its Pod
    /// object has the <see cref="ClusterPodOptions.DefaultLabels"/>.</summary>
    public Task<ClusterPod> AddPodAsync(ClusterNode node, CancellationToken cancellationToken) =>
        AddPodAsync(node, new ClusterPodOptions(), cancellationToken);

    /// <summary>Creates a pod namespace on <paramref name="node"/> and runs CNI ADD for it through wincni; with
    /// Kubernetes its Pod object (labels and ports from <paramref name="options"/>) is then Running and Ready with
    /// the pod's IP.</summary>
    public async Task<ClusterPod> AddPodAsync(ClusterNode node, ClusterPodOptions options, CancellationToken cancellationToken)
    {
        var pod = await CreatePodAsync(node, options, cancellationToken).ConfigureAwait(false);
        await pod.AddAsync(cancellationToken).ConfigureAwait(false);
        Report($"pod {pod.Name} on {node.NodeName}: {pod.Address}");
        return pod;
    }

    /// <summary>Creates a pod's namespace on <paramref name="node"/>, without network yet (the sandbox before CNI ADD).</summary>
    public Task<ClusterPod> CreatePodAsync(ClusterNode node, CancellationToken cancellationToken) =>
        CreatePodAsync(node, new ClusterPodOptions(), cancellationToken);

    /// <summary>Creates a pod's namespace on <paramref name="node"/>, without network yet (the sandbox before CNI ADD);
    /// with Kubernetes its Pod object exists, Pending on the node, until <see cref="ClusterPod.AddAsync"/>.</summary>
    public async Task<ClusterPod> CreatePodAsync(ClusterNode node, ClusterPodOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(options);
        var name = options.Name ?? string.Create(CultureInfo.InvariantCulture, $"{node.NodeName}-pod-{node.NextPodOrdinal()}");
        var pod = new ClusterPod(node, name, ClusterRun.UniqueName("p"), options, _podObjects);
        lock (_podsGate)
        {
            // Pods may be created concurrently (a pod every 100 ms while earlier ADDs still wait).
            if (_pods.Any(p => p.Name == name)) throw new ArgumentException($"a pod named {name} exists already", nameof(options));
            _pods.Add(pod);
        }

        try
        {
            await Support.Netns.CreateAsync(pod.Netns, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            lock (_podsGate) _pods.Remove(pod);
            throw;
        }

        lock (_podsGate) _podObjects?.Register(pod, options);
        return pod;
    }

    /// <summary>Removes a pod the way a cluster does: its Pod object goes, then its network (CNI DEL) and namespace.</summary>
    public async Task RemovePodAsync(ClusterPod pod, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_podsGate)
        {
            if (!_pods.Remove(pod)) throw new ArgumentException($"pod {pod.Name} is not part of this cluster", nameof(pod));
        }

        await pod.DisposeAsync().ConfigureAwait(false);
        Report($"pod {pod.Name} removed");
    }

    /// <summary>Creates or replaces <paramref name="obj"/> in the API server (a Service, a Namespace, an
    /// EndpointSlice, a Pod of no node of this cluster...), as <c>kubectl apply</c> would; namespaced objects without
    /// a namespace go to <c>default</c>. Returns the stored object (with, for a Service, its cluster IP).</summary>
    /// <exception cref="InvalidOperationException">The cluster runs without Kubernetes.</exception>
    /// <exception cref="StandInApiServer.Storage.ApiException">The API server refused it (invalid, immutable field...).</exception>
    public Task<T> ApplyAsync<T>(T obj, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(obj);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(ApiServer.Store.Apply(obj));
    }

    /// <summary>Applies every document of a YAML manifest (as <c>kubectl apply -f</c>), in order; returns the stored
    /// objects.</summary>
    /// <exception cref="InvalidOperationException">The cluster runs without Kubernetes.</exception>
    /// <exception cref="StandInApiServer.Storage.ApiException">The API server refused one (those before it stay applied).</exception>
    public Task<IReadOnlyList<IKubernetesObject<V1ObjectMeta>>> ApplyYamlAsync(string yaml, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(ApiServer.Store.ApplyYaml(yaml));
    }

    /// <summary>Deletes an object from the API server (a Service: its EndpointSlices follow); false when it did not exist.</summary>
    /// <exception cref="InvalidOperationException">The cluster runs without Kubernetes.</exception>
    public Task<bool> DeleteAsync<T>(string name, string? @namespace, CancellationToken cancellationToken) where T : IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(name);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            ApiServer.Store.Delete<T>(name, @namespace);
            return Task.FromResult(true);
        }
        catch (StandInApiServer.Storage.ApiException e) when (e.Code == 404)
        {
            return Task.FromResult(false);
        }
    }

    /// <summary>The EndpointSlices of <paramref name="service"/> as a service proxy would list them (label
    /// <c>kubernetes.io/service-name</c>), by name.</summary>
    /// <exception cref="InvalidOperationException">The cluster runs without Kubernetes.</exception>
    public IReadOnlyList<V1EndpointSlice> EndpointSlicesOf(string service, string @namespace = "default") =>
        ApiServer.Store.List<V1EndpointSlice>(@namespace)
            .Where(s => s.Metadata.Labels is { } labels && labels.TryGetValue("kubernetes.io/service-name", out var name) && name == service)
            .OrderBy(s => s.Metadata.Name, StringComparer.Ordinal)
            .ToList();

    /// <summary>
    /// Opens a TCP connection from the underlay (a machine on the nodes' network, outside the cluster) to
    /// <paramref name="address"/>:<paramref name="port"/> and returns the first line that came back, or null.
    /// </summary>
    public async Task<string?> ConnectFromUnderlayAsync(string address, int port, CancellationToken cancellationToken)
    {
        var result = await Support.Netns.ExecAsync(Underlay, ["busybox", "nc", "-w", "2", address, port.ToString(CultureInfo.InvariantCulture)], cancellationToken, stdin: "", timeout: TimeSpan.FromSeconds(10))
            .ConfigureAwait(false);
        var line = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return string.IsNullOrEmpty(line) ? null : line;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (var pod in Enumerable.Reverse(Pods))
        {
            await pod.DisposeAsync().ConfigureAwait(false);
        }

        if (_sliceWriter is not null)
        {
            await _sliceWriter.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var node in Enumerable.Reverse(_nodes))
        {
            await node.DisposeAsync().ConfigureAwait(false);
        }

        if (_apiServer is not null)
        {
            await _apiServer.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var host in _hosts)
        {
            await Support.Netns.DeleteAsync(host.Netns, CancellationToken.None).ConfigureAwait(false);
        }

        await Support.Netns.DeleteAsync(Underlay, CancellationToken.None).ConfigureAwait(false);
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort; the next run's sweep removes directories of dead runs.
        }
    }

    private static void WriteKubeconfig(string path, string server) => File.WriteAllText(path, $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: local
          cluster:
            server: {server}
        contexts:
        - name: local
          context:
            cluster: local
        current-context: local
        users: []

        """);

    private void RegisterNode(ClusterNode node)
    {
        // kubelet registers the Node with its addresses; the controller manager allocates spec.podCIDR(s).
        ApiServer.Store.Create(new V1Node
        {
            ApiVersion = "v1",
            Kind = "Node",
            Metadata = new V1ObjectMeta
            {
                Name = node.NodeName,
                Labels = new Dictionary<string, string> { ["kubernetes.io/os"] = "linux", ["kubernetes.io/hostname"] = node.NodeName },
            },
            Spec = new V1NodeSpec { PodCIDR = node.PodCidr, PodCIDRs = PodCidrsOf(node) },
        });
        var created = ApiServer.Store.Get<V1Node>(node.NodeName)!;
        created.Status = new V1NodeStatus
        {
            Addresses =
            [
                new V1NodeAddress { Type = "InternalIP", Address = node.Address },
                .. _options.DualStack ? [new V1NodeAddress { Type = "InternalIP", Address = node.Address6 }] : Array.Empty<V1NodeAddress>(),
                new V1NodeAddress { Type = "Hostname", Address = node.NodeName },
            ],
        };
        ApiServer.Store.Update(created, status: true);
    }

    /// <summary>The node's pod CIDRs: IPv4, and IPv6 on a dual-stack cluster.</summary>
    private List<string> PodCidrsOf(ClusterNode node) => _options.DualStack ? [node.PodCidr, node.PodCidr6] : [node.PodCidr];

    private void Report(string line) => _options.Progress?.WriteLine(line);
}
