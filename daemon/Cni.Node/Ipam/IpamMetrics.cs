using System.Diagnostics.Metrics;
using Cni.Node.Diagnostics;

namespace Cni.Node.Ipam;

/// <summary>Pool occupancy as a gauge read from the store at each scrape, so it is never stale.</summary>
public sealed class IpamMetrics
{
    private readonly IIpamStore _ipam;

    /// <summary>Creates the instrument on <paramref name="meters"/>' <see cref="NodeMeter"/>.</summary>
    public IpamMetrics(IIpamStore ipam, IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(ipam);
        ArgumentNullException.ThrowIfNull(meters);
        _ipam = ipam;
        var meter = meters.Create(NodeMeter.Name);
        meter.CreateObservableGauge(
            "wincni_ipam_addresses",
            Observe,
            description: "Pod addresses per pool and state (assignable, leased, quarantined, reserved).");
        meter.CreateObservableCounter(
            "wincni_ipam_quarantine_reclaimed_total",
            ObserveReclaimed,
            description: "Quarantined addresses leased before their quarantine ended because the pool had no other free address.");
    }

    private IEnumerable<Measurement<long>> ObserveReclaimed() =>
        _ipam.GetUsage().Select(pool => new Measurement<long>(pool.QuarantineReclaimed, new KeyValuePair<string, object?>("pool", pool.Cidr.ToString())));

    private IEnumerable<Measurement<double>> Observe()
    {
        foreach (var pool in _ipam.GetUsage())
        {
            var name = pool.Cidr.ToString();
            yield return Of((double)pool.Assignable, name, "assignable");
            yield return Of(pool.Leased, name, "leased");
            yield return Of(pool.Quarantined, name, "quarantined");
            yield return Of(pool.Reserved, name, "reserved");
        }
    }

    private static Measurement<double> Of(double value, string pool, string state) =>
        new(value, new KeyValuePair<string, object?>("pool", pool), new KeyValuePair<string, object?>("state", state));
}
