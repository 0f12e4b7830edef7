using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using Cni.Daemon.Metrics;
using Cni.Daemon.Tests.EndToEnd;
using Cni.Node.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Cni.Daemon.Tests.Metrics;

/// <summary>
/// Pins /metrics as dashboards and alerts see it: every family's HELP and TYPE, in order, and every series' name and
/// label names (values vary), as they were when the figures were prometheus-net collectors in the daemon.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed partial class MetricsExpositionTests
{
    private static readonly string[] Families =
    [
        "# HELP wincni_cni_requests_total CNI requests handled, by command and CNI result code (0 = success).",
        "# TYPE wincni_cni_requests_total counter",
        "# HELP wincni_cni_request_duration_seconds Time to handle a CNI request inside the daemon, by command.",
        "# TYPE wincni_cni_request_duration_seconds histogram",
        "# HELP wincni_hcn_calls_total HCN operations, by operation and outcome (ok or the HRESULT).",
        "# TYPE wincni_hcn_calls_total counter",
        "# HELP wincni_hcn_call_duration_seconds Latency of HCN operations, by operation.",
        "# TYPE wincni_hcn_call_duration_seconds histogram",
        "# HELP wincni_ipam_addresses Pod addresses per pool and state (assignable, leased, quarantined, reserved).",
        "# TYPE wincni_ipam_addresses gauge",
        "# HELP wincni_ipam_quarantine_reclaimed_total Quarantined addresses leased before their quarantine ended because the pool had no other free address.",
        "# TYPE wincni_ipam_quarantine_reclaimed_total counter",
        "# HELP wincni_ready 1 when the node network exists and IPAM is loaded.",
        "# TYPE wincni_ready gauge",
        "# HELP wincni_peer_routes Routes to other nodes' pod CIDRs this node wants (and has, after a successful pass).",
        "# TYPE wincni_peer_routes gauge",
        "# HELP wincni_peers_skipped Other Nodes without a usable route (missing or malformed annotations, mismatched backend or VNI, overlapping CIDRs).",
        "# TYPE wincni_peers_skipped gauge",
        "# HELP wincni_peer_reconciles_total Peer-route passes, by result (unchanged, changed, not_ready, failed).",
        "# TYPE wincni_peer_reconciles_total counter",
        "# HELP wincni_kubernetes_last_contact_timestamp_seconds When the Node cache last heard from the API server (Unix time).",
        "# TYPE wincni_kubernetes_last_contact_timestamp_seconds gauge",
        "# HELP wincni_kernel_retired_links Kernel dataplane: veths of deleted endpoints that are down and waiting for their deletion in the background.",
        "# TYPE wincni_kernel_retired_links gauge",
        "# HELP wincni_kernel_link_reap_batches_total Kernel dataplane: group deletions of retired veths (each one kernel batch).",
        "# TYPE wincni_kernel_link_reap_batches_total counter",
        "# HELP wincni_kernel_attachments_repaired_total Kernel dataplane: pod attachments found not as recorded (interface, address, route or node side missing) and repaired.",
        "# TYPE wincni_kernel_attachments_repaired_total counter",
        "# HELP wincni_kernel_attachments_dropped_total Kernel dataplane: pod attachments dropped at start-up because the pod's network namespace was gone.",
        "# TYPE wincni_kernel_attachments_dropped_total counter",
        "# HELP wincni_kernel_stale_links_removed_total Kernel dataplane: wincni veth pairs no endpoint owned (left by a crash), deleted at start-up.",
        "# TYPE wincni_kernel_stale_links_removed_total counter",
    ];

    private static readonly string[] SeriesShapes =
    [
        "wincni_cni_requests_total{command,code}",
        "wincni_cni_request_duration_seconds_sum{command}",
        "wincni_cni_request_duration_seconds_count{command}",
        "wincni_cni_request_duration_seconds_bucket{command,le}",
        "wincni_hcn_calls_total{operation,outcome}",
        "wincni_hcn_call_duration_seconds_sum{operation}",
        "wincni_hcn_call_duration_seconds_count{operation}",
        "wincni_hcn_call_duration_seconds_bucket{operation,le}",
        "wincni_ipam_addresses{pool,state}",
        "wincni_ipam_quarantine_reclaimed_total{pool}",
        "wincni_ready",
        "wincni_peer_routes",
        "wincni_peers_skipped",
        "wincni_kubernetes_last_contact_timestamp_seconds",
        "wincni_kernel_retired_links",
        "wincni_kernel_link_reap_batches_total",
        "wincni_kernel_attachments_repaired_total",
        "wincni_kernel_attachments_dropped_total",
        "wincni_kernel_stale_links_removed_total",
    ];

    private static readonly string[] AddBuckets =
    [
        "0.0005", "0.001", "0.002", "0.004", "0.008", "0.016", "0.032", "0.064", "0.128", "0.256", "0.512", "1.024", "2.048", "4.096", "8.192", "16.384", "+Inf",
    ];

    [Test]
    public async Task Metrics_AfterAnAdd_FamiliesLabelsTypesHelpAndBucketsAsPinned()
    {
        using var sandbox = new Sandbox();
        await using var daemon = await InProcessDaemon.StartAsync(sandbox);
        Assert.That((await new Wincni(sandbox).AddAsync("pin")).ExitCode, Is.Zero);

        var (contentType, text) = await ScrapeAsync(sandbox);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Multiple(() =>
        {
            Assert.That(contentType, Is.EqualTo("text/plain; version=0.0.4; charset=utf-8"));
            Assert.That(lines.Where(l => l.StartsWith('#')), Is.EqualTo(Families));
            Assert.That(lines.Where(l => !l.StartsWith('#')).Select(Shape).Distinct(), Is.EquivalentTo(SeriesShapes));
            Assert.That(
                lines.Where(l => l.StartsWith("wincni_cni_request_duration_seconds_bucket{command=\"ADD\"", StringComparison.Ordinal)).Select(l => LeLabel().Match(l).Groups[1].Value),
                Is.EqualTo(AddBuckets));
            Assert.That(lines, Does.Contain("wincni_peer_routes 0"));
            Assert.That(lines, Does.Contain("wincni_kernel_link_reap_batches_total 0"));
        });
    }

    [Test]
    public async Task Metrics_TwoDaemonsInOneProcess_EachCountsOnlyItsOwnCalls()
    {
        using var sandboxA = new Sandbox();
        using var sandboxB = new Sandbox();
        await using var a = await InProcessDaemon.StartAsync(sandboxA);
        await using var b = await InProcessDaemon.StartAsync(sandboxB);
        Assert.That((await new Wincni(sandboxA).AddAsync("only-a")).ExitCode, Is.Zero);

        var (_, textA) = await ScrapeAsync(sandboxA);
        var (_, textB) = await ScrapeAsync(sandboxB);

        Assert.Multiple(() =>
        {
            Assert.That(textA, Does.Contain("wincni_cni_requests_total{command=\"ADD\",code=\"0\"} 1\n"));
            Assert.That(textA, Does.Contain("wincni_hcn_calls_total{operation=\"CreateNetwork\",outcome=\"ok\"} 1\n"));
            Assert.That(textB, Does.Not.Contain("wincni_cni_requests_total{"));
            Assert.That(textB, Does.Contain("wincni_hcn_calls_total{operation=\"CreateNetwork\",outcome=\"ok\"} 1\n"));
            Assert.That(CreatedEndpoints(textA), Is.EqualTo(CreatedEndpoints(textB) + 1), "the pod's endpoint, on A only");
        });
    }

    [Test]
    public async Task Metrics_EveryInstrumentOfTheHost_HasLabelsToBeExportedWith()
    {
        // The exporter exports only instruments MetricLabels lists; a new instrument must not vanish silently.
        using var sandbox = new Sandbox();
        await using var daemon = await InProcessDaemon.StartAsync(sandbox);
        Assert.That((await new Wincni(sandbox).AddAsync("listed")).ExitCode, Is.Zero);
        var meters = daemon.App.Services.GetRequiredService<IMeterFactory>();
        var names = new List<string>();
        using (var listener = new MeterListener())
        {
            listener.InstrumentPublished = (instrument, _) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, meters) && instrument.Meter.Name is NodeMeter.Name or DaemonMeter.Name)
                {
                    names.Add(instrument.Name);
                }
            };
            listener.Start();
        }

        Assert.That(names, Is.Not.Empty);
        Assert.That(names, Is.SubsetOf(MetricLabels.ByInstrument.Keys));
    }

    private static async Task<(string? ContentType, string Text)> ScrapeAsync(Sandbox sandbox)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var response = await http.GetAsync(sandbox.HealthUri("/metrics"));
        response.EnsureSuccessStatusCode();
        return (response.Content.Headers.ContentType?.ToString(), await response.Content.ReadAsStringAsync());
    }

    private static int CreatedEndpoints(string text) =>
        int.Parse(CreateEndpointCalls().Match(text).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>"name{a="1",b="2"} 3" → "name{a,b}"; "name 3" → "name".</summary>
    private static string Shape(string sample)
    {
        var match = SeriesLine().Match(sample);
        Assert.That(match.Success, Is.True, sample);
        var labels = match.Groups["labels"].Value;
        return labels.Length == 0
            ? match.Groups["name"].Value
            : match.Groups["name"].Value + "{" + string.Join(",", LabelName().Matches(labels).Select(m => m.Groups[1].Value)) + "}";
    }

    [GeneratedRegex("""^(?<name>[a-z_]+)(?:\{(?<labels>[^}]*)\})? \S+$""")]
    private static partial Regex SeriesLine();

    [GeneratedRegex("""([a-z_]+)="[^"]*",?""")]
    private static partial Regex LabelName();

    [GeneratedRegex("""wincni_hcn_calls_total\{operation="CreateEndpoint",outcome="ok"\} (\d+)""")]
    private static partial Regex CreateEndpointCalls();

    [GeneratedRegex("""le="([^"]+)""")]
    private static partial Regex LeLabel();
}
