using Prometheus;

namespace Cni.Daemon.Metrics;

/// <summary>
/// The daemon's Prometheus metrics, in a registry of its own so several daemons can live in one test process.
/// </summary>
public sealed class DaemonMetrics
{
    private static readonly double[] LatencyBuckets = Histogram.ExponentialBuckets(0.0005, 2, 16); // 0.5 ms … 16 s

    public DaemonMetrics()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        CniRequests = factory.CreateCounter(
            "wincni_cni_requests_total",
            "CNI requests handled, by command and CNI result code (0 = success).",
            "command",
            "code");
        CniDuration = factory.CreateHistogram(
            "wincni_cni_request_duration_seconds",
            "Time to handle a CNI request inside the daemon, by command.",
            new HistogramConfiguration { LabelNames = ["command"], Buckets = LatencyBuckets });
        HcnCalls = factory.CreateCounter(
            "wincni_hcn_calls_total",
            "HCN operations, by operation and outcome (ok or the HRESULT).",
            "operation",
            "outcome");
        HcnDuration = factory.CreateHistogram(
            "wincni_hcn_call_duration_seconds",
            "Latency of HCN operations, by operation.",
            new HistogramConfiguration { LabelNames = ["operation"], Buckets = LatencyBuckets });
        IpamAddresses = factory.CreateGauge(
            "wincni_ipam_addresses",
            "Pod addresses per pool and state (assignable, leased, quarantined, reserved).",
            "pool",
            "state");
        Ready = factory.CreateGauge("wincni_ready", "1 when the node network exists and IPAM is loaded.");
        PeerRoutes = factory.CreateGauge("wincni_peer_routes", "Routes to other nodes' pod CIDRs this node wants (and has, after a successful pass).");
        PeersSkipped = factory.CreateGauge("wincni_peers_skipped", "Other Nodes without a usable route (missing or malformed annotations, mismatched backend or VNI, overlapping CIDRs).");
        PeerReconciles = factory.CreateCounter(
            "wincni_peer_reconciles_total",
            "Peer-route passes, by result (unchanged, changed, not_ready, failed).",
            "result");
        ApiContacts = factory.CreateGauge("wincni_kubernetes_last_contact_timestamp_seconds", "When the Node cache last heard from the API server (Unix time).");
        RetiredLinks = factory.CreateGauge("wincni_kernel_retired_links", "Kernel dataplane: veths of deleted endpoints that are down and waiting for their deletion in the background.");
        LinkReapBatches = factory.CreateCounter("wincni_kernel_link_reap_batches_total", "Kernel dataplane: group deletions of retired veths (each one kernel batch).");
    }

    /// <summary>Kernel dataplane: retired veths not yet deleted.</summary>
    public Gauge RetiredLinks { get; }

    /// <summary>Kernel dataplane: group deletions of retired veths.</summary>
    public Counter LinkReapBatches { get; }

    /// <summary>Routes to other nodes' pod CIDRs.</summary>
    public Gauge PeerRoutes { get; }

    /// <summary>Nodes skipped by the peer controller.</summary>
    public Gauge PeersSkipped { get; }

    /// <summary>Peer-route passes by result.</summary>
    public Counter PeerReconciles { get; }

    /// <summary>Last contact with the API server.</summary>
    public Gauge ApiContacts { get; }

    public CollectorRegistry Registry { get; }

    public Counter CniRequests { get; }

    public Histogram CniDuration { get; }

    public Counter HcnCalls { get; }

    public Histogram HcnDuration { get; }

    public Gauge IpamAddresses { get; }

    public Gauge Ready { get; }
}
