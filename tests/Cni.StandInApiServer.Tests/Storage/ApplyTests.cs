using Cni.StandInApiServer.Storage;
using k8s.Models;

namespace Cni.StandInApiServer.Tests.Storage;

/// <summary>In-process <c>kubectl apply</c>: <see cref="ObjectStore.Apply(System.Text.Json.Nodes.JsonObject)"/> and friends.</summary>
public sealed class ApplyTests
{
    private const string Manifest = """
        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          selector:
            app: web
          ports:
          - port: 80
            targetPort: http
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: web-1
          labels:
            app: web
        spec:
          containers:
          - name: main
            image: busybox:1.36
            ports:
            - name: http
              containerPort: 8080
        """;

    private ObjectStore _store = null!;

    private static V1Service Service(int port) => new()
    {
        Metadata = new V1ObjectMeta { Name = "web" },
        Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["app"] = "web" }, Ports = [new V1ServicePort { Port = port }] },
    };

    [SetUp]
    public void SetUp() => _store = new ObjectStore(new StandInApiServerOptions());

    [Test]
    public void Apply_New_CreatesInDefaultNamespace()
    {
        var created = _store.Apply(Service(80));
        Assert.That(created.Metadata.NamespaceProperty, Is.EqualTo("default"));
        Assert.That(created.Spec.ClusterIP, Does.StartWith("10.96."));
    }

    [Test]
    public void Apply_Existing_ReplacesSpecKeepingClusterIpAndStatus()
    {
        var first = _store.Apply(Service(80));
        var second = _store.Apply(Service(8080));
        Assert.That(second.Metadata.Uid, Is.EqualTo(first.Metadata.Uid));
        Assert.That(second.Spec.ClusterIP, Is.EqualTo(first.Spec.ClusterIP));
        Assert.That(second.Spec.Ports.Single().Port, Is.EqualTo(8080));
        Assert.That(second.Metadata.Generation, Is.EqualTo(2));
    }

    [Test]
    public void ApplyYaml_ServiceAndPod_StoredAndReturnedAsModels()
    {
        var applied = _store.ApplyYaml(Manifest);
        Assert.That(applied.Select(o => o.GetType()), Is.EqualTo(new[] { typeof(V1Service), typeof(V1Pod) }));
        Assert.That(((V1Pod)applied[1]).Status.Phase, Is.EqualTo("Pending"));
        Assert.That(_store.Get<V1Pod>("web-1", "default")!.Spec.Containers.Single().Ports.Single().Name, Is.EqualTo("http"));
    }

    [Test]
    public void ApplyYaml_PodPortChanged_RefusedLikeTheRealServer()
    {
        _store.ApplyYaml(Manifest);
        var e = Assert.Throws<ApiException>(() => _store.ApplyYaml(Manifest.Replace("8080", "9090", StringComparison.Ordinal)));
        Assert.That(e!.Code, Is.EqualTo(422));
    }
}
