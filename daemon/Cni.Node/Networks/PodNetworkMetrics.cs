using System.Diagnostics.Metrics;
using Cni.Node.Diagnostics;

namespace Cni.Node.Networks;

/// <summary>Readiness as a gauge read from the node network at each scrape, so it is never stale.</summary>
public sealed class PodNetworkMetrics
{
    /// <summary>Creates the instrument on <paramref name="meters"/>' <see cref="NodeMeter"/>.</summary>
    public PodNetworkMetrics(PodNetwork network, IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(meters);
        meters.Create(NodeMeter.Name).CreateObservableGauge(
            "wincni_ready",
            () => network.IsReady ? 1 : 0,
            description: "1 when the node network exists and IPAM is loaded.");
    }
}
