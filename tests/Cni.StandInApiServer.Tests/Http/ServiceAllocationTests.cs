using System.Net;
using System.Text.Json.Nodes;

namespace Cni.StandInApiServer.Tests.Http;

public sealed class ServiceAllocationTests : ServerTests
{
    [Test]
    public async Task Create_NoClusterIp_AllocatesFromCidrWithDefaults()
    {
        var svc = Objects.Service("web");
        svc["spec"]!.AsObject().Remove("type");
        var created = await Harness.CreateServiceAsync(svc);
        var spec = created["spec"]!;
        Assert.That(System.Net.IPNetwork.Parse("10.96.0.0/12").Contains(IPAddress.Parse((string)spec["clusterIP"]!)), Is.True);
        Assert.That((string?)spec["clusterIPs"]![0], Is.EqualTo((string?)spec["clusterIP"]));
        Assert.That((string?)spec["type"], Is.EqualTo("ClusterIP"));
        Assert.That((string?)spec["sessionAffinity"], Is.EqualTo("None"));
        Assert.That((string?)spec["ports"]![0]!["protocol"], Is.EqualTo("TCP"));
        Assert.That((int?)spec["ports"]![0]!["targetPort"], Is.EqualTo(80));
        Assert.That((string?)spec["ipFamilies"]![0], Is.EqualTo("IPv4"));
        Assert.That(spec["ports"]![0]!["nodePort"], Is.Null);
        Assert.That((int?)created["metadata"]!["generation"], Is.EqualTo(1));
    }

    [Test]
    public async Task Create_TwoServices_GetDistinctIps()
    {
        var a = await Harness.CreateServiceAsync(Objects.Service("a"));
        var b = await Harness.CreateServiceAsync(Objects.Service("b"));
        Assert.That((string?)a["spec"]!["clusterIP"], Is.Not.EqualTo((string?)b["spec"]!["clusterIP"]));
    }

    [Test]
    public async Task Create_Headless_KeepsNone()
    {
        var svc = Objects.Service("db");
        svc["spec"]!["clusterIP"] = "None";
        var created = await Harness.CreateServiceAsync(svc);
        Assert.That((string?)created["spec"]!["clusterIP"], Is.EqualTo("None"));
        Assert.That((string?)created["spec"]!["clusterIPs"]![0], Is.EqualTo("None"));
    }

    [Test]
    public async Task Create_DuplicateClusterIp_Returns422()
    {
        var first = Objects.Service("a");
        first["spec"]!["clusterIP"] = "10.96.0.10";
        await Harness.CreateServiceAsync(first);
        var second = Objects.Service("b");
        second["spec"]!["clusterIP"] = "10.96.0.10";
        var (code, status) = await Harness.PostAsync("/api/v1/namespaces/default/services", second);
        Assert.That(code, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
        Assert.That((string?)status["details"]!["causes"]![0]!["field"], Is.EqualTo("spec.clusterIPs[0]"));
        Assert.That((string?)status["message"], Does.Contain("already allocated"));
    }

    [Test]
    public async Task Create_ClusterIpOutOfRange_Returns422()
    {
        var svc = Objects.Service("a");
        svc["spec"]!["clusterIP"] = "192.168.1.1";
        var (code, status) = await Harness.PostAsync("/api/v1/namespaces/default/services", svc);
        Assert.That(code, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
        Assert.That((string?)status["message"], Does.Contain("not in the valid range"));
    }

    [Test]
    public async Task Create_NodePort_AllocatesInRange()
    {
        var created = await Harness.CreateServiceAsync(Objects.Service("np", "NodePort"));
        Assert.That((int?)created["spec"]!["ports"]![0]!["nodePort"], Is.InRange(30000, 32767));
        Assert.That((string?)created["spec"]!["externalTrafficPolicy"], Is.EqualTo("Cluster"));
    }

    [Test]
    public async Task Create_DuplicateNodePort_Returns422NamingThePort()
    {
        var first = Objects.Service("a", "NodePort");
        first["spec"]!["ports"]![0]!["nodePort"] = 30080;
        await Harness.CreateServiceAsync(first);
        var second = Objects.Service("b", "LoadBalancer");
        second["spec"]!["ports"]![0]!["nodePort"] = 30080;
        var (code, status) = await Harness.PostAsync("/api/v1/namespaces/default/services", second);
        Assert.That(code, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
        Assert.That((string?)status["details"]!["causes"]![0]!["field"], Is.EqualTo("spec.ports[0].nodePort"));
    }

    [Test]
    public async Task Create_NoPorts_Returns422()
    {
        var svc = Objects.Service("a");
        svc["spec"]!.AsObject().Remove("ports");
        var (code, status) = await Harness.PostAsync("/api/v1/namespaces/default/services", svc);
        Assert.That(code, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
        Assert.That((string?)status["details"]!["causes"]![0]!["field"], Is.EqualTo("spec.ports"));
    }

    [Test]
    public async Task Update_WithoutClusterIpAndNodePort_KeepsAllocations()
    {
        var created = await Harness.CreateServiceAsync(Objects.Service("np", "NodePort"));
        var put = Objects.Service("np", "NodePort");
        put["spec"]!["sessionAffinity"] = "ClientIP";
        var (code, updated) = await Harness.PutAsync("/api/v1/namespaces/default/services/np", put);
        Assert.That(code, Is.EqualTo(HttpStatusCode.OK), updated.ToJsonString());
        Assert.That((string?)updated["spec"]!["clusterIP"], Is.EqualTo((string?)created["spec"]!["clusterIP"]));
        Assert.That((int?)updated["spec"]!["ports"]![0]!["nodePort"], Is.EqualTo((int?)created["spec"]!["ports"]![0]!["nodePort"]));
    }

    [Test]
    public async Task Update_ChangedClusterIp_Returns422()
    {
        var created = await Harness.CreateServiceAsync(Objects.Service("a"));
        created["spec"]!["clusterIP"] = "10.96.0.200";
        created["spec"]!["clusterIPs"] = new JsonArray("10.96.0.200");
        var (code, _) = await Harness.PutAsync("/api/v1/namespaces/default/services/a", created);
        Assert.That(code, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
    }

    [Test]
    public async Task Create_CustomCidr_AllocatesFromIt()
    {
        await using var h = await ServerHarness.StartAsync(new StandInApiServerOptions { ServiceCidr = System.Net.IPNetwork.Parse("172.30.0.0/24") });
        var created = await h.CreateServiceAsync(Objects.Service("a"));
        Assert.That((string?)created["spec"]!["clusterIP"], Does.StartWith("172.30.0."));
    }
}
