using System.Net;
using System.Text.Json.Nodes;

namespace Cni.StandInApiServer.Tests.Http;

public sealed class DeleteTests : ServerTests
{
    [Test]
    public async Task DeleteNode_Existing_ReturnsSuccessStatusAndIsGone()
    {
        var node = await Harness.CreateNodeAsync("n1");
        var (code, status) = await Harness.SendAsync(HttpMethod.Delete, "/api/v1/nodes/n1");
        Assert.That(code, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((string?)status["kind"], Is.EqualTo("Status"));
        Assert.That((string?)status["status"], Is.EqualTo("Success"));
        Assert.That((string?)status["details"]!["uid"], Is.EqualTo((string?)node["metadata"]!["uid"]));
        Assert.That((await Harness.GetAsync("/api/v1/nodes/n1")).Code, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Delete_Missing_Returns404Status()
    {
        var (code, status) = await Harness.SendAsync(HttpMethod.Delete, "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/x");
        Assert.That(code, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((string?)status["message"], Is.EqualTo("endpointslices.discovery.k8s.io \"x\" not found"));
        Assert.That((string?)status["details"]!["group"], Is.EqualTo("discovery.k8s.io"));
    }

    [Test]
    public async Task DeleteService_Existing_ReturnsTheObject()
    {
        await Harness.CreateServiceAsync(Objects.Service("web"));
        var (code, svc) = await Harness.SendAsync(HttpMethod.Delete, "/api/v1/namespaces/default/services/web");
        Assert.That(code, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((string?)svc["kind"], Is.EqualTo("Service"));
    }

    [Test]
    public async Task Delete_UidPreconditionMismatch_Returns409()
    {
        await Harness.CreateNodeAsync("n1");
        var options = new JsonObject { ["kind"] = "DeleteOptions", ["apiVersion"] = "v1", ["preconditions"] = new JsonObject { ["uid"] = "other" } };
        var (code, _) = await Harness.SendAsync(HttpMethod.Delete, "/api/v1/nodes/n1", options);
        Assert.That(code, Is.EqualTo(HttpStatusCode.Conflict));
    }

    [Test]
    public async Task DeleteNamespace_WithContent_TerminatesThenRemovesEverything()
    {
        await Harness.PostAsync("/api/v1/namespaces", Objects.Namespace("demo"));
        await Harness.CreateServiceAsync(Objects.Service("web"), "demo");
        var (code, ns) = await Harness.SendAsync(HttpMethod.Delete, "/api/v1/namespaces/demo");
        Assert.That(code, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((string?)ns["status"]!["phase"], Is.EqualTo("Terminating"));
        Assert.That((await Harness.PostAsync("/api/v1/namespaces/demo/services", Objects.Service("late"))).Code, Is.EqualTo(HttpStatusCode.Forbidden));

        var deadline = DateTime.UtcNow + ServerHarness.Patience;
        while ((await Harness.GetAsync("/api/v1/namespaces/demo")).Code != HttpStatusCode.NotFound && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.That((await Harness.GetAsync("/api/v1/namespaces/demo")).Code, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await Harness.GetAsync("/api/v1/namespaces/demo/services/web")).Code, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task DeleteNamespace_Default_Returns403()
    {
        var (code, status) = await Harness.SendAsync(HttpMethod.Delete, "/api/v1/namespaces/default");
        Assert.That(code, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((string?)status["reason"], Is.EqualTo("Forbidden"));
    }
}
