using System.Diagnostics.Metrics;
using Prometheus;

namespace Cni.Daemon.Metrics;

/// <summary>
/// Exports this host's <see cref="System.Diagnostics.Metrics"/> instruments as Prometheus text with prometheus-net.
/// prometheus-net's own MeterAdapter is not used: it exports counters as gauges, prefixes the meter name, appends the
/// instrument type to HELP, adds a metric of its own and drops series after 5 idle minutes, all of which would change
/// /metrics. Here an instrument's name is the family name, its description the HELP, its kind the TYPE (Counter and
/// ObservableCounter → counter, Histogram → histogram with the instrument's advised buckets, gauges → gauge), its tags
/// the labels (<see cref="MetricLabels"/>).
/// </summary>
/// <remarks>
/// Only meters made by the given <see cref="IMeterFactory"/> (the host's) are listened to, so several daemons in one
/// process (tests) never count each other's calls.
/// </remarks>
public sealed class PrometheusMeterExporter : IDisposable
{
    private readonly CollectorRegistry _registry = Prometheus.Metrics.NewCustomRegistry();
    private readonly MeterListener _listener = new();

    /// <summary>Starts listening to the instruments of <paramref name="meters"/>' meters.</summary>
    public PrometheusMeterExporter(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var factory = Prometheus.Metrics.WithCustomRegistry(_registry);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meters) && MetricLabels.ByInstrument.TryGetValue(instrument.Name, out var labels))
            {
                listener.EnableMeasurementEvents(instrument, MetricSink.For(factory, instrument, labels));
            }
        };
        _listener.SetMeasurementEventCallback<int>((_, value, tags, state) => ((MetricSink)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<long>((_, value, tags, state) => ((MetricSink)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>((_, value, tags, state) => ((MetricSink)state!).Record(value, tags));
        _listener.Start();
    }

    /// <summary>Reads the observable instruments, then writes every family in the Prometheus text format.</summary>
    public async Task ExportAsync(Stream destination, CancellationToken cancellationToken)
    {
        _listener.RecordObservableInstruments();
        await _registry.CollectAndExportAsTextAsync(destination, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public void Dispose() => _listener.Dispose();
}
