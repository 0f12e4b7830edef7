using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace Cni.StandInApiServer.Tests.Http;

public sealed class CreateAndGetTests : ServerTests
{
    [Test]
    public async Task CreateNode_Valid_Returns201WithServerFields()
    {
        var before = Harness.Server.Store.ResourceVersion;
        var node = await Harness.CreateNodeAsync("win-1");
        var meta = node["metadata"]!;
        Assert.That((string?)node["kind"], Is.EqualTo("Node"));
        Assert.That((string?)node["apiVersion"], Is.EqualTo("v1"));
        Assert.That(Guid.TryParse((string?)meta["uid"], out _), Is.True);
        Assert.That(long.Parse(Objects.Rv(node), CultureInfo.InvariantCulture), Is.GreaterThan(before));
        Assert.That((string?)meta["creationTimestamp"], Does.Match(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"));
        Assert.That(meta["generation"], Is.Null, "nodes have no generation on a real server");
    }

    [Test]
    public async Task Get_Existing_ReturnsSameObject()
    {
        var created = await Harness.CreateNodeAsync("win-1");
        var (code, got) = await Harness.GetAsync("/api/v1/nodes/win-1");
        Assert.That(code, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(JsonNode.DeepEquals(got, created), Is.True);
    }

    [Test]
    public async Task Get_Missing_Returns404StatusNamingTheObject()
    {
        var (code, status) = await Harness.GetAsync("/api/v1/nodes/nope");
        Assert.That(code, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((string?)status["kind"], Is.EqualTo("Status"));
        Assert.That((string?)status["apiVersion"], Is.EqualTo("v1"));
        Assert.That((string?)status["status"], Is.EqualTo("Failure"));
        Assert.That((string?)status["reason"], Is.EqualTo("NotFound"));
        Assert.That((string?)status["message"], Is.EqualTo("nodes \"nope\" not found"));
        Assert.That((string?)status["details"]!["name"], Is.EqualTo("nope"));
        Assert.That((string?)status["details"]!["kind"], Is.EqualTo("nodes"));
        Assert.That((int?)status["code"], Is.EqualTo(404));
    }

    [Test]
    public async Task Create_Duplicate_Returns409AlreadyExists()
    {
        await Harness.CreateNodeAsync("win-1");
        var (code, status) = await Harness.PostAsync("/api/v1/nodes", Objects.Node("win-1"));
        Assert.That(code, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That((string?)status["reason"], Is.EqualTo("AlreadyExists"));
    }

    [Test]
    public async Task Create_BadName_Returns422NamingTheField()
    {
        var (code, status) = await Harness.PostAsync("/api/v1/nodes", Objects.Node("Bad_Name"));
        Assert.That(code, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
        Assert.That((string?)status["reason"], Is.EqualTo("Invalid"));
        Assert.That((string?)status["message"], Does.Contain("metadata.name: Invalid value: \"Bad_Name\""));
        Assert.That((string?)status["details"]!["causes"]![0]!["field"], Is.EqualTo("metadata.name"));
        Assert.That((string?)status["details"]!["kind"], Is.EqualTo("Node"));
    }

    [Test]
    public async Task Create_GenerateName_AppendsRandomSuffix()
    {
        var body = Objects.Node("x");
        body["metadata"]!.AsObject().Remove("name");
        body["metadata"]!["generateName"] = "win-";
        var (code, created) = await Harness.PostAsync("/api/v1/nodes", body);
        Assert.That(code, Is.EqualTo(HttpStatusCode.Created));
        Assert.That((string?)created["metadata"]!["name"], Does.Match("^win-[a-z0-9]{5}$"));
    }

    [Test]
    public async Task Create_NoNameNoGenerateName_Returns422()
    {
        var body = Objects.Node("x");
        body["metadata"]!.AsObject().Remove("name");
        var (code, status) = await Harness.PostAsync("/api/v1/nodes", body);
        Assert.That(code, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
        Assert.That((string?)status["details"]!["causes"]![0]!["field"], Is.EqualTo("metadata.name"));
    }

    [Test]
    public async Task Create_InMissingNamespace_Returns404ForTheNamespace()
    {
        var (code, status) = await Harness.PostAsync("/api/v1/namespaces/nowhere/services", Objects.Service("web"));
        Assert.That(code, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((string?)status["message"], Is.EqualTo("namespaces \"nowhere\" not found"));
    }

    [Test]
    public async Task Create_NamespaceMismatch_Returns400()
    {
        var svc = Objects.Service("web");
        svc["metadata"]!["namespace"] = "kube-system";
        var (code, status) = await Harness.PostAsync("/api/v1/namespaces/default/services", svc);
        Assert.That(code, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((string?)status["reason"], Is.EqualTo("BadRequest"));
    }

    [Test]
    public async Task Create_WrongKind_Returns400()
    {
        var (code, _) = await Harness.PostAsync("/api/v1/nodes", Objects.Namespace("x"));
        Assert.That(code, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task Create_InvalidJson_Returns400Status()
    {
        using var content = new StringContent("{not json", System.Text.Encoding.UTF8, "application/json");
        using var response = await Harness.Http.PostAsync("/api/v1/nodes", content);
        var status = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((string?)status["kind"], Is.EqualTo("Status"));
    }

    [Test]
    public async Task CreateEndpointSlice_WithoutAddressType_Returns422()
    {
        var slice = Objects.EndpointSlice("web-1", "web", "10.244.1.5");
        slice.Remove("addressType");
        var (code, status) = await Harness.PostAsync("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices", slice);
        Assert.That(code, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
        Assert.That((string?)status["details"]!["causes"]![0]!["field"], Is.EqualTo("addressType"));
    }

    [Test]
    public async Task CreateEndpointSlice_Valid_DefaultsProtocolAndSetsGeneration()
    {
        var (code, slice) = await Harness.PostAsync("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices",
            Objects.EndpointSlice("web-1", "web", "10.244.1.5"));
        Assert.That(code, Is.EqualTo(HttpStatusCode.Created));
        Assert.That((string?)slice["ports"]![0]!["protocol"], Is.EqualTo("TCP"));
        Assert.That((string?)slice["ports"]![0]!["name"], Is.EqualTo("http"));
        Assert.That((int?)slice["metadata"]!["generation"], Is.EqualTo(1));
        Assert.That((string?)slice["metadata"]!["namespace"], Is.EqualTo("default"));
    }

    [Test]
    public async Task CreateNamespace_Valid_IsActiveWithNameLabel()
    {
        var (code, ns) = await Harness.PostAsync("/api/v1/namespaces", Objects.Namespace("demo"));
        Assert.That(code, Is.EqualTo(HttpStatusCode.Created));
        Assert.That((string?)ns["status"]!["phase"], Is.EqualTo("Active"));
        Assert.That((string?)ns["metadata"]!["labels"]!["kubernetes.io/metadata.name"], Is.EqualTo("demo"));
    }

    [Test]
    public async Task GetTable_Nodes_ReturnsRealColumns()
    {
        await Harness.CreateNodeAsync("win-1", new JsonObject { ["node-role.kubernetes.io/worker"] = "" });
        var (_, table) = await Harness.GetAsync("/api/v1/nodes", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json");
        Assert.That((string?)table["kind"], Is.EqualTo("Table"));
        Assert.That(table["columnDefinitions"]!.AsArray().Select(c => (string?)c!["name"]).Take(5),
            Is.EqualTo(new[] { "Name", "Status", "Roles", "Age", "Version" }));
        var cells = table["rows"]![0]!["cells"]!.AsArray().Select(c => c?.ToString()).ToArray();
        Assert.That(cells[0], Is.EqualTo("win-1"));
        Assert.That(cells[1], Is.EqualTo("Unknown"));
        Assert.That(cells[2], Is.EqualTo("worker"));
    }

    [Test]
    public async Task Create_DryRunAll_AnswersButStoresNothing()
    {
        var before = Harness.Server.Store.ResourceVersion;
        var (code, svc) = await Harness.PostAsync("/api/v1/namespaces/default/services?dryRun=All", Objects.Service("web"));
        Assert.That(code, Is.EqualTo(HttpStatusCode.Created));
        Assert.That((string?)svc["spec"]!["clusterIP"], Does.StartWith("10.96."));
        Assert.That(Harness.Server.Store.ResourceVersion, Is.EqualTo(before));
        Assert.That((await Harness.GetAsync("/api/v1/namespaces/default/services/web")).Code, Is.EqualTo(HttpStatusCode.NotFound));
    }
}
