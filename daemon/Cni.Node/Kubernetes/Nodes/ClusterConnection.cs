using Cni.Node.Configuration;
using Cni.Node.Kubernetes.Cache;
using Cni.Node.Kubernetes.Flannel;
using Cni.Node.Networks;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Cni.Node.Kubernetes.Nodes;

/// <summary>
/// wincnid's link to the cluster: the API client, the Node cache (list + watch, running from construction until
/// disposal), this node's facts from its Node object, and the flannel annotation codec. Made before the host is
/// built, because IPAM and the dataplane need the pod CIDRs and node IP the Node provides.
/// </summary>
public sealed partial class ClusterConnection : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _cacheRuns = [];
    private readonly ILogger _logger;

    private ClusterConnection(string nodeName, k8s.Kubernetes client, ResourceCache<V1Node> nodes, KubernetesNodeAddressingSource nodeSource, FlannelAnnotations annotations, ILogger logger)
    {
        NodeName = nodeName;
        Client = client;
        Nodes = nodes;
        AddressingSource = nodeSource;
        Annotations = annotations;
        _logger = logger;
        _cacheRuns.Add(Task.Run(() => nodes.RunAsync(_stopping.Token)));
    }

    /// <summary>This node's Node name.</summary>
    public string NodeName { get; }

    /// <summary>The API client.</summary>
    public k8s.Kubernetes Client { get; }

    /// <summary>Every Node of the cluster.</summary>
    public ResourceCache<V1Node> Nodes { get; }

    /// <summary>This node's pod CIDRs and address, from its Node (config values as the documented fallback).</summary>
    public KubernetesNodeAddressingSource AddressingSource { get; }

    /// <summary>The flannel annotation codec.</summary>
    public FlannelAnnotations Annotations { get; }

    /// <summary>The API server this agent talks to.</summary>
    public Uri ApiServer => Client.BaseUri;

    /// <summary>Builds the client (kubeconfig, API server override, in-cluster) and starts the Node cache.</summary>
    /// <exception cref="KubernetesAccessException">No usable Kubernetes configuration; the message names the file or variable.</exception>
    public static ClusterConnection Start(KubernetesAccessOptions access, string nodeName, NodeOptions options, ILoggerFactory loggers, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(access);
        ArgumentException.ThrowIfNullOrEmpty(nodeName);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        var factory = new KubernetesClientFactory();
        var configuration = factory.BuildConfiguration(access);
        var client = new k8s.Kubernetes(configuration);
        if (KubernetesClientFactory.SendsCredentialsInClearText(configuration))
        {
            // Allowed by --allow-insecure-api-server; said at every start, where an operator reading the log sees it.
            LogCredentialsInClearText(loggers.CreateLogger<ClusterConnection>(), configuration.Host);
        }

        var nodes = new ResourceCache<V1Node>(
            KubernetesListWatchSources.Nodes(client),
            time,
            loggers.CreateLogger("Cni.Node.Kubernetes.NodeCache"),
            new ResourceCacheOptions());
        var annotations = new FlannelAnnotations();
        return new ClusterConnection(nodeName, client, nodes, new KubernetesNodeAddressingSource(nodes, nodeName, options, annotations), annotations, loggers.CreateLogger<ClusterConnection>());
    }

    /// <summary>
    /// Starts the Service and EndpointSlice caches the service proxy reads (list + watch until this connection is
    /// disposed). Call once.
    /// </summary>
    public ServiceProxyCaches StartServiceProxyCaches(ILoggerFactory loggers, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(loggers);
        ArgumentNullException.ThrowIfNull(time);
        var services = new ResourceCache<V1Service>(
            KubernetesListWatchSources.Services(Client), time, loggers.CreateLogger("Cni.Node.Kubernetes.ServiceCache"), new ResourceCacheOptions());
        var slices = new ResourceCache<V1EndpointSlice>(
            KubernetesListWatchSources.EndpointSlices(Client), time, loggers.CreateLogger("Cni.Node.Kubernetes.EndpointSliceCache"), new ResourceCacheOptions());
        lock (_cacheRuns)
        {
            _cacheRuns.Add(Task.Run(() => services.RunAsync(_stopping.Token)));
            _cacheRuns.Add(Task.Run(() => slices.RunAsync(_stopping.Token)));
        }

        return new ServiceProxyCaches(services, slices);
    }

    /// <summary>
    /// Waits until this node's Node has pod CIDRs (or the config gives the fallback), logging what it waits for
    /// whenever that changes and every 15 s, so an operator sees exactly why the node is not ready yet.
    /// </summary>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <param name="problems">Told what is awaited at every look (a Node without podCIDR becomes a Warning Event once it lasts), or null.</param>
    public async Task<NodeAddressing> WaitForNodeAsync(CancellationToken cancellationToken, NodeNetworkProblemTracker? problems = null)
    {
        string? lastReason = null;
        var lastLogged = DateTime.MinValue;
        while (true)
        {
            if (await AddressingSource.GetAsync(cancellationToken).ConfigureAwait(false) is { } node)
            {
                LogNodeKnown(NodeName, string.Join(",", node.PodCidrs), node.NodeIp?.ToString() ?? "(detect)");
                return node;
            }

            var reason = AddressingSource.NotReadyReason ?? "waiting for the Node";
            problems?.Observe(AddressingSource.Waiting?.Problem ?? NodeNetworkProblem.NodeFactsUnavailable, reason);
            if (reason != lastReason || DateTime.UtcNow - lastLogged > TimeSpan.FromSeconds(15))
            {
                LogWaiting(NodeName, ApiServer.ToString(), reason);
                lastReason = reason;
                lastLogged = DateTime.UtcNow;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>As <see cref="WaitForNodeAsync"/>, but gives up after <paramref name="patience"/> and returns null.</summary>
    public async Task<NodeAddressing?> TryWaitForNodeAsync(TimeSpan patience, CancellationToken cancellationToken, NodeNetworkProblemTracker? problems = null)
    {
        using var limited = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limited.CancelAfter(patience);
        try
        {
            return await WaitForNodeAsync(limited.Token, problems).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        Task[] runs;
        lock (_cacheRuns)
        {
            runs = [.. _cacheRuns];
        }

        foreach (var run in runs)
        {
            try
            {
                await run.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopping.
            }
        }

        Client.Dispose();
        _stopping.Dispose();
    }

    [LoggerMessage(EventId = 502, Level = LogLevel.Critical, Message = "INSECURE: the API server {ApiServer} is plain http:// and wincnid sends its credentials to it in clear text (--allow-insecure-api-server); anyone on the path can read the token and act as this node")]
    private static partial void LogCredentialsInClearText(ILogger logger, string apiServer);

    [LoggerMessage(EventId = 500, Level = LogLevel.Warning, Message = "not ready: Node {NodeName} on {ApiServer}: {Reason}")]
    private partial void LogWaiting(string nodeName, string apiServer, string reason);

    [LoggerMessage(EventId = 501, Level = LogLevel.Information, Message = "Node {NodeName}: pod CIDRs {PodCidrs}, node IP {NodeIp}")]
    private partial void LogNodeKnown(string nodeName, string podCidrs, string nodeIp);
}
