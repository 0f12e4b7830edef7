using System.Net;
using System.Net.NetworkInformation;
using System.Text.Json;
using Cni.Node.Kubernetes;
using Cni.Node.Kubernetes.Flannel;
using Cni.Node.Kubernetes.Nodes;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static Cni.Node.Tests.Kubernetes.KubernetesTestObjects;

namespace Cni.Node.Tests.Kubernetes.Nodes;

public sealed class NodeAnnotationPublisherTests
{
    private const string P = FlannelAnnotations.DefaultPrefix;
    private static readonly LocalBackend Vxlan = new(FlannelBackendType.Vxlan, 4096, PhysicalAddress.Parse("0E-2A-C0-00-02-0A"));

    private static Func<HttpContext, RecordedRequest, FakeApiServer, Task> Serve(V1Node node, int patchFailures = 0)
    {
        var failures = patchFailures;
        return async (context, request, server) =>
        {
            if (request.Method == "GET" && request.Path == "/api/v1/nodes/n1")
            {
                await FakeApiServer.JsonAsync(context, KubernetesJson.Serialize(node));
            }
            else if (request.Method == "PATCH" && request.Path == "/api/v1/nodes/n1/status")
            {
                if (Interlocked.Decrement(ref failures) >= 0)
                {
                    await FakeApiServer.StatusAsync(context, 500, "etcdserver: request timed out");
                    return;
                }

                await FakeApiServer.JsonAsync(context, KubernetesJson.Serialize(node));
            }
            else
            {
                await FakeApiServer.StatusAsync(context, 404, "not scripted");
            }
        };
    }

    private static NodeAnnotationPublisher Publisher(FakeApiServer server, IKubernetes client, TimeProvider time, int maxAttempts = 7) =>
        new(client, "n1", new FlannelAnnotations(), new NodeAnnotationPublisherOptions { MaxAttempts = maxAttempts }, time, NullLogger.Instance);

