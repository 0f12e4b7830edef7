using System.Net;
using System.Text.Json.Nodes;

namespace Cni.StandInApiServer.Tests.Http;

public sealed class DiscoveryTests : ServerTests
{
    [Test]
    public async Task Version_Get_ReportsKubernetes132()
    {
        var (code, body) = await Harness.GetAsync("/version");
        Assert.That(code, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((string?)body["gitVersion"], Does.StartWith("v1.32"));
    }

    [Test]
    public async Task CoreV1_Get_ListsResourcesWithShortNamesAndStatusSubresources()
    {
        var (_, body) = await Harness.GetAsync("/api/v1");
        Assert.That((string?)body["kind"], Is.EqualTo("APIResourceList"));
        var resources = body["resources"]!.AsArray().Select(r => r!.AsObject()).ToDictionary(r => (string)r["name"]!);
        Assert.That(resources.Keys, Is.SupersetOf(new[] { "nodes", "nodes/status", "namespaces", "pods", "pods/status", "services", "services/status" }));
        Assert.That(resources["pods"]["shortNames"]!.AsArray().Select(n => (string?)n), Is.EqualTo(new[] { "po" }));
        Assert.That(resources["nodes"]["shortNames"]!.AsArray().Select(n => (string?)n), Is.EqualTo(new[] { "no" }));
        Assert.That(resources["services"]["shortNames"]!.AsArray().Select(n => (string?)n), Is.EqualTo(new[] { "svc" }));
        Assert.That((bool)resources["services"]["namespaced"]!, Is.True);
        Assert.That((bool)resources["nodes"]["namespaced"]!, Is.False);
        Assert.That(resources["nodes"]["verbs"]!.AsArray().Select(v => (string?)v), Does.Contain("watch"));
    }

    [Test]
    public async Task Apis_Get_ListsDiscoveryGroupAndItsResources()
    {
        var (_, groups) = await Harness.GetAsync("/apis");
        Assert.That((string?)groups["kind"], Is.EqualTo("APIGroupList"));
        Assert.That((string?)groups["groups"]![0]!["name"], Is.EqualTo("discovery.k8s.io"));
        var (_, group) = await Harness.GetAsync("/apis/discovery.k8s.io");
        Assert.That((string?)group["preferredVersion"]!["groupVersion"], Is.EqualTo("discovery.k8s.io/v1"));
        var (_, list) = await Harness.GetAsync("/apis/discovery.k8s.io/v1");
        Assert.That((string?)list["resources"]![0]!["name"], Is.EqualTo("endpointslices"));
    }

    [Test]
    public async Task Api_Get_ReturnsApiVersions()
    {
        var (_, body) = await Harness.GetAsync("/api");
        Assert.That((string?)body["kind"], Is.EqualTo("APIVersions"));
        Assert.That((string?)body["versions"]![0], Is.EqualTo("v1"));
    }

    [Test]
    public async Task OpenApiV3_Get_AdvertisesFieldValidationOnPost()
    {
        var (_, root) = await Harness.GetAsync("/openapi/v3");
        var url = (string)root["paths"]!["api/v1"]!["serverRelativeURL"]!;
        var (code, doc) = await Harness.GetAsync(url);
        Assert.That(code, Is.EqualTo(HttpStatusCode.OK));
        var post = doc["paths"]!["/api/v1/nodes"]!["post"]!;
        Assert.That((string?)post["x-kubernetes-group-version-kind"]!["kind"], Is.EqualTo("Node"));
        Assert.That(post["parameters"]!.AsArray().Select(p => (string?)p!["name"]), Does.Contain("fieldValidation"));
        Assert.That((string?)doc["paths"]!["/api/v1/namespaces/{namespace}/pods"]!["post"]!["x-kubernetes-group-version-kind"]!["kind"], Is.EqualTo("Pod"));
    }

    [Test]
    public async Task UnknownPath_Get_Returns404Status()
    {
        var (code, body) = await Harness.GetAsync("/api/v1/configmaps");
        Assert.That(code, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((string?)body["kind"], Is.EqualTo("Status"));
        Assert.That((string?)body["reason"], Is.EqualTo("NotFound"));
    }
}
