using Cni.Hcn.Errors;
using Cni.Hcn.Memory;
using Cni.Hcn.Model;
using Cni.Node.Dataplane;
using Cni.Node.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Cni.Node.Tests.Dataplane;

public sealed class MeteredHcnTests
{
    [Test]
    public async Task Calls_OkAndFailed_CountedByOperationAndOutcomeAndTimed()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        var inner = new MemoryHcn();
        var metered = new MeteredHcn(inner, meters);
        using var calls = new MetricCollector<long>(meters, NodeMeter.Name, "wincni_hcn_calls_total");
        using var durations = new MetricCollector<double>(meters, NodeMeter.Name, "wincni_hcn_call_duration_seconds");

        await metered.EnumerateNetworksAsync(HostComputeQuery.Default, CancellationToken.None);
        Assert.That(async () => await metered.GetEndpointAsync(Guid.NewGuid(), CancellationToken.None), Throws.InstanceOf<HcnException>());

        var counted = calls.GetMeasurementSnapshot().Select(m => $"{m.Tags["operation"]}/{m.Tags["outcome"]}={m.Value}");
        Assert.That(counted, Is.EqualTo(new[] { "EnumerateNetworks/ok=1", "GetEndpoint/0x80070490=1" }).IgnoreCase);
        Assert.That(durations.GetMeasurementSnapshot().Select(m => m.Tags["operation"]), Is.EqualTo(new[] { "EnumerateNetworks", "GetEndpoint" }));
        Assert.That(durations.GetMeasurementSnapshot().Select(m => m.Value), Is.All.GreaterThanOrEqualTo(0));
    }
}
