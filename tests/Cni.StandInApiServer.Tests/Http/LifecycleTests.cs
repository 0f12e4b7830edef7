using System.Net;

namespace Cni.StandInApiServer.Tests.Http;

public sealed class LifecycleTests
{
    [Test]
    public async Task StopThenStart_SamePortAndStore()
    {
        await using var h = await ServerHarness.StartAsync();
        await h.CreateNodeAsync("survivor");
        var address = h.Server.BaseAddress;
        await h.Server.StopAsync(CancellationToken.None);
        Assert.That(async () => await h.Http.GetAsync("/api/v1/nodes"), Throws.InstanceOf<HttpRequestException>());
        await h.Server.StartAsync(CancellationToken.None);
        Assert.That(h.Server.BaseAddress, Is.EqualTo(address));
        var (code, _) = await h.GetAsync("/api/v1/nodes/survivor");
        Assert.That(code, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Stop_Twice_IsHarmless()
    {
        await using var h = await ServerHarness.StartAsync();
        await h.Server.StopAsync(CancellationToken.None);
        Assert.That(async () => await h.Server.StopAsync(CancellationToken.None), Throws.Nothing);
    }

    [Test]
    public void BaseAddress_BeforeStart_Throws()
    {
        var server = new StandInApiServer(new StandInApiServerOptions());
        Assert.That(() => server.BaseAddress, Throws.InvalidOperationException);
    }

    [Test]
    public async Task WriteKubeconfig_PointsAtServerWithoutAuth()
    {
        await using var h = await ServerHarness.StartAsync();
        var path = Path.Combine(Path.GetTempPath(), $"standin-{Guid.NewGuid():N}.kubeconfig");
        try
        {
            Assert.That(h.Server.WriteKubeconfig(path), Is.EqualTo(path));
            var config = k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(path);
            Assert.That(config.Host.TrimEnd('/'), Is.EqualTo(h.Server.BaseAddress.ToString().TrimEnd('/')));
            Assert.That(config.AccessToken, Is.Null);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public async Task Store_TypedApi_RoundTrips()
    {
        await using var h = await ServerHarness.StartAsync();
        var store = h.Server.Store;
        store.Create(new k8s.Models.V1Node { Metadata = new k8s.Models.V1ObjectMeta { Name = "n1" } });
        var node = store.Get<k8s.Models.V1Node>("n1")!;
        node.Metadata.Labels = new Dictionary<string, string> { ["a"] = "b" };
        store.Update(node);
        Assert.That(store.List<k8s.Models.V1Node>().Single().Metadata.Labels["a"], Is.EqualTo("b"));
        store.Delete<k8s.Models.V1Node>("n1");
        Assert.That(store.Get<k8s.Models.V1Node>("n1"), Is.Null);
        Assert.That(store.List<k8s.Models.V1Namespace>().Select(n => n.Metadata.Name), Is.EquivalentTo(new[] { "default", "kube-system" }));
    }
}
