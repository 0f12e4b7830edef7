using Cni.StandInApiServer.Controllers;
using Cni.StandInApiServer.Storage;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;

namespace Cni.StandInApiServer.Tests.Controllers;

/// <summary>A store on a fake clock with an <see cref="EndpointSliceWriter"/> running on it, and the objects a kubelet
/// and a user would create.</summary>
internal sealed class WriterFixture : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 0, 500, TimeSpan.Zero);

    private WriterFixture(int maxEndpointsPerSlice)
    {
        Store = new ObjectStore(new StandInApiServerOptions { TimeProvider = Time });
        Writer = new EndpointSliceWriter(Store, new EndpointSliceWriterOptions { TimeProvider = Time, MaxEndpointsPerSlice = maxEndpointsPerSlice });
    }

    public FakeTimeProvider Time { get; } = new(Start);

    public ObjectStore Store { get; }

    public EndpointSliceWriter Writer { get; private set; }

    public static WriterFixture Started(int maxEndpointsPerSlice = 100)
    {
        var fixture = new WriterFixture(maxEndpointsPerSlice);
        fixture.Writer.Start();
        return fixture;
    }

    /// <summary>Replaces the writer by a new one on the same store (a controller manager restart).</summary>
    public async Task RestartWriterAsync()
    {
        await Writer.DisposeAsync();
        Writer = new EndpointSliceWriter(Store, new EndpointSliceWriterOptions { TimeProvider = Time });
        Writer.Start();
    }

    public V1Node Node(string name, string? zone = null)
    {
        var labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = name };
        if (zone is not null) labels[PodEndpoints.ZoneLabel] = zone;
        return Store.Create(new V1Node { Metadata = new V1ObjectMeta { Name = name, Labels = labels } });
    }

    public V1Service Service(string name, Dictionary<string, string>? selector, params V1ServicePort[] ports) =>
        Store.Create(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1ServiceSpec { Selector = selector, Ports = ports.Length > 0 ? ports : [new V1ServicePort { Name = "http", Port = 80, TargetPort = 8080 }] },
        });

    /// <summary>A pod scheduled on <paramref name="node"/> (kubectl apply'd), then, with <paramref name="ip"/>, running
    /// as its kubelet reports it.</summary>
    public V1Pod Pod(string name, string node, Dictionary<string, string> labels, string? ip, bool ready = true, params V1ContainerPort[] ports)
    {
        var pod = Store.Create(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = labels },
            Spec = new V1PodSpec { NodeName = node, Containers = [new V1Container { Name = "main", Image = "busybox:1.36", Ports = ports }] },
        });
        if (ip is null) return pod;
        pod.Status.Phase = "Running";
        pod.Status.PodIP = ip.Split(',')[0];
        pod.Status.PodIPs = ip.Split(',').Select(a => new V1PodIP { Ip = a }).ToList();
        pod.Status.Conditions = [new V1PodCondition { Type = "Ready", Status = ready ? "True" : "False" }];
        return Store.Update(pod, status: true);
    }

    public V1Pod SetReady(string pod, bool ready)
    {
        var current = Store.Get<V1Pod>(pod, "default")!;
        current.Status.Conditions = [new V1PodCondition { Type = "Ready", Status = ready ? "True" : "False" }];
        return Store.Update(current, status: true);
    }

    /// <summary>The writer's slices of <paramref name="service"/>, by name.</summary>
    public List<V1EndpointSlice> Slices(string service) =>
        Store.List<V1EndpointSlice>("default")
            .Where(s => s.Metadata.Labels is { } labels && labels.TryGetValue(EndpointSlicePlanner.ServiceNameLabel, out var name) && name == service)
            .OrderBy(s => s.Metadata.Name, StringComparer.Ordinal)
            .ToList();

    /// <summary>Waits until the slices of <paramref name="service"/> satisfy <paramref name="condition"/>.</summary>
    public async Task<List<V1EndpointSlice>> SlicesWhenAsync(string service, Func<List<V1EndpointSlice>, bool> condition)
    {
        var deadline = DateTime.UtcNow + ServerHarness.Patience;
        while (true)
        {
            var slices = Slices(service);
            if (condition(slices)) return slices;
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"the slices of {service} never got there; last: {string.Join("\n", slices.Select(s => k8s.KubernetesJson.Serialize(s)))}");
            }

            await Task.Delay(10);
        }
    }

    /// <summary>Addresses over all slices of <paramref name="service"/>.</summary>
    public static List<string> Addresses(List<V1EndpointSlice> slices) =>
        slices.SelectMany(s => s.Endpoints ?? []).SelectMany(e => e.Addresses).Order(StringComparer.Ordinal).ToList();

    public async ValueTask DisposeAsync() => await Writer.DisposeAsync();
}
