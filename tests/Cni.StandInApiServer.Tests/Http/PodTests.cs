using System.Net;
using System.Text.Json.Nodes;

namespace Cni.StandInApiServer.Tests.Http;

/// <summary>core/v1 pods over HTTP: defaults, validation, status subresource, selectors, watch, graceful deletion.</summary>
public sealed class PodTests : ServerTests
{
    private const string Pods = "/api/v1/namespaces/default/pods";

    private static JsonObject Labels(string app) => new() { ["app"] = app };

    private static string[] Names(JsonObject list) => Objects.Names(list);

    [Test]
    public async Task CreatePod_Valid_DefaultsSpecAndStartsPendingWhateverStatusWasSent()
    {
        var body = Objects.Pod("web-1", "n1", Labels("web"), "http:8080");
        body["status"] = Objects.RunningStatus("10.244.1.5")["status"]!.DeepClone();
        var pod = await Harness.CreatePodAsync(body);
        var spec = pod["spec"]!;
        var container = spec["containers"]![0]!;
        Assert.That((string?)pod["kind"], Is.EqualTo("Pod"));
        Assert.That((string?)pod["metadata"]!["namespace"], Is.EqualTo("default"));
        Assert.That((string?)spec["restartPolicy"], Is.EqualTo("Always"));
        Assert.That((string?)spec["dnsPolicy"], Is.EqualTo("ClusterFirst"));
        Assert.That((int?)spec["terminationGracePeriodSeconds"], Is.EqualTo(30));
        Assert.That((string?)container["imagePullPolicy"], Is.EqualTo("IfNotPresent"));
        Assert.That((string?)container["ports"]![0]!["protocol"], Is.EqualTo("TCP"));
        Assert.That(pod["status"]!.ToJsonString(), Is.EqualTo("""{"phase":"Pending","qosClass":"BestEffort"}"""));
        Assert.That(pod["metadata"]!["generation"], Is.Null);
    }

    [Test]
    public async Task CreatePod_UntaggedImage_PullsAlways()
    {
        var body = Objects.Pod("web-1");
        body["spec"]!["containers"]![0]!["image"] = "registry.local:5000/busybox";
        var pod = await Harness.CreatePodAsync(body);
        Assert.That((string?)pod["spec"]!["containers"]![0]!["imagePullPolicy"], Is.EqualTo("Always"));
    }

