using System.Net;
using System.Text.Json.Nodes;

namespace Cni.StandInApiServer.Tests.Http;

public sealed class ListTests
{
    private ServerHarness _h = null!;

    [SetUp]
    public async Task SetUp()
    {
        _h = await ServerHarness.StartAsync();
        await _h.CreateNodeAsync("a", new JsonObject { ["os"] = "windows", ["zone"] = "z1" });
        await _h.CreateNodeAsync("b", new JsonObject { ["os"] = "linux", ["zone"] = "z1" });
        await _h.CreateNodeAsync("c", new JsonObject { ["os"] = "windows" });
    }

    [TearDown]
    public async Task TearDown() => await _h.DisposeAsync();

    [Test]
    public async Task List_Nodes_IsNodeListAtCurrentVersionWithBareItems()
    {
        var (code, list) = await _h.GetAsync("/api/v1/nodes");
        Assert.That(code, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((string?)list["kind"], Is.EqualTo("NodeList"));
        Assert.That((string?)list["apiVersion"], Is.EqualTo("v1"));
        Assert.That((string?)list["metadata"]!["resourceVersion"], Is.EqualTo(_h.Server.Store.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(Objects.Names(list), Is.EqualTo(new[] { "a", "b", "c" }));
        Assert.That(list["items"]![0]!["kind"], Is.Null, "the real server leaves kind/apiVersion off list items");
    }

    [TestCase("os=windows", new[] { "a", "c" })]
    [TestCase("os==windows", new[] { "a", "c" })]
    [TestCase("os!=windows", new[] { "b" })]
    [TestCase("os in (linux,macos)", new[] { "b" })]
    [TestCase("os notin (linux)", new[] { "a", "c" })]
    [TestCase("zone", new[] { "a", "b" })]
    [TestCase("!zone", new[] { "c" })]
    [TestCase("os=windows,zone", new[] { "a" })]
    public async Task List_LabelSelector_Filters(string selector, string[] expected)
    {
        var (_, list) = await _h.GetAsync("/api/v1/nodes?labelSelector=" + Uri.EscapeDataString(selector));
        Assert.That(Objects.Names(list), Is.EqualTo(expected));
    }

    [TestCase("metadata.name=b", new[] { "b" })]
    [TestCase("metadata.name!=b", new[] { "a", "c" })]
    public async Task List_FieldSelector_Filters(string selector, string[] expected)
    {
        var (_, list) = await _h.GetAsync("/api/v1/nodes?fieldSelector=" + Uri.EscapeDataString(selector));
        Assert.That(Objects.Names(list), Is.EqualTo(expected));
    }

    [Test]
    public async Task List_UnsupportedFieldSelector_Returns400()
    {
        var (code, status) = await _h.GetAsync("/api/v1/nodes?fieldSelector=spec.podCIDR%3Dx");
        Assert.That(code, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((string?)status["message"], Does.Contain("field label not supported: spec.podCIDR"));
    }

    [Test]
    public async Task List_BadLabelSelector_Returns400()
    {
        var (code, _) = await _h.GetAsync("/api/v1/nodes?labelSelector=" + Uri.EscapeDataString("os in linux"));
        Assert.That(code, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task List_Paging_ReturnsEveryItemOnceAtOneSnapshot()
    {
        var (_, first) = await _h.GetAsync("/api/v1/nodes?limit=2");
        Assert.That(Objects.Names(first), Is.EqualTo(new[] { "a", "b" }));
        Assert.That((int?)first["metadata"]!["remainingItemCount"], Is.EqualTo(1));
        var token = (string)first["metadata"]!["continue"]!;

        await _h.CreateNodeAsync("d"); // after the snapshot: not part of this paged list
        var (_, second) = await _h.GetAsync("/api/v1/nodes?limit=2&continue=" + Uri.EscapeDataString(token));
        Assert.That(Objects.Names(second), Is.EqualTo(new[] { "c" }));
        Assert.That(second["metadata"]!["continue"], Is.Null);
        Assert.That((string?)second["metadata"]!["resourceVersion"], Is.EqualTo((string?)first["metadata"]!["resourceVersion"]));
    }

    [Test]
    public async Task List_ContinueAfterCompaction_Returns410()
    {
        var (_, first) = await _h.GetAsync("/api/v1/nodes?limit=1");
        await _h.CreateNodeAsync("d");
        _h.Server.CompactHistory();
        var (code, status) = await _h.GetAsync("/api/v1/nodes?limit=1&continue=" + Uri.EscapeDataString((string)first["metadata"]!["continue"]!));
        Assert.That(code, Is.EqualTo(HttpStatusCode.Gone));
        Assert.That((string?)status["reason"], Is.EqualTo("Expired"));
    }

    [Test]
    public async Task List_BadContinueToken_Returns400()
    {
        var (code, _) = await _h.GetAsync("/api/v1/nodes?limit=1&continue=garbage!");
        Assert.That(code, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task List_ExactOlderVersion_ReturnsStateAtThatVersion()
    {
        var (_, before) = await _h.GetAsync("/api/v1/nodes");
        var rv = (string)before["metadata"]!["resourceVersion"]!;
        await _h.CreateNodeAsync("d");
        await _h.SendAsync(HttpMethod.Delete, "/api/v1/nodes/a");
        var (code, list) = await _h.GetAsync($"/api/v1/nodes?resourceVersion={rv}&resourceVersionMatch=Exact");
        Assert.That(code, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(Objects.Names(list), Is.EqualTo(new[] { "a", "b", "c" }));
        Assert.That((string?)list["metadata"]!["resourceVersion"], Is.EqualTo(rv));
    }

    [Test]
    public async Task List_ExactCompactedVersion_Returns410Expired()
    {
        var (_, before) = await _h.GetAsync("/api/v1/nodes");
        await _h.CreateNodeAsync("d");
        _h.Server.CompactHistory();
        var (code, status) = await _h.GetAsync($"/api/v1/nodes?resourceVersion={before["metadata"]!["resourceVersion"]}&resourceVersionMatch=Exact");
        Assert.That(code, Is.EqualTo(HttpStatusCode.Gone));
        Assert.That((string?)status["reason"], Is.EqualTo("Expired"));
        Assert.That((int?)status["code"], Is.EqualTo(410));
    }

    [Test]
    public async Task List_NotOlderThanZero_IsAccepted()
    {
        var (code, list) = await _h.GetAsync("/api/v1/nodes?resourceVersion=0&resourceVersionMatch=NotOlderThan");
        Assert.That(code, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(Objects.Names(list), Has.Length.EqualTo(3));
    }

    [Test]
    public async Task List_MatchWithoutVersion_Returns400()
    {
        var (code, _) = await _h.GetAsync("/api/v1/nodes?resourceVersionMatch=Exact");
        Assert.That(code, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task List_ServicesAllNamespacesAndOneNamespace_ScopeCorrectly()
    {
        await _h.CreateServiceAsync(Objects.Service("web"));
        await _h.CreateServiceAsync(Objects.Service("dns"), "kube-system");
        var (_, all) = await _h.GetAsync("/api/v1/services");
        var (_, one) = await _h.GetAsync("/api/v1/namespaces/kube-system/services");
        var (_, byField) = await _h.GetAsync("/api/v1/services?fieldSelector=metadata.namespace%3Ddefault");
        Assert.That((string?)all["kind"], Is.EqualTo("ServiceList"));
        Assert.That(Objects.Names(all), Is.EqualTo(new[] { "web", "dns" }));
        Assert.That(Objects.Names(one), Is.EqualTo(new[] { "dns" }));
        Assert.That(Objects.Names(byField), Is.EqualTo(new[] { "web" }));
    }

    [Test]
    public async Task List_EndpointSlicesAcrossNamespaces_ByServiceLabel()
    {
        await _h.PostAsync("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices", Objects.EndpointSlice("web-1", "web", "10.0.0.1"));
        await _h.PostAsync("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices", Objects.EndpointSlice("db-1", "db", "10.0.0.2"));
        var (_, list) = await _h.GetAsync("/apis/discovery.k8s.io/v1/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dweb");
        Assert.That((string?)list["kind"], Is.EqualTo("EndpointSliceList"));
        Assert.That((string?)list["apiVersion"], Is.EqualTo("discovery.k8s.io/v1"));
        Assert.That(Objects.Names(list), Is.EqualTo(new[] { "web-1" }));
    }
}
