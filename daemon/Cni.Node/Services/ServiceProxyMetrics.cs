using System.Diagnostics.Metrics;
using Cni.Node.Diagnostics;

namespace Cni.Node.Services;

/// <summary>
/// The service proxy's figures, named after kube-proxy's (kubernetes pkg/proxy/metrics/metrics.go) where it has one:
/// sync duration, network programming latency, changes seen, last sync time; plus HCN operations per pass, objects
/// failing and Services without endpoints.
/// </summary>
public sealed class ServiceProxyMetrics
{
    /// <summary>Buckets of the programming latency: 1 ms … 131 s, doubling (kube-proxy's reach into minutes).</summary>
    private static readonly InstrumentAdvice<double> ProgrammingBuckets = new()
    {
        HistogramBucketBoundaries = [.. Enumerable.Range(0, 18).Select(k => 0.001 * Math.Pow(2, k))],
    };

    /// <summary>Buckets of the operations per pass: 0, 1, 2, 4 … 131072.</summary>
    private static readonly InstrumentAdvice<double> CountBuckets = new()
    {
        HistogramBucketBoundaries = [0, .. Enumerable.Range(0, 18).Select(k => Math.Pow(2, k))],
    };

    private static readonly KeyValuePair<string, object?> Full = new("kind", "full");
    private static readonly KeyValuePair<string, object?> Incremental = new("kind", "incremental");
    private static readonly KeyValuePair<string, object?> Read = new("type", "read");
    private static readonly KeyValuePair<string, object?> Write = new("type", "write");

    private readonly Histogram<double> _syncDuration;
    private readonly Histogram<double> _programming;
    private readonly Histogram<double> _operations;
    private readonly Gauge<int> _failing;
    private readonly Gauge<int> _withoutEndpoints;
    private readonly Counter<long> _endpointChanges;
    private readonly Counter<long> _serviceChanges;
    private readonly Gauge<double> _lastSync;

    /// <summary>Creates the instruments on <paramref name="meters"/>' <see cref="NodeMeter"/>.</summary>
    public ServiceProxyMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(NodeMeter.Name);
        _syncDuration = meter.CreateHistogram("wincni_service_proxy_sync_duration_seconds", "s",
            "Duration of a service proxy pass, by kind (full: listed HCN, the resync; incremental: an event's pass); kube-proxy's sync_proxy_rules_duration_seconds.",
            advice: NodeMeter.LatencyBuckets);
        _programming = meter.CreateHistogram("wincni_service_proxy_network_programming_duration_seconds", "s",
            "From an EndpointSlice's endpoints.kubernetes.io/last-change-trigger-time to the end of the pass that programmed it; kube-proxy's network_programming_duration_seconds.",
            advice: ProgrammingBuckets);
        _operations = meter.CreateHistogram<double>("wincni_service_proxy_sync_hcn_operations", null,
            "HCN operations per service proxy pass, by type (read: listings and the version query; write: creates, modifies, deletes).", advice: CountBuckets);
        _failing = meter.CreateGauge<int>("wincni_service_proxy_objects_failing", description: "Load balancers and remote endpoints the last pass could not bring in line (failed or backing off).");
        _withoutEndpoints = meter.CreateGauge<int>("wincni_service_proxy_services_without_endpoints",
            description: "Services with a port that has no ready or serving-terminating endpoint (its frontends reject or have no load balancer).");
        _endpointChanges = meter.CreateCounter<long>("wincni_service_proxy_endpoint_changes_total", description: "EndpointSlice adds, updates and deletes seen; kube-proxy's sync_proxy_rules_endpoint_changes_total.");
        _serviceChanges = meter.CreateCounter<long>("wincni_service_proxy_service_changes_total", description: "Service adds, updates and deletes seen; kube-proxy's sync_proxy_rules_service_changes_total.");
        _lastSync = meter.CreateGauge<double>("wincni_service_proxy_last_sync_timestamp_seconds", "s",
            "When the last successful pass finished (Unix time); kube-proxy's sync_proxy_rules_last_timestamp_seconds.");
    }

    /// <summary>Counts one EndpointSlice event.</summary>
    public void CountEndpointChange() => _endpointChanges.Add(1);

    /// <summary>Counts one Service event.</summary>
    public void CountServiceChange() => _serviceChanges.Add(1);

    /// <summary>Records a pass that reached HCN and reported.</summary>
    public void RecordPass(bool full, TimeSpan duration, LoadBalancerPassReport report, int servicesWithoutEndpoints, DateTimeOffset finished)
    {
        ArgumentNullException.ThrowIfNull(report);
        _syncDuration.Record(duration.TotalSeconds, full ? Full : Incremental);
        _operations.Record(report.HcnReads, Read);
        _operations.Record(report.HcnWrites, Write);
        _failing.Record(report.Failures.Count);
        _withoutEndpoints.Record(servicesWithoutEndpoints);
        _lastSync.Record(finished.ToUnixTimeMilliseconds() / 1000.0);
    }

    /// <summary>Records a pass that failed as a whole (its duration only).</summary>
    public void RecordFailedPass(bool full, TimeSpan duration) => _syncDuration.Record(duration.TotalSeconds, full ? Full : Incremental);

    /// <summary>Records the programming latency of one EndpointSlice change.</summary>
    public void RecordProgramming(TimeSpan latency) => _programming.Record(latency.TotalSeconds);
}
