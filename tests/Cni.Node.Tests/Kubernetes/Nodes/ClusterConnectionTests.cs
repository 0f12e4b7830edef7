using Cni.Node.Configuration;
using Cni.Node.Kubernetes;
using Cni.Node.Kubernetes.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using static Cni.Node.Tests.Kubernetes.KubernetesTestObjects;

namespace Cni.Node.Tests.Kubernetes.Nodes;

public sealed class ClusterConnectionTests
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "wincni-agent-" + Guid.NewGuid().ToString("N"));

    [SetUp]
    public void SetUp() => Directory.CreateDirectory(_root);

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    [Test]
    public void Start_KubeconfigMissing_ThrowsKubernetesAccessExceptionNamingTheFile()
    {
        var missing = Path.Combine(_root, "no-such-kubeconfig");

        Assert.That(
            () => ClusterConnection.Start(new KubernetesAccessOptions(missing), "n1", new NodeOptions(), NullLoggerFactory.Instance, TimeProvider.System),
            Throws.InstanceOf<KubernetesAccessException>().With.Message.Contains(missing));
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task TryWaitForNodeAsync_NodeHasPodCidr_ItsPodCidrAndAddress(CancellationToken cancellationToken)
    {
        await using var api = await FakeApiServer.StartAsync((context, request, server) => request.IsWatch
            ? server.WatchAsync(context, request)
            : FakeApiServer.JsonAsync(context, NodeListJson("5", null, NodeJson("n1", "5", "10.244.3.0/24", internalIp: "192.0.2.3"))));
        var kubeconfig = Path.Combine(_root, "config");
        File.WriteAllText(kubeconfig, $$"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: c
              cluster: {server: "{{api.BaseUri}}"}
            users:
            - name: u
              user: {token: secret}
            contexts:
            - name: x
              context: {cluster: c, user: u}
            current-context: x
            """);

        // A token to a plain-http fake on loopback: refused unless explicitly allowed, as --allow-insecure-api-server does.
        await using var agent = ClusterConnection.Start(
            new KubernetesAccessOptions(kubeconfig) { AllowInsecureApiServer = true }, "n1", new NodeOptions(), NullLoggerFactory.Instance, TimeProvider.System);
        var node = await agent.TryWaitForNodeAsync(TimeSpan.FromSeconds(20), cancellationToken);

        Assert.That(node, Is.Not.Null);
        Assert.That(node!.PodCidrs.Select(c => c.ToString()), Is.EqualTo(new[] { "10.244.3.0/24" }));
        Assert.That(node.NodeIp?.ToString(), Is.EqualTo("192.0.2.3"));
        Assert.That(agent.NodeName, Is.EqualTo("n1"));
    }
}
