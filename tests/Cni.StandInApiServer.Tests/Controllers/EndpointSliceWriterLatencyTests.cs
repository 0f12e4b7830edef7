using System.Diagnostics;
using Cni.StandInApiServer.Controllers;
using Cni.StandInApiServer.Storage;
using k8s.Models;

namespace Cni.StandInApiServer.Tests.Controllers;

/// <summary>How soon the writer reacts, on the real clock (a service proxy's latency tests build on it).</summary>
public sealed class EndpointSliceWriterLatencyTests
{
    [Test]
    public async Task ReadinessFlips_SliceFollowsWithinAbout100Milliseconds()
    {
        var store = new ObjectStore(new StandInApiServerOptions());
        await using var writer = new EndpointSliceWriter(store);
        writer.Start();
        var labels = new Dictionary<string, string> { ["app"] = "web" };
        store.Create(new V1Node { Metadata = new V1ObjectMeta { Name = "n1" } });
        store.Create(new V1Service { Metadata = new V1ObjectMeta { Name = "web" }, Spec = new V1ServiceSpec { Selector = labels, Ports = [new V1ServicePort { Port = 80 }] } });
        var pod = store.Create(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "web-1", Labels = labels },
            Spec = new V1PodSpec { NodeName = "n1", Containers = [new V1Container { Name = "main", Image = "busybox:1.36" }] },
        });
        pod.Status.PodIP = "10.244.1.5";
        pod.Status.Phase = "Running";

        var latencies = new List<TimeSpan>();
        for (var i = 0; i < 20; i++)
        {
            var ready = i % 2 == 0;
            pod.Status.Conditions = [new V1PodCondition { Type = "Ready", Status = ready ? "True" : "False" }];
            pod.Metadata.ResourceVersion = null;
            var clock = Stopwatch.StartNew();
            store.Update(pod, status: true);
            while (store.List<V1EndpointSlice>("default").SingleOrDefault()?.Endpoints?.SingleOrDefault()?.Conditions.Ready != ready)
            {
                Assert.That(clock.Elapsed, Is.LessThan(ServerHarness.Patience), "the slice never followed");
                await Task.Delay(1);
            }

            latencies.Add(clock.Elapsed);
        }

        var median = latencies.Order().ElementAt(latencies.Count / 2);
        Assert.That(median, Is.LessThan(TimeSpan.FromMilliseconds(100)), string.Join(", ", latencies.Select(l => l.TotalMilliseconds)));
    }
}
