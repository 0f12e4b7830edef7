using System.Net;
using System.Text.Json.Nodes;

namespace Cni.StandInApiServer.Tests.Http;

public sealed class PatchTests
{
    private const string Merge = "application/merge-patch+json";
    private const string Json = "application/json-patch+json";
    private const string Strategic = "application/strategic-merge-patch+json";
    private ServerHarness _h = null!;

    [SetUp]
    public async Task SetUp()
    {
        _h = await ServerHarness.StartAsync();
        await _h.CreateNodeAsync("n1", new JsonObject { ["keep"] = "1", ["drop"] = "1" });
    }

    [TearDown]
    public async Task TearDown() => await _h.DisposeAsync();

    [Test]
    public async Task MergePatch_Labels_MergesAndNullDeletes()
    {
        var (code, node) = await _h.PatchAsync("/api/v1/nodes/n1",
            JsonNode.Parse("""{"metadata":{"labels":{"new":"2","drop":null}}}""")!, Merge);
        Assert.That(code, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(node["metadata"]!["labels"]!.ToJsonString(), Is.EqualTo("""{"keep":"1","new":"2"}"""));
    }

    [Test]
    public async Task JsonPatch_AddReplaceRemove_Applies()
    {
        var (code, node) = await _h.PatchAsync("/api/v1/nodes/n1", JsonNode.Parse("""
            [{"op":"add","path":"/metadata/labels/a~1b","value":"x"},
             {"op":"replace","path":"/spec/podCIDR","value":"10.244.9.0/24"},
             {"op":"remove","path":"/metadata/labels/drop"}]
            """)!, Json);
        Assert.That(code, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((string?)node["metadata"]!["labels"]!["a/b"], Is.EqualTo("x"));
        Assert.That((string?)node["spec"]!["podCIDR"], Is.EqualTo("10.244.9.0/24"));
        Assert.That(node["metadata"]!["labels"]!["drop"], Is.Null);
    }

    [Test]
    public async Task JsonPatch_FailedTest_Returns422AndChangesNothing()
    {
        var before = _h.Server.Store.ResourceVersion;
        var (code, status) = await _h.PatchAsync("/api/v1/nodes/n1",
            JsonNode.Parse("""[{"op":"test","path":"/spec/podCIDR","value":"nope"},{"op":"remove","path":"/spec"}]""")!, Json);
        Assert.That(code, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
        Assert.That((string?)status["kind"], Is.EqualTo("Status"));
        Assert.That(_h.Server.Store.ResourceVersion, Is.EqualTo(before));
    }

    [Test]
    public async Task JsonPatch_MissingPath_Returns422()
    {
        var (code, _) = await _h.PatchAsync("/api/v1/nodes/n1", JsonNode.Parse("""[{"op":"remove","path":"/spec/nothing"}]""")!, Json);
        Assert.That(code, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
    }

    [Test]
    public async Task StrategicPatchStatus_Conditions_MergeByType()
    {
        await _h.PatchAsync("/api/v1/nodes/n1/status", JsonNode.Parse("""
            {"status":{"conditions":[{"type":"Ready","status":"False"},{"type":"MemoryPressure","status":"False"}]}}
            """)!, Strategic);
        var (code, node) = await _h.PatchAsync("/api/v1/nodes/n1/status",
            JsonNode.Parse("""{"status":{"conditions":[{"type":"Ready","status":"True"},{"type":"DiskPressure","status":"False"}]}}""")!, Strategic);
        Assert.That(code, Is.EqualTo(HttpStatusCode.OK));
        var conditions = node["status"]!["conditions"]!.AsArray().Select(c => $"{c!["type"]}={c["status"]}");
        Assert.That(conditions, Is.EqualTo(new[] { "Ready=True", "MemoryPressure=False", "DiskPressure=False" }));
    }

    [Test]
    public async Task StrategicPatch_DeleteDirectiveInList_RemovesByKey()
    {
        await _h.PatchAsync("/api/v1/nodes/n1/status", JsonNode.Parse("""
            {"status":{"addresses":[{"type":"InternalIP","address":"10.0.0.1"},{"type":"Hostname","address":"n1"}]}}
            """)!, Strategic);
        var (_, node) = await _h.PatchAsync("/api/v1/nodes/n1/status",
            JsonNode.Parse("""{"status":{"addresses":[{"$patch":"delete","type":"Hostname"}]}}""")!, Strategic);
        Assert.That(node["status"]!["addresses"]!.AsArray().Select(a => (string?)a!["type"]), Is.EqualTo(new[] { "InternalIP" }));
    }

    [Test]
    public async Task StrategicPatch_ReplaceDirectiveOnMap_ReplacesLabels()
    {
        var (_, node) = await _h.PatchAsync("/api/v1/nodes/n1",
            JsonNode.Parse("""{"metadata":{"labels":{"$patch":"replace","only":"this"}}}""")!, Strategic);
        Assert.That(node["metadata"]!["labels"]!.ToJsonString(), Is.EqualTo("""{"only":"this"}"""));
    }

    [Test]
    public async Task StrategicPatchStatus_NodeAnnotations_AreKept()
    {
        var (_, node) = await _h.PatchAsync("/api/v1/nodes/n1/status",
            JsonNode.Parse("""{"metadata":{"annotations":{"flannel.alpha.coreos.com/backend-type":"vxlan"}},"spec":{"unschedulable":true}}""")!, Strategic);
        Assert.That((string?)node["metadata"]!["annotations"]!["flannel.alpha.coreos.com/backend-type"], Is.EqualTo("vxlan"));
        Assert.That(node["spec"]!["unschedulable"], Is.Null);
    }

    [Test]
    public async Task StrategicPatch_ServicePorts_MergeByPort()
    {
        await _h.CreateServiceAsync(Objects.Service("web"));
        var (code, svc) = await _h.PatchAsync("/api/v1/namespaces/default/services/web",
            JsonNode.Parse("""{"spec":{"ports":[{"port":443,"name":"https"},{"port":80,"targetPort":8080}]}}""")!, Strategic);
        Assert.That(code, Is.EqualTo(HttpStatusCode.OK), svc.ToJsonString());
        var ports = svc["spec"]!["ports"]!.AsArray();
        Assert.That(ports.Select(p => (int?)p!["port"]), Is.EqualTo(new int?[] { 80, 443 }));
        Assert.That((int?)ports[0]!["targetPort"], Is.EqualTo(8080));
        Assert.That((string?)ports[0]!["name"], Is.EqualTo("http"));
        Assert.That((string?)ports[1]!["protocol"], Is.EqualTo("TCP"));
    }

    [Test]
    public async Task Patch_StaleResourceVersionInPatch_Returns409()
    {
        var (code, _) = await _h.PatchAsync("/api/v1/nodes/n1", JsonNode.Parse("""{"metadata":{"resourceVersion":"1","labels":{"a":"b"}}}""")!, Merge);
        Assert.That(code, Is.EqualTo(HttpStatusCode.Conflict));
    }

    [Test]
    public async Task Patch_ApplyPatchYaml_Returns415Status()
    {
        var (code, status) = await _h.PatchAsync("/api/v1/nodes/n1", JsonNode.Parse("{}")!, "application/apply-patch+yaml");
        Assert.That(code, Is.EqualTo(HttpStatusCode.UnsupportedMediaType));
        Assert.That((string?)status["message"], Does.Contain("server-side apply"));
    }

    [Test]
    public async Task Patch_UnknownContentType_Returns415()
    {
        var (code, _) = await _h.PatchAsync("/api/v1/nodes/n1", JsonNode.Parse("{}")!, "text/plain");
        Assert.That(code, Is.EqualTo(HttpStatusCode.UnsupportedMediaType));
    }

    [Test]
    public async Task Patch_Missing_Returns404()
    {
        var (code, _) = await _h.PatchAsync("/api/v1/nodes/nope", JsonNode.Parse("{}")!, Merge);
        Assert.That(code, Is.EqualTo(HttpStatusCode.NotFound));
    }
}
