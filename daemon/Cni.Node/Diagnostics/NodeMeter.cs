using System.Diagnostics.Metrics;

namespace Cni.Node.Diagnostics;

/// <summary>
/// The meter of the node logic's instruments. Instruments are named as they appear on /metrics, so the exporter
/// passes the names through unchanged; meters come from the host's <see cref="IMeterFactory"/>, so each daemon in a
/// process exports only its own figures.
/// </summary>
public static class NodeMeter
{
    /// <summary>The meter's name.</summary>
    public const string Name = "Cni.Node";

    /// <summary>Latency buckets of the duration histograms: 0.5 ms … 16 s, doubling.</summary>
    public static readonly InstrumentAdvice<double> LatencyBuckets = new()
    {
        HistogramBucketBoundaries = [.. Enumerable.Range(0, 16).Select(k => 0.0005 * Math.Pow(2, k))],
    };
}
