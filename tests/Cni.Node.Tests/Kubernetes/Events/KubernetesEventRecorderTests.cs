using System.Text.Json;
using Cni.Node.Kubernetes.Events;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Cni.Node.Tests.Kubernetes.Events;

/// <summary>The Event recorder against a scripted API server: what it posts, and how it holds back repeats.</summary>
public sealed class KubernetesEventRecorderTests
{
    [Test]
    [CancelAfter(30_000)]
    public async Task Record_RepeatsWithinInterval_OnePostThenNextAfterIntervalCountsThem(CancellationToken cancellationToken)
    {
        await using var api = await FakeApiServer.StartAsync((context, _, _) => FakeApiServer.JsonAsync(context, "{}", 201));
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-06T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        using var recorder = new KubernetesEventRecorder(api.CreateClient(), "node-a", new EventRecorderOptions { MinInterval = TimeSpan.FromMinutes(5) }, time, NullLogger<KubernetesEventRecorder>.Instance);
        await recorder.StartAsync(cancellationToken);
        var failure = new NodeEvent("Pod", "web", "web-0", "HcnError", "AddPodNetwork", "HCN_E_INVALID_ENDPOINT. Likely cause: x Fix: y");

        Assert.That(recorder.Record(failure), Is.True);
        Assert.That(recorder.Record(failure), Is.False, "same pod and reason within 5 minutes");
        Assert.That(recorder.Record(failure), Is.False);
        Assert.That(recorder.Record(failure with { Reason = "PodCidrExhausted" }), Is.True, "another reason is another Event");
        time.Advance(TimeSpan.FromMinutes(5));
        Assert.That(recorder.Record(failure), Is.True);

        while (api.Requests.Count < 3) await Task.Delay(20, cancellationToken);
        await recorder.StopAsync(cancellationToken);
        var posts = api.Requests.Select(r => (r.Method, r.Path, Body: JsonDocument.Parse(r.Body).RootElement)).ToList();
        Assert.That(posts.Select(p => (p.Method, p.Path)), Has.All.EqualTo(("POST", "/apis/events.k8s.io/v1/namespaces/web/events")));
        Assert.That(posts[0].Body.GetProperty("regarding").GetProperty("kind").GetString(), Is.EqualTo("Pod"));
        Assert.That(posts[0].Body.GetProperty("reportingController").GetString(), Is.EqualTo("wincni.io/wincnid"));
        Assert.That(posts[0].Body.GetProperty("reportingInstance").GetString(), Is.EqualTo("wincni.io/wincnid-node-a"));
        Assert.That(posts[0].Body.GetProperty("type").GetString(), Is.EqualTo("Warning"));
        Assert.That(posts[0].Body.GetProperty("note").GetString(), Is.EqualTo(failure.Note));
        Assert.That(posts[2].Body.GetProperty("note").GetString(), Is.EqualTo(failure.Note + " (2 more since the last Event)"));
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task Record_NodeEventWithLongNote_DefaultNamespaceAndNoteCutTo1KiB(CancellationToken cancellationToken)
    {
        await using var api = await FakeApiServer.StartAsync((context, _, _) => FakeApiServer.JsonAsync(context, "{}", 201));
        using var recorder = new KubernetesEventRecorder(api.CreateClient(), "node-a", new EventRecorderOptions(), TimeProvider.System, NullLogger<KubernetesEventRecorder>.Instance);
        await recorder.StartAsync(cancellationToken);

        recorder.Record(new NodeEvent("Node", null, "node-a", "IpamJournalFailed", "AddPodNetwork", new string('x', 5000)));

        while (api.Requests.Count < 1) await Task.Delay(20, cancellationToken);
        await recorder.StopAsync(cancellationToken);
        var post = api.Requests.Single();
        Assert.That(post.Path, Is.EqualTo("/apis/events.k8s.io/v1/namespaces/default/events"));
        using var body = JsonDocument.Parse(post.Body);
        Assert.That(body.RootElement.GetProperty("note").GetString()!.Length, Is.EqualTo(1024));
        Assert.That(body.RootElement.GetProperty("regarding").GetProperty("name").GetString(), Is.EqualTo("node-a"));
    }
}
