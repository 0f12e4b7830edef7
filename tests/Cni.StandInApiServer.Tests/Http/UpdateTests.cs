using System.Net;
using System.Text.Json.Nodes;

namespace Cni.StandInApiServer.Tests.Http;

public sealed class UpdateTests : ServerTests
{
    [Test]
    public async Task Put_StaleResourceVersion_Returns409Conflict()
    {
        var node = await Harness.CreateNodeAsync("n1");
        var stale = (JsonObject)node.DeepClone();
        node["metadata"]!["labels"]!["x"] = "1";
        Assert.That((await Harness.PutAsync("/api/v1/nodes/n1", node)).Code, Is.EqualTo(HttpStatusCode.OK));
        stale["metadata"]!["labels"]!["x"] = "2";
        var (code, status) = await Harness.PutAsync("/api/v1/nodes/n1", stale);
        Assert.That(code, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That((string?)status["reason"], Is.EqualTo("Conflict"));
        Assert.That((string?)status["message"], Does.Contain("the object has been modified"));
    }

    [Test]
    public async Task Put_MainResource_IgnoresStatus()
    {
        var node = await Harness.CreateNodeAsync("n1");
        node["status"] = new JsonObject { ["phase"] = "Running" };
        node["spec"]!["unschedulable"] = true;
        var (_, updated) = await Harness.PutAsync("/api/v1/nodes/n1", node);
        Assert.That((bool?)updated["spec"]!["unschedulable"], Is.True);
        Assert.That(updated["status"]?["phase"], Is.Null);
    }

    [Test]
    public async Task PutStatus_Node_TakesStatusAndLabelsButNotSpec()
    {
        var node = await Harness.CreateNodeAsync("n1");
        node["status"] = new JsonObject { ["addresses"] = new JsonArray(new JsonObject { ["type"] = "InternalIP", ["address"] = "10.0.0.5" }) };
        node["spec"]!["unschedulable"] = true;
        node["metadata"]!["annotations"] = new JsonObject { ["flannel.alpha.coreos.com/public-ip"] = "10.0.0.5" };
        var (code, updated) = await Harness.PutAsync("/api/v1/nodes/n1/status", node);
        Assert.That(code, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((string?)updated["status"]!["addresses"]![0]!["address"], Is.EqualTo("10.0.0.5"));
        Assert.That(updated["spec"]!["unschedulable"], Is.Null);
        Assert.That((string?)updated["metadata"]!["annotations"]!["flannel.alpha.coreos.com/public-ip"], Is.EqualTo("10.0.0.5"));
    }

    [Test]
    public async Task PutStatus_Service_IgnoresEverythingButStatus()
    {
        var svc = await Harness.CreateServiceAsync(Objects.Service("web", "LoadBalancer"));
        svc["metadata"]!["labels"] = new JsonObject { ["x"] = "y" };
        svc["spec"]!["sessionAffinity"] = "ClientIP";
        svc["status"] = new JsonObject { ["loadBalancer"] = new JsonObject { ["ingress"] = new JsonArray(new JsonObject { ["ip"] = "1.2.3.4" }) } };
        var (_, updated) = await Harness.PutAsync("/api/v1/namespaces/default/services/web/status", svc);
        Assert.That((string?)updated["status"]!["loadBalancer"]!["ingress"]![0]!["ip"], Is.EqualTo("1.2.3.4"));
        Assert.That(updated["metadata"]!["labels"], Is.Null);
        Assert.That((string?)updated["spec"]!["sessionAffinity"], Is.EqualTo("None"));
    }

    [Test]
    public async Task Put_NoChange_KeepsResourceVersion()
    {
        var node = await Harness.CreateNodeAsync("n1");
        var (_, updated) = await Harness.PutAsync("/api/v1/nodes/n1", node);
        Assert.That(Objects.Rv(updated), Is.EqualTo(Objects.Rv(node)));
    }

    [Test]
    public async Task Put_Missing_Returns404()
    {
        var (code, _) = await Harness.PutAsync("/api/v1/nodes/n1", Objects.Node("n1"));
        Assert.That(code, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Put_NameMismatch_Returns400()
    {
        await Harness.CreateNodeAsync("n1");
        var (code, _) = await Harness.PutAsync("/api/v1/nodes/n1", Objects.Node("n2"));
        Assert.That(code, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task Put_ServiceSpecChange_BumpsGenerationKeepsUid()
    {
        var svc = await Harness.CreateServiceAsync(Objects.Service("web"));
        svc["spec"]!["sessionAffinity"] = "ClientIP";
        var (_, updated) = await Harness.PutAsync("/api/v1/namespaces/default/services/web", svc);
        Assert.That((int?)updated["metadata"]!["generation"], Is.EqualTo(2));
        Assert.That((string?)updated["metadata"]!["uid"], Is.EqualTo((string?)svc["metadata"]!["uid"]));
    }
}
