using System.Diagnostics;
using System.Diagnostics.Metrics;
using Cni.Hcn;
using Cni.Hcn.Errors;
using Cni.Node.Diagnostics;

namespace Cni.Node.Dataplane;

/// <summary>
/// An <see cref="IHcn"/> decorator that counts and times every HCN operation, so /metrics shows what each change
/// costs in HNS calls and how slow HNS is being. The composite operations (namespace attach, policy changes) are
/// the interface's default methods and reach the inner object through the measured Modify calls.
/// </summary>
public sealed class MeteredHcn : HcnDecorator
{
    private readonly Counter<long> _calls;
    private readonly Histogram<double> _duration;

    /// <summary>Wraps <paramref name="inner"/>, with its instruments on <paramref name="meters"/>' <see cref="NodeMeter"/>.</summary>
    public MeteredHcn(IHcn inner, IMeterFactory meters)
        : base(inner)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(NodeMeter.Name);
        _calls = meter.CreateCounter<long>("wincni_hcn_calls_total", description: "HCN operations, by operation and outcome (ok or the HRESULT).");
        _duration = meter.CreateHistogram("wincni_hcn_call_duration_seconds", "s", "Latency of HCN operations, by operation.", advice: NodeMeter.LatencyBuckets);
    }

    /// <inheritdoc/>
    protected override async Task<T> InvokeAsync<T>(string operation, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var outcome = "ok";
        try
        {
            return await call(cancellationToken).ConfigureAwait(false);
        }
        catch (HcnException e)
        {
            outcome = e.HexCode;
            throw;
        }
        catch (OperationCanceledException)
        {
            outcome = "canceled";
            throw;
        }
        finally
        {
            _calls.Add(1, new KeyValuePair<string, object?>("operation", operation), new KeyValuePair<string, object?>("outcome", outcome));
            _duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("operation", operation));
        }
    }
}
