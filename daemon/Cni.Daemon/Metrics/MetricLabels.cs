using System.Collections.Frozen;

namespace Cni.Daemon.Metrics;

/// <summary>
/// The label names of every exported instrument. Prometheus families need their label names when they are created,
/// before the first measurement (so /metrics shows HELP and TYPE of a family nothing has counted yet, as it always
/// did); .NET instruments do not declare their tag keys. Only instruments listed here are exported, and a test fails
/// for an instrument of the Cni.Node or Cni.Daemon meter that is missing here.
/// </summary>
internal static class MetricLabels
{
    /// <summary>Instrument name → label names, in the order the labels are shown.</summary>
    public static readonly FrozenDictionary<string, string[]> ByInstrument = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["wincni_cni_requests_total"] = ["command", "code"],
        ["wincni_cni_request_duration_seconds"] = ["command"],
        ["wincni_hcn_calls_total"] = ["operation", "outcome"],
        ["wincni_hcn_call_duration_seconds"] = ["operation"],
        ["wincni_ipam_addresses"] = ["pool", "state"],
        ["wincni_ipam_quarantine_reclaimed_total"] = ["pool"],
        ["wincni_ready"] = [],
        ["wincni_peer_routes"] = [],
        ["wincni_peers_skipped"] = [],
        ["wincni_peer_reconciles_total"] = ["result"],
        ["wincni_kubernetes_last_contact_timestamp_seconds"] = [],
        ["wincni_kernel_retired_links"] = [],
        ["wincni_kernel_link_reap_batches_total"] = [],
        ["wincni_kernel_attachments_repaired_total"] = [],
        ["wincni_kernel_attachments_dropped_total"] = [],
        ["wincni_kernel_stale_links_removed_total"] = [],
        ["wincni_service_proxy_sync_duration_seconds"] = ["kind"],
        ["wincni_service_proxy_network_programming_duration_seconds"] = [],
        ["wincni_service_proxy_sync_hcn_operations"] = ["type"],
        ["wincni_service_proxy_objects_failing"] = [],
        ["wincni_service_proxy_services_without_endpoints"] = [],
        ["wincni_service_proxy_endpoint_changes_total"] = [],
        ["wincni_service_proxy_service_changes_total"] = [],
        ["wincni_service_proxy_last_sync_timestamp_seconds"] = [],
    }.ToFrozenDictionary(StringComparer.Ordinal);
}
