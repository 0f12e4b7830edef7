using System.Diagnostics.Metrics;
using Cni.Hcn.Kernel;

namespace Cni.Daemon.Metrics;

/// <summary>
/// The kernel dataplane's background link reaper and its attachment repairs, read at each scrape. Made by every daemon (zero without the kernel
/// dataplane), so /metrics has the same families on every node; KernelHcn itself stays free of hosting.
/// </summary>
public sealed class KernelDataplaneMetrics
{
    /// <summary>Creates the instruments; <paramref name="kernel"/> is null on the other dataplanes.</summary>
    public KernelDataplaneMetrics(IMeterFactory meters, KernelHcn? kernel = null)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(DaemonMeter.Name);
        meter.CreateObservableGauge(
            "wincni_kernel_retired_links",
            () => OperatingSystem.IsLinux() && kernel is not null ? kernel.RetiredLinksPending : 0L,
            description: "Kernel dataplane: veths of deleted endpoints that are down and waiting for their deletion in the background.");
        meter.CreateObservableCounter(
            "wincni_kernel_link_reap_batches_total",
            () => OperatingSystem.IsLinux() && kernel is not null ? kernel.LinkReapBatches : 0L,
            description: "Kernel dataplane: group deletions of retired veths (each one kernel batch).");
        meter.CreateObservableCounter(
            "wincni_kernel_attachments_repaired_total",
            () => OperatingSystem.IsLinux() && kernel is not null ? kernel.AttachmentsRepaired : 0L,
            description: "Kernel dataplane: pod attachments found not as recorded (interface, address, route or node side missing) and repaired.");
        meter.CreateObservableCounter(
            "wincni_kernel_attachments_dropped_total",
            () => OperatingSystem.IsLinux() && kernel is not null ? kernel.AttachmentsDropped : 0L,
            description: "Kernel dataplane: pod attachments dropped at start-up because the pod's network namespace was gone.");
        meter.CreateObservableCounter(
            "wincni_kernel_stale_links_removed_total",
            () => OperatingSystem.IsLinux() && kernel is not null ? kernel.StaleLinksRemoved : 0L,
            description: "Kernel dataplane: wincni veth pairs no endpoint owned (left by a crash), deleted at start-up.");
    }
}
