using System.Diagnostics.Metrics;
using Cni.Daemon.Metrics;
using Cni.Node.Diagnostics;
using Cni.Node.Services;
using Microsoft.Extensions.DependencyInjection;

namespace Cni.Daemon.Tests.Metrics;

/// <summary>
/// The service proxy's instruments are exported once the daemon makes them (the host test covers what it makes
/// today): each is listed in <see cref="MetricLabels"/> with the tag keys it records.
/// </summary>
[TestFixture]
public sealed class ServiceProxyMetricLabelsTests
{
    [Test]
    public void ServiceProxyMetrics_EveryInstrument_ListedWithItsLabels()
    {
        using var provider = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = provider.GetRequiredService<IMeterFactory>();
        var names = new List<string>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, meters) && instrument.Meter.Name == NodeMeter.Name)
                {
                    names.Add(instrument.Name);
                }
            },
        };
        listener.Start();

        _ = new ServiceProxyMetrics(meters);

        Assert.That(names, Has.Count.EqualTo(8));
        Assert.That(names, Is.SubsetOf(MetricLabels.ByInstrument.Keys));
        Assert.That(MetricLabels.ByInstrument["wincni_service_proxy_sync_duration_seconds"], Is.EqualTo(new[] { "kind" }));
        Assert.That(MetricLabels.ByInstrument["wincni_service_proxy_sync_hcn_operations"], Is.EqualTo(new[] { "type" }));
    }
}
