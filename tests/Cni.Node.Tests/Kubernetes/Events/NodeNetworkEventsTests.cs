using System.Text.Json;
using Cni.Node.Kubernetes.Events;
using Cni.Node.Networks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Cni.Node.Tests.Kubernetes.Events;

/// <summary>Node network problems through the real Event recorder: the Event objects posted, and how often.</summary>
public sealed class NodeNetworkEventsTests
{
    [Test]
    [CancelAfter(30_000)]
    public async Task Observe_ConflictRepeatedThenReady_OneWarningOnTheNodeThenOneNormal(CancellationToken cancellationToken)
    {
        await using var api = await FakeApiServer.StartAsync((context, _, _) => FakeApiServer.JsonAsync(context, "{}", 201));
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-06T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        using var recorder = new KubernetesEventRecorder(api.CreateClient(), "node-a", new EventRecorderOptions(), time, NullLogger<KubernetesEventRecorder>.Instance);
        await recorder.StartAsync(cancellationToken);
        var tracker = new NodeNetworkProblemTracker(new NodeNetworkEvents(recorder), TimeSpan.FromSeconds(30), time);
        const string Note = "HCN network 'cbr0' differs from the config: vxlan.vni: config wants 4200, network has 4096. Fix: restore the previous value of vxlan.vni";

        for (var i = 0; i < 5; i++)
        {
            tracker.Observe(NodeNetworkProblem.NetworkConflict, Note);
            time.Advance(TimeSpan.FromSeconds(30));
        }

        tracker.Observe(NodeNetworkProblem.None, null);

        while (api.Requests.Count < 2) await Task.Delay(20, cancellationToken);
        await Task.Delay(200, cancellationToken);
        await recorder.StopAsync(cancellationToken);
        var posts = api.Requests.Select(r => (r.Path, Body: JsonDocument.Parse(r.Body).RootElement)).ToList();
        Assert.That(posts, Has.Count.EqualTo(2), "five passes within the recorder's 5 minutes: one Warning");
        Assert.That(posts.Select(p => p.Path), Has.All.EqualTo("/apis/events.k8s.io/v1/namespaces/default/events"));
        var warning = posts[0].Body;
        Assert.That(warning.GetProperty("type").GetString(), Is.EqualTo("Warning"));
        Assert.That(warning.GetProperty("reason").GetString(), Is.EqualTo("NodeNetworkConflict"));
        Assert.That(warning.GetProperty("action").GetString(), Is.EqualTo("EnsureNodeNetwork"));
        Assert.That(warning.GetProperty("note").GetString(), Does.Contain(Note));
        Assert.That(warning.GetProperty("reportingController").GetString(), Is.EqualTo("wincni.io/wincnid"));
        Assert.That(warning.GetProperty("regarding").GetProperty("kind").GetString(), Is.EqualTo("Node"));
        Assert.That(warning.GetProperty("regarding").GetProperty("name").GetString(), Is.EqualTo("node-a"));
        var normal = posts[1].Body;
        Assert.That(normal.GetProperty("type").GetString(), Is.EqualTo("Normal"));
        Assert.That(normal.GetProperty("reason").GetString(), Is.EqualTo("NodeNetworkReady"));
        Assert.That(normal.GetProperty("note").GetString(), Does.Contain("150 s").And.Contain("NodeNetworkConflict"));
    }

    [TestCase(NodeNetworkProblem.PodCidrMissing, "PodCidrMissing")]
    [TestCase(NodeNetworkProblem.NetworkConflict, "NodeNetworkConflict")]
    [TestCase(NodeNetworkProblem.HcnError, "NodeNetworkHcnError")]
    [TestCase(NodeNetworkProblem.HostSetupFailed, "HostSetupFailed")]
    [TestCase(NodeNetworkProblem.AdapterMissing, "AdapterMissing")]
    [TestCase(NodeNetworkProblem.IpamJournalFailed, "IpamJournalFailed")]
    public void ReasonOf_EachProblem_UpperCamelCaseReason(NodeNetworkProblem problem, string reason) =>
        Assert.That(NodeNetworkEvents.ReasonOf(problem), Is.EqualTo(reason));

    [Test]
    public void ReasonOf_EveryProblem_DistinctReason()
    {
        var problems = Enum.GetValues<NodeNetworkProblem>().Where(p => p is not (NodeNetworkProblem.None or NodeNetworkProblem.Starting)).ToList();

        Assert.That(problems.Select(NodeNetworkEvents.ReasonOf).Distinct().Count(), Is.EqualTo(problems.Count));
        Assert.That(problems.Select(NodeNetworkEvents.ReasonOf), Has.None.EqualTo("NodeNetworkNotReady"));
    }
}
