using System.Net.NetworkInformation;
using Cni.Hcn.Model.Policies;
using Cni.Node.Configuration;
using Cni.Node.Ipam;
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
/// flannel's Node protocol (what a flannel node reads from and writes to Node objects) as one controller with two keys: <see cref="PeersKey"/> (routes to every other node's pod
/// CIDRs, from the Node cache, level-triggered against HCN) and <see cref="AnnotationsKey"/> (this node's flannel
/// annotations on its Node, through nodes/status). Node events enqueue the keys; a resync enqueues them every
/// <see cref="ResyncPeriod"/> so routes lost out of band (an HNS restart) and annotations removed by someone come back.
/// Nothing runs before the Node cache has finished its first list.
/// </summary>
/// <param name="agent">The Node cache and this node's name.</param>
/// <param name="nodeNetwork">The node network (readiness, the DR MAC that is the VTEP MAC).</param>
/// <param name="peers">The peer-route reconciler.</param>
/// <param name="publisher">Publishes this node's annotations.</param>
/// <param name="options">The node config.</param>
/// <param name="metrics">The Node protocol's instruments.</param>
/// <param name="time">Time, for the work queue and the runner.</param>
/// <param name="logger">The controller's log.</param>
/// <param name="peerProblems">Told, after each peer pass, every peer whose annotations are unusable (not merely absent), or null.</param>
public sealed partial class FlannelProtocolController(
    ClusterConnection agent,
    PodNetwork nodeNetwork,
    PeerRouteReconciler peers,
    NodeAnnotationPublisher publisher,
    NodeOptions options,
    FlannelProtocolMetrics metrics,
    TimeProvider time,
    ILogger<FlannelProtocolController> logger,
    IPeerProblemReporter? peerProblems = null) : BackgroundService, IReconciler<string>
{
    /// <summary>The work-queue key of the peer routes.</summary>
    public const string PeersKey = "peers";

    /// <summary>The work-queue key of this node's annotations.</summary>
    public const string AnnotationsKey = "annotations";

    /// <summary>How often both keys are reconciled without an event.</summary>
    public static readonly TimeSpan ResyncPeriod = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan NotReadyRetry = TimeSpan.FromSeconds(1);

    // The [LoggerMessage] methods log through this field.
    private readonly ILogger<FlannelProtocolController> _logger = logger;
    private readonly WorkQueue<string> _queue = new(time);

    /// <inheritdoc/>
    public async Task ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        metrics.ApiContact.Record(agent.Nodes.LastContact?.ToUnixTimeSeconds() ?? 0);
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
        using var subscription = agent.Nodes.Subscribe(OnNodeEvent);
        var runner = new ControllerRunner<string>(
            this,
            _queue,
            [agent.Nodes],
            () => [PeersKey, AnnotationsKey],
            new ControllerRunnerOptions { Name = "node-protocol", Workers = 2, ResyncPeriod = ResyncPeriod },
            time,
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
        if (change.Object.Metadata?.Name == agent.NodeName)
        {
            _queue.Add(AnnotationsKey);
        }
    }

    private async Task ReconcilePeersAsync(CancellationToken cancellationToken)
    {
        PeerReconcileReport report;
        try
        {
            report = await peers.ReconcileAsync(agent.Nodes.List(), agent.NodeName, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            metrics.CountPass("failed");
            throw;
        }

        if (report.NotReadyReason is not null)
        {
            metrics.CountPass("not_ready");
            _queue.AddAfter(PeersKey, NotReadyRetry);
            return;
        }

        metrics.CountPass(report.Changed ? "changed" : "unchanged");
        metrics.PeerRoutes.Record(report.Desired.Count);
        metrics.PeersSkipped.Record(report.Skipped.Count);
        if (peerProblems is not null)
        {
            foreach (var skipped in report.Skipped)
            {
                if (!skipped.IsIncomplete)
                {
                    peerProblems.Report(skipped);
                }
            }
        }
    }

    private async Task PublishAnnotationsAsync(CancellationToken cancellationToken)
    {
        var network = nodeNetwork.Network;
        var nodeIp = nodeNetwork.Node?.NodeIp ?? options.NodeIp;
        if (!nodeNetwork.IsReady || network is null || nodeIp is null)
        {
            // The VTEP MAC comes from the network, the public IP from the node facts: publish once both exist.
            _queue.AddAfter(AnnotationsKey, NotReadyRetry);
            return;
        }

        PhysicalAddress? vtepMac = null;
        if (options.Mode == NetworkMode.Overlay)
        {
            var drMac = (network.Policies ?? []).Select(p => p.GetSettings<DrMacAddressPolicySetting>()).OfType<DrMacAddressPolicySetting>().FirstOrDefault();
            if (drMac?.Address is not { } text || !MacAddressText.TryParse(text, out var mac))
            {
                LogNoVtepMac(options.NetworkName);
                _queue.AddAfter(AnnotationsKey, NotReadyRetry);
                return;
            }

            vtepMac = mac;
        }

        var backend = new LocalBackend(LocalBackend.TypeOf(options.Mode), options.Vxlan.Vni, vtepMac);
        var nodeIpv6 = nodeNetwork.Node?.OtherFamilyIps.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6);
        var result = await publisher.PublishAsync(backend, nodeIp, cancellationToken, nodeIpv6).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"publishing the annotations of Node '{agent.NodeName}' failed: {result.Error}");
        }
    }

    [LoggerMessage(EventId = 510, Level = LogLevel.Warning, Message = "network {NetworkName} has no usable DrMacAddress policy yet; the VTEP MAC is published once it has")]
    private partial void LogNoVtepMac(string networkName);
}
