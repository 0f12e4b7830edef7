using System.Diagnostics.Metrics;
using System.Globalization;
using Cni.Node.Diagnostics;

namespace Cni.Daemon.Metrics;

/// <summary>CNI requests answered on the socket: a count by command and CNI result code, and a latency histogram by command.</summary>
public sealed class CniRequestMetrics
{
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;

    /// <summary>Creates the instruments on <paramref name="meters"/>' <see cref="DaemonMeter"/>.</summary>
    public CniRequestMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(DaemonMeter.Name);
        _requests = meter.CreateCounter<long>("wincni_cni_requests_total", description: "CNI requests handled, by command and CNI result code (0 = success).");
        _duration = meter.CreateHistogram("wincni_cni_request_duration_seconds", "s", "Time to handle a CNI request inside the daemon, by command.", advice: NodeMeter.LatencyBuckets);
    }

    /// <summary>Records one answered request.</summary>
    public void Record(string command, int code, TimeSpan elapsed)
    {
        _requests.Add(1, new KeyValuePair<string, object?>("command", command), new KeyValuePair<string, object?>("code", code.ToString(CultureInfo.InvariantCulture)));
        _duration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("command", command));
    }
}