    [Test]
    public async Task CreatePod_NoContainers_Returns422()
    {
        var body = Objects.Pod("web-1");
        body["spec"]!.AsObject().Remove("containers");
        var (code, status) = await Harness.PostAsync(Pods, body);
        Assert.That(code, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
        Assert.That((string?)status["message"], Is.EqualTo("Pod \"web-1\" is invalid: spec.containers: Required value"));
    }

    [Test]
    public async Task CreatePod_DuplicatePortName_Returns422NamingThePort()
    {
        var (code, status) = await Harness.PostAsync(Pods, Objects.Pod("web-1", ports: ["http:80", "http:8080"]));
        Assert.That(code, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
        Assert.That((string?)status["details"]!["causes"]![0]!["field"], Is.EqualTo("spec.containers[0].ports[1].name"));
    }

    [Test]
    public async Task ListPods_NamespacedAndAll_ListKindAndItems()
    {
        await Harness.PostAsync("/api/v1/namespaces", Objects.Namespace("other"));
        await Harness.CreatePodAsync(Objects.Pod("a"));
        await Harness.CreatePodAsync(Objects.Pod("b"), "other");
        var (_, inDefault) = await Harness.GetAsync(Pods);
        var (_, all) = await Harness.GetAsync("/api/v1/pods");
        Assert.That((string?)inDefault["kind"], Is.EqualTo("PodList"));
        Assert.That(Names(inDefault), Is.EqualTo(new[] { "a" }));
        Assert.That(Names(all), Is.EquivalentTo(new[] { "a", "b" }));
    }

    [Test]
    public async Task ListPods_FieldSelectorNodeNameAndPhase_SelectsWhatKubectlDescribeNodeAsks()
    {
        await Harness.CreatePodAsync(Objects.Pod("on-1", "n1"));
        await Harness.CreatePodAsync(Objects.Pod("on-2", "n2"));
        await Harness.CreatePodAsync(Objects.Pod("unscheduled"));
        var (code, list) = await Harness.GetAsync("/api/v1/pods?fieldSelector=spec.nodeName%3Dn1,status.phase!%3DFailed,status.phase!%3DSucceeded");
        var (_, unscheduled) = await Harness.GetAsync("/api/v1/pods?fieldSelector=spec.nodeName%3D");
        Assert.That(code, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(Names(list), Is.EqualTo(new[] { "on-1" }));
        Assert.That(Names(unscheduled), Is.EqualTo(new[] { "unscheduled" }));
    }

    [Test]
    public async Task ListPods_FieldSelectorHostNetworkFalse_MatchesPodsWithoutTheField()
    {
        await Harness.CreatePodAsync(Objects.Pod("a"));
        var (_, list) = await Harness.GetAsync("/api/v1/pods?fieldSelector=spec.hostNetwork%3Dfalse");
        Assert.That(Names(list), Is.EqualTo(new[] { "a" }));
    }

    [Test]
    public async Task ListPods_UnsupportedField_Returns400()
    {
        var (code, status) = await Harness.GetAsync("/api/v1/pods?fieldSelector=spec.priority%3D1");
        Assert.That(code, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((string?)status["message"], Is.EqualTo("field label not supported: spec.priority"));
    }

    [Test]
    public async Task WatchPods_FieldSelectorNodeName_SeesOnlyThatNodesPodsLikeAKubelet()
    {
        using var watch = await Harness.WatchAsync("/api/v1/pods?watch=true&fieldSelector=spec.nodeName%3Dn1");
        await Harness.CreatePodAsync(Objects.Pod("elsewhere", "n2"));
        await Harness.CreatePodAsync(Objects.Pod("mine", "n1"));
        var added = await watch.NextAsync();
        Assert.That((string?)added!["type"], Is.EqualTo("ADDED"));
        Assert.That((string?)added["object"]!["metadata"]!["name"], Is.EqualTo("mine"));
        Assert.That((string?)added["object"]!["kind"], Is.EqualTo("Pod"));
    }

    [Test]
    public async Task PutStatus_RunningWithIp_TakesStatusKeepsSpec()
    {
        var pod = await Harness.CreatePodAsync(Objects.Pod("web-1", "n1"));
        pod["status"] = Objects.RunningStatus("10.244.1.5")["status"]!.DeepClone();
        pod["spec"]!["nodeName"] = "n2";
        var (code, updated) = await Harness.PutAsync($"{Pods}/web-1/status", pod);
        Assert.That(code, Is.EqualTo(HttpStatusCode.OK), updated.ToJsonString());
        Assert.That((string?)updated["status"]!["podIP"], Is.EqualTo("10.244.1.5"));
        Assert.That((string?)updated["status"]!["phase"], Is.EqualTo("Running"));
        Assert.That((string?)updated["spec"]!["nodeName"], Is.EqualTo("n1"));
    }

    [Test]
    public async Task PatchStatus_StrategicMerge_MergesConditionsByType()
    {
        await Harness.CreatePodAsync(Objects.Pod("web-1", "n1"));
        await Harness.PatchAsync($"{Pods}/web-1/status", Objects.RunningStatus("10.244.1.5"), "application/strategic-merge-patch+json");
        var (code, patched) = await Harness.PatchAsync($"{Pods}/web-1/status",
            JsonNode.Parse("""{"status":{"conditions":[{"type":"PodScheduled","status":"True"},{"type":"Ready","status":"False"}]}}""")!,
            "application/strategic-merge-patch+json");
        Assert.That(code, Is.EqualTo(HttpStatusCode.OK), patched.ToJsonString());
        var conditions = patched["status"]!["conditions"]!.AsArray().Select(c => $"{c!["type"]}={c["status"]}");
        Assert.That(conditions, Is.EqualTo(new[] { "Ready=False", "PodScheduled=True" }));
    }

    [Test]
    public async Task UpdatePod_ChangedContainerPorts_Returns422Forbidden()
    {
        var pod = await Harness.CreatePodAsync(Objects.Pod("web-1", "n1", ports: "http:8080"));
        pod["spec"]!["containers"]![0]!["ports"]![0]!["containerPort"] = 9090;
        var (code, status) = await Harness.PutAsync($"{Pods}/web-1", pod);
        Assert.That(code, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
        Assert.That((string?)status["message"], Does.StartWith("Pod \"web-1\" is invalid: spec: Forbidden: pod updates may not change fields"));
    }

    [Test]
    public async Task UpdatePod_ImageAndLabels_Allowed()
    {
        var pod = await Harness.CreatePodAsync(Objects.Pod("web-1", "n1"));
        pod["spec"]!["containers"]![0]!["image"] = "busybox:1.37";
        pod["metadata"]!["labels"] = Labels("web");
        var (code, updated) = await Harness.PutAsync($"{Pods}/web-1", pod);
        Assert.That(code, Is.EqualTo(HttpStatusCode.OK), updated.ToJsonString());
        Assert.That((string?)updated["spec"]!["containers"]![0]!["image"], Is.EqualTo("busybox:1.37"));
        Assert.That((string?)updated["metadata"]!["labels"]!["app"], Is.EqualTo("web"));
    }

    [Test]
    public async Task DeletePod_NoGracePeriod_ReturnsThePodAndIsGone()
    {
        await Harness.CreatePodAsync(Objects.Pod("web-1", "n1"));
        var (code, deleted) = await Harness.SendAsync(HttpMethod.Delete, $"{Pods}/web-1");
        Assert.That(code, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((string?)deleted["kind"], Is.EqualTo("Pod"));
        Assert.That((await Harness.GetAsync($"{Pods}/web-1")).Code, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task DeletePod_UnscheduledWithGracePeriod_IsGoneAtOnce()
    {
        await Harness.CreatePodAsync(Objects.Pod("web-1"));
        await Harness.SendAsync(HttpMethod.Delete, $"{Pods}/web-1?gracePeriodSeconds=30");
        Assert.That((await Harness.GetAsync($"{Pods}/web-1")).Code, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task DeletePod_ForcedWhileTerminating_IsGoneAtOnce()
    {
        await Harness.CreatePodAsync(Objects.Pod("web-1", "n1"));
        await Harness.SendAsync(HttpMethod.Delete, $"{Pods}/web-1", JsonNode.Parse("""{"kind":"DeleteOptions","apiVersion":"v1","gracePeriodSeconds":600}"""));
        await Harness.SendAsync(HttpMethod.Delete, $"{Pods}/web-1?gracePeriodSeconds=0");
        Assert.That((await Harness.GetAsync($"{Pods}/web-1")).Code, Is.EqualTo(HttpStatusCode.NotFound));
    }
}