    [Test]
    public async Task PublishAsync_FreshNode_PatchesStatusWithStrategicMergeAnnotationsAndCondition()
    {
        await using var server = await FakeApiServer.StartAsync(Serve(NodeObject("n1", "1", "10.244.1.0/24")));
        using var client = server.CreateClient();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));

        var result = await Publisher(server, client, time).PublishAsync(Vxlan, IPAddress.Parse("192.0.2.10"), CancellationToken.None);

        var patch = server.Requests.Single(r => r.Method == "PATCH");
        Assert.That(result, Is.EqualTo(new AnnotationPublishResult(true, true, 1, null, time.GetUtcNow())));
        Assert.That(patch.Path, Is.EqualTo("/api/v1/nodes/n1/status"));
        Assert.That(patch.ContentType, Does.StartWith("application/strategic-merge-patch+json"));
        using var body = JsonDocument.Parse(patch.Body);
        var annotations = body.RootElement.GetProperty("metadata").GetProperty("annotations");
        Assert.That(annotations.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()), Is.EquivalentTo(new Dictionary<string, string?>
        {
            [$"{P}/backend-type"] = "vxlan",
            [$"{P}/backend-data"] = """{"VNI":4096,"VtepMAC":"0e:2a:c0:00:02:0a"}""",
            [$"{P}/public-ip"] = "192.0.2.10",
            [$"{P}/kube-subnet-manager"] = "true",
        }));
        var condition = body.RootElement.GetProperty("status").GetProperty("conditions")[0];
        Assert.That(condition.GetProperty("type").GetString(), Is.EqualTo("NetworkUnavailable"));
        Assert.That(condition.GetProperty("status").GetString(), Is.EqualTo("False"));
        Assert.That(condition.GetProperty("reason").GetString(), Is.EqualTo("WincniIsUp"));
        Assert.That(condition.GetProperty("lastTransitionTime").GetString(), Is.EqualTo("2026-01-02T03:04:05Z"));
    }

    [Test]
    public async Task PublishAsync_NodeAlreadyCurrent_NoPatch()
    {
        var codec = new FlannelAnnotations();
        var node = NodeObject("n1", "1", "10.244.1.0/24", new Dictionary<string, string>(codec.Compose(Vxlan, IPAddress.Parse("192.0.2.10"))) { ["other"] = "kept" });
        node.Status = new V1NodeStatus { Conditions = [new V1NodeCondition { Type = "NetworkUnavailable", Status = "False", Reason = "WincniIsUp" }] };
        await using var server = await FakeApiServer.StartAsync(Serve(node));
        using var client = server.CreateClient();
        var publisher = Publisher(server, client, new FakeTimeProvider());

        var result = await publisher.PublishAsync(Vxlan, IPAddress.Parse("192.0.2.10"), CancellationToken.None);

        Assert.That(server.Requests.Where(r => r.Method == "PATCH"), Is.Empty);
        Assert.That((result.Succeeded, result.Patched), Is.EqualTo((true, false)));
        Assert.That(publisher.LastResult, Is.EqualTo(result));
    }

    [Test]
    public async Task PublishAsync_OneAnnotationDiffers_PatchesOnlyThatOne()
    {
        var codec = new FlannelAnnotations();
        var annotations = new Dictionary<string, string>(codec.Compose(Vxlan, IPAddress.Parse("192.0.2.10")))
        {
            [$"{P}/public-ip-overwrite"] = "203.0.113.9",
        };
        var node = NodeObject("n1", "1", "10.244.1.0/24", annotations);
        node.Status = new V1NodeStatus { Conditions = [new V1NodeCondition { Type = "NetworkUnavailable", Status = "False", Reason = "WincniIsUp" }] };
        await using var server = await FakeApiServer.StartAsync(Serve(node));
        using var client = server.CreateClient();

        await Publisher(server, client, new FakeTimeProvider()).PublishAsync(Vxlan, IPAddress.Parse("192.0.2.10"), CancellationToken.None);

        var patch = server.Requests.Single(r => r.Method == "PATCH");
        Assert.That(patch.Body, Is.EqualTo("{\"metadata\":{\"annotations\":{\"" + P + "/public-ip\":\"203.0.113.9\"}}}"));
    }

    [Test]
    public async Task PublishAsync_ServerErrors_RetriesWithBackoffThenSucceeds()
    {
        await using var server = await FakeApiServer.StartAsync(Serve(NodeObject("n1", "1"), patchFailures: 2));
        using var client = server.CreateClient();
        var time = new FakeTimeProvider();
        var publish = Publisher(server, client, time).PublishAsync(Vxlan, IPAddress.Parse("192.0.2.10"), CancellationToken.None);

        await WaitUntilAsync(() => server.Requests.Count(r => r.Method == "PATCH") == 1, "first patch");
        await Task.Delay(200);
        Assert.That(server.Requests.Count(r => r.Method == "PATCH"), Is.EqualTo(1), "waits before retrying");
        while (!publish.IsCompleted)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(10);
        }

        var result = await publish;
        Assert.That((result.Succeeded, result.Patched, result.Attempts), Is.EqualTo((true, true, 3)));
    }

    [Test]
    public async Task PublishAsync_AlwaysFails_GivesUpWithError()
    {
        await using var server = await FakeApiServer.StartAsync(Serve(NodeObject("n1", "1"), patchFailures: 100));
        using var client = server.CreateClient();
        var time = new FakeTimeProvider();
        var publish = Publisher(server, client, time, maxAttempts: 2).PublishAsync(Vxlan, IPAddress.Parse("192.0.2.10"), CancellationToken.None);
        while (!publish.IsCompleted)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(10);
        }

        var result = await publish;

        Assert.That((result.Succeeded, result.Attempts), Is.EqualTo((false, 2)));
        Assert.That(result.Error, Does.Contain("500").And.Contain("etcdserver: request timed out"));
    }

    [Test]
    public async Task PublishAsync_VxlanWithoutMac_ThrowsWithoutCallingServer()
    {
        await using var server = await FakeApiServer.StartAsync(Serve(NodeObject("n1", "1")));
        using var client = server.CreateClient();

        Assert.That(
            () => Publisher(server, client, new FakeTimeProvider()).PublishAsync(new LocalBackend(FlannelBackendType.Vxlan, 4096, null), IPAddress.Loopback, CancellationToken.None),
            Throws.ArgumentException);
        Assert.That(server.Requests, Is.Empty);
    }
}
