using System.Diagnostics.Metrics;
using Cni.Node.Diagnostics;

namespace Cni.Node.Kubernetes.Nodes;

/// <summary>
/// The Node protocol's figures: peer routes, skipped peers, passes by result and the last API contact. Made by every
/// daemon, with or without Kubernetes, so /metrics has the same families on every node (zero where nothing runs).
/// </summary>
public sealed class FlannelProtocolMetrics
{
    /// <summary>Creates the instruments on <paramref name="meters"/>' <see cref="NodeMeter"/>.</summary>
    public FlannelProtocolMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(NodeMeter.Name);
        PeerRoutes = meter.CreateGauge<int>("wincni_peer_routes", description: "Routes to other nodes' pod CIDRs this node wants (and has, after a successful pass).");
        PeersSkipped = meter.CreateGauge<int>("wincni_peers_skipped", description: "Other Nodes without a usable route (missing or malformed annotations, mismatched backend or VNI, overlapping CIDRs).");
        PeerReconciles = meter.CreateCounter<long>("wincni_peer_reconciles_total", description: "Peer-route passes, by result (unchanged, changed, not_ready, failed).");
        ApiContact = meter.CreateGauge<long>("wincni_kubernetes_last_contact_timestamp_seconds", "s", "When the Node cache last heard from the API server (Unix time).");
    }

    /// <summary>Routes to other nodes' pod CIDRs.</summary>
    public Gauge<int> PeerRoutes { get; }

    /// <summary>Nodes skipped by the peer controller.</summary>
    public Gauge<int> PeersSkipped { get; }

    /// <summary>Peer-route passes, tagged result.</summary>
    public Counter<long> PeerReconciles { get; }

    /// <summary>Last contact with the API server, Unix seconds.</summary>
    public Gauge<long> ApiContact { get; }

    /// <summary>Counts one peer-route pass.</summary>
    public void CountPass(string result) => PeerReconciles.Add(1, new KeyValuePair<string, object?>("result", result));
}
