using System.Diagnostics.Metrics;
using Prometheus;

namespace Cni.Daemon.Metrics;

/// <summary>One instrument's Prometheus family (see <see cref="PrometheusMeterExporter"/>) and how a measurement changes it.</summary>
internal abstract class MetricSink
{
    private readonly string[] _labels;

    private MetricSink(string[] labels) => _labels = labels;

    /// <summary>Creates the family for <paramref name="instrument"/>.</summary>
    public static MetricSink For(IMetricFactory factory, Instrument instrument, string[] labels)
    {
        var help = instrument.Description ?? "";
        return instrument switch
        {
            Counter<int> or Counter<long> or Counter<double> => new CounterSink(factory.CreateCounter(instrument.Name, help, labels), labels, runningTotal: false),
            ObservableCounter<int> or ObservableCounter<long> or ObservableCounter<double> => new CounterSink(factory.CreateCounter(instrument.Name, help, labels), labels, runningTotal: true),
            Histogram<double> histogram => new HistogramSink(
                factory.CreateHistogram(instrument.Name, help, new HistogramConfiguration { LabelNames = labels, Buckets = histogram.Advice?.HistogramBucketBoundaries?.ToArray() }),
                labels),
            _ => new GaugeSink(factory.CreateGauge(instrument.Name, help, labels), labels),
        };
    }

    /// <summary>Applies one measurement.</summary>
    public abstract void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags);

    /// <summary>The tag values in the family's label order ("" for a missing tag, as prometheus-net's adapter does).</summary>
    private string[] LabelValues(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (_labels.Length == 0)
        {
            return [];
        }

        var values = new string[_labels.Length];
        for (var i = 0; i < _labels.Length; i++)
        {
            values[i] = "";
            foreach (var tag in tags)
            {
                if (string.Equals(tag.Key, _labels[i], StringComparison.Ordinal))
                {
                    values[i] = tag.Value?.ToString() ?? "";
                    break;
                }
            }
        }

        return values;
    }

    private sealed class CounterSink(Counter counter, string[] labels, bool runningTotal) : MetricSink(labels)
    {
        // A Counter measurement is an increment; an ObservableCounter measurement is the running total.
        public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var child = counter.WithLabels(LabelValues(tags));
            if (runningTotal)
            {
                child.IncTo(value);
            }
            else
            {
                child.Inc(value);
            }
        }
    }

    private sealed class HistogramSink(Histogram histogram, string[] labels) : MetricSink(labels)
    {
        public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
            histogram.WithLabels(LabelValues(tags)).Observe(value);
    }

    private sealed class GaugeSink(Gauge gauge, string[] labels) : MetricSink(labels)
    {
        public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
            gauge.WithLabels(LabelValues(tags)).Set(value);
    }
}
