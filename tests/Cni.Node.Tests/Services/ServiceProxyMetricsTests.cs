using System.Diagnostics.Metrics;
using System.Globalization;
using Cni.Node.Diagnostics;
using Cni.Node.Services;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using F = Cni.Node.Tests.Services.ServiceProxyControllerFixture;
using H = Cni.Node.Tests.Services.ServiceProxyHarness;

namespace Cni.Node.Tests.Services;

[TestFixture]
public sealed class ServiceProxyMetricsTests
{
    private static V1Service Web() => ServiceBuilder.ClusterIp().Port("http", 80, 8080).Build();

    private static V1EndpointSlice WebSlice(string pod, DateTimeOffset? triggered = null)
    {
        var slice = SliceBuilder.V4().Port("http", 8080).Endpoint(pod, NodeFactsBuilder.Self).Build();
        if (triggered is { } time)
        {
            slice.Metadata.Annotations = new Dictionary<string, string>
            {
                [ServiceProxyController.LastChangeTriggerTimeAnnotation] = time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
            };
        }

        return slice;
    }

    [Test]
    public async Task ExecuteAsync_PassesAndChanges_RecordedInKubeProxyTerms()
    {
        using var provider = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = provider.GetRequiredService<IMeterFactory>();
        using var recorded = new Recorded(meters);
        var api = ServiceBuilder.ClusterIp().Named("api", "10.96.0.20").Port("http", 80, 8080).Build();
        await using var f = await F.StartAsync([Web(), api], [WebSlice(H.LocalPodA)], metrics: new ServiceProxyMetrics(meters));
        await f.WaitForPassesAsync(1);

        // The slice changed 2 s (fake time) before the pass that programs it finishes.
        f.Slices.Apply(WebSlice(H.LocalPodB, f.Harness.Time.GetUtcNow()));
        f.Advance(TimeSpan.FromSeconds(2));
        await f.WaitForPassesAsync(2);

        Assert.That(recorded.Values("wincni_service_proxy_network_programming_duration_seconds"), Is.EqualTo(new[] { 2.0 }));
        Assert.That(recorded.Tagged("wincni_service_proxy_sync_duration_seconds", "kind"), Is.EqualTo(new[] { "full", "incremental" }));
        Assert.That(recorded.Tagged("wincni_service_proxy_sync_hcn_operations", "type"), Is.EqualTo(new[] { "read", "write", "read", "write" }));
        Assert.That(recorded.Values("wincni_service_proxy_sync_hcn_operations"), Is.EqualTo(new[] { 3.0, 3, 0, 1 }), "first: version + 2 listings, 1 load balancer and 2 ClusterIP endpoints created; then 1 modify");
        Assert.That(recorded.Values("wincni_service_proxy_endpoint_changes_total"), Is.EqualTo(new[] { 1.0 }));
        Assert.That(recorded.Values("wincni_service_proxy_service_changes_total"), Is.Empty);
        Assert.That(recorded.Values("wincni_service_proxy_services_without_endpoints"), Is.EqualTo(new[] { 1.0, 1 }), "api has no slice");
        Assert.That(recorded.Values("wincni_service_proxy_objects_failing"), Is.EqualTo(new[] { 0.0, 0 }));
        Assert.That(recorded.Values("wincni_service_proxy_last_sync_timestamp_seconds").Last(), Is.EqualTo(f.Harness.Time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0));
    }

    [Test]
    public async Task ExecuteAsync_TriggerTimeBeforeStart_NotRecorded()
    {
        using var provider = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = provider.GetRequiredService<IMeterFactory>();
        using var recorded = new Recorded(meters);
        var old = DateTimeOffset.Parse("2025-01-01T00:00:00Z", CultureInfo.InvariantCulture);

        await using var f = await F.StartAsync([Web()], [WebSlice(H.LocalPodA, old)], metrics: new ServiceProxyMetrics(meters));
        await f.WaitForPassesAsync(1);

        Assert.That(recorded.Values("wincni_service_proxy_network_programming_duration_seconds"), Is.Empty);
        Assert.That(recorded.Values("wincni_service_proxy_sync_duration_seconds"), Has.Count.EqualTo(1));
    }

    /// <summary>Every measurement of the Node meter's service-proxy instruments of one meter factory, through a MeterListener.</summary>
    private sealed class Recorded : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly List<(string Name, double Value, Dictionary<string, object?> Tags)> _measurements = [];
        private readonly Lock _lock = new();

        public Recorded(IMeterFactory meters)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, meters) && instrument.Meter.Name == NodeMeter.Name && instrument.Name.StartsWith("wincni_service_proxy_", StringComparison.Ordinal))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<int>((i, v, t, _) => Add(i, v, t));
            _listener.SetMeasurementEventCallback<long>((i, v, t, _) => Add(i, v, t));
            _listener.SetMeasurementEventCallback<double>((i, v, t, _) => Add(i, v, t));
            _listener.Start();
        }

        public List<double> Values(string name)
        {
            lock (_lock)
            {
                return [.. _measurements.Where(m => m.Name == name).Select(m => m.Value)];
            }
        }

        public List<string?> Tagged(string name, string tag)
        {
            lock (_lock)
            {
                return [.. _measurements.Where(m => m.Name == name).Select(m => m.Tags.GetValueOrDefault(tag)?.ToString())];
            }
        }

        public void Dispose() => _listener.Dispose();

        private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var tag in tags)
            {
                copy[tag.Key] = tag.Value;
            }

            lock (_lock)
            {
                _measurements.Add((instrument.Name, value, copy));
            }
        }
    }
}
