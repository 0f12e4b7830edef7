using System.Net.NetworkInformation;
using Cni.Hcn.Model.Policies;
using Cni.Node.Configuration;
using Cni.Node.Ipam;
using Cni.Node.Kubernetes;
using Cni.Node.Kubernetes.Cache;
using Cni.Node.Kubernetes.Controllers;
using Cni.Node.Kubernetes.Flannel;
using Cni.Node.Networks;
using Cni.Node.Peers;
using k8s.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cni.Node.Kubernetes.Nodes;

/// <summary>
/// The Node protocol as one controller with two keys: <see cref="PeersKey"/> (routes to every other node's pod
/// CIDRs, from the Node cache, level-triggered against HCN) and <see cref="AnnotationsKey"/> (this node's flannel
/// annotations on its Node, through nodes/status). Node events enqueue the keys; a resync enqueues them every
/// <see cref="ResyncPeriod"/> so routes lost out of band (an HNS restart) and annotations removed by someone come back.
/// Nothing runs before the Node cache has finished its first list.
/// </summary>
public sealed partial class NodeProtocolController : BackgroundService, IReconciler<string>
{
    /// <summary>The work-queue key of the peer routes.</summary>
    public const string PeersKey = "peers";

    /// <summary>The work-queue key of this node's annotations.</summary>
    public const string AnnotationsKey = "annotations";

    /// <summary>How often both keys are reconciled without an event.</summary>
    public static readonly TimeSpan ResyncPeriod = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan NotReadyRetry = TimeSpan.FromSeconds(1);

    private readonly NodeAgent _agent;
    private readonly NodeNetwork _network;
    private readonly PeerRouteReconciler _peers;
    private readonly NodeAnnotationPublisher _publisher;
    private readonly NodeOptions _options;
    private readonly NodeProtocolMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<NodeProtocolController> _logger;
    private readonly WorkQueue<string> _queue;

    /// <summary>Creates the controller.</summary>
    public NodeProtocolController(
        NodeAgent agent,
        NodeNetwork network,
        PeerRouteReconciler peers,
        NodeAnnotationPublisher publisher,
        NodeOptions options,
        NodeProtocolMetrics metrics,
        TimeProvider time,
        ILogger<NodeProtocolController> logger)
    {
        _agent = agent;
        _network = network;
        _peers = peers;
        _publisher = publisher;
        _options = options;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _queue = new WorkQueue<string>(time);
    }

    /// <inheritdoc/>
    public async Task ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        _metrics.ApiContact.Record(_agent.Nodes.LastContact?.ToUnixTimeSeconds() ?? 0);
        if (key == PeersKey)
        {
            await ReconcilePeersAsync(cancellationToken).ConfigureAwait(false);
        }
        else if (key == AnnotationsKey)
        {
            await PublishAnnotationsAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = _agent.Nodes.Subscribe(OnNodeEvent);
        var runner = new ControllerRunner<string>(
            this,
            _queue,
            [_agent.Nodes],
            () => [PeersKey, AnnotationsKey],
            new ControllerRunnerOptions { Name = "node-protocol", Workers = 2, ResyncPeriod = ResyncPeriod },
            _time,
            _logger);
        await runner.RunAsync(stoppingToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        _queue.Dispose();
        base.Dispose();
    }

    private void OnNodeEvent(CacheEvent<V1Node> change)
    {
        // Any Node may change the routes; only our own Node can need its annotations re-published.
        _queue.Add(PeersKey);
        if (change.Object.Metadata?.Name == _agent.NodeName)
        {
            _queue.Add(AnnotationsKey);
        }
    }

    private async Task ReconcilePeersAsync(CancellationToken cancellationToken)
    {
        PeerReconcileReport report;
        try
        {
            report = await _peers.ReconcileAsync(_agent.Nodes.List(), _agent.NodeName, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _metrics.CountPass("failed");
            throw;
        }

        if (report.NotReadyReason is not null)
        {
            _metrics.CountPass("not_ready");
            _queue.AddAfter(PeersKey, NotReadyRetry);
            return;
        }

        _metrics.CountPass(report.Changed ? "changed" : "unchanged");
        _metrics.PeerRoutes.Record(report.Desired.Count);
        _metrics.PeersSkipped.Record(report.Skipped.Count);
    }

    private async Task PublishAnnotationsAsync(CancellationToken cancellationToken)
    {
        var network = _network.Network;
        var nodeIp = _network.Node?.NodeIp ?? _options.NodeIp;
        if (!_network.IsReady || network is null || nodeIp is null)
        {
            // The VTEP MAC comes from the network, the public IP from the node facts: publish once both exist.
            _queue.AddAfter(AnnotationsKey, NotReadyRetry);
            return;
        }

        PhysicalAddress? vtepMac = null;
        if (_options.Mode == NetworkMode.Overlay)
        {
            var drMac = (network.Policies ?? []).Select(p => p.GetSettings<DrMacAddressPolicySetting>()).OfType<DrMacAddressPolicySetting>().FirstOrDefault();
            if (drMac?.Address is not { } text || !MacAddressText.TryParse(text, out var mac))
            {
                LogNoVtepMac(_options.NetworkName);
                _queue.AddAfter(AnnotationsKey, NotReadyRetry);
                return;
            }

            vtepMac = mac;
        }

        var backend = new LocalBackend(LocalBackend.TypeOf(_options.Mode), _options.Vxlan.Vni, vtepMac);
        var result = await _publisher.PublishAsync(backend, nodeIp, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"publishing the annotations of Node '{_agent.NodeName}' failed: {result.Error}");
        }
    }

    [LoggerMessage(EventId = 510, Level = LogLevel.Warning, Message = "network {NetworkName} has no usable DrMacAddress policy yet; the VTEP MAC is published once it has")]
    private partial void LogNoVtepMac(string networkName);
}
