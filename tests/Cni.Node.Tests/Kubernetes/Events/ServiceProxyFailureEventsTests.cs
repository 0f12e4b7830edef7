using System.Text.Json;
using Cni.Node.Kubernetes.Events;
using Cni.Node.Peers;
using Cni.Node.Services;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cni.Node.Tests.Kubernetes.Events;

/// <summary>Service proxy and peer failures through the real Event recorder: which objects the Events regard, and where they go.</summary>
public sealed class ServiceProxyFailureEventsTests
{
    [Test]
    [CancelAfter(30_000)]
    public async Task Report_LoadBalancerRefused_WarningOnTheServiceInItsNamespaceAndOnTheNode(CancellationToken cancellationToken)
    {
        await using var api = await FakeApiServer.StartAsync((context, _, _) => FakeApiServer.JsonAsync(context, "{}", 201));
        using var recorder = new KubernetesEventRecorder(api.CreateClient(), "node-a", new EventRecorderOptions(), TimeProvider.System, NullLogger<KubernetesEventRecorder>.Instance);
        await recorder.StartAsync(cancellationToken);
        var failure = new ObjectFailure("shop/web:http/TCP/IPv4/ClusterIP", "creating load balancer shop/web:http/TCP/IPv4/ClusterIP: HCN_E_PORT_ALREADY_EXISTS Fix: free the port", DateTimeOffset.UnixEpoch)
        {
            Attempts = 2,
            IsHcnRefusal = true,
            Services = ["shop/web"],
        };

        new ServiceProxyFailureEvents(recorder).Report(failure);
        new ServiceProxyFailureEvents(recorder).Report(failure);

        while (api.Requests.Count < 2) await Task.Delay(20, cancellationToken);
        await Task.Delay(200, cancellationToken);
        await recorder.StopAsync(cancellationToken);
        var posts = api.Requests.ToDictionary(r => r.Path, r => JsonDocument.Parse(r.Body).RootElement);
        Assert.That(posts.Keys, Is.EquivalentTo(new[] { "/apis/events.k8s.io/v1/namespaces/shop/events", "/apis/events.k8s.io/v1/namespaces/default/events" }),
            "one per object and reason: the repeat is held back by the recorder");
        var service = posts["/apis/events.k8s.io/v1/namespaces/shop/events"];
        Assert.That(service.GetProperty("regarding").GetProperty("kind").GetString(), Is.EqualTo("Service"));
        Assert.That(service.GetProperty("regarding").GetProperty("name").GetString(), Is.EqualTo("web"));
        Assert.That(service.GetProperty("regarding").GetProperty("namespace").GetString(), Is.EqualTo("shop"));
        Assert.That(service.GetProperty("type").GetString(), Is.EqualTo("Warning"));
        Assert.That(service.GetProperty("reason").GetString(), Is.EqualTo("LoadBalancerFailed"));
        Assert.That(service.GetProperty("note").GetString(), Does.Contain("Fix: free the port").And.Contain("2 times in a row"));
        var node = posts["/apis/events.k8s.io/v1/namespaces/default/events"];
        Assert.That(node.GetProperty("regarding").GetProperty("kind").GetString(), Is.EqualTo("Node"));
        Assert.That(node.GetProperty("note").GetString(), Does.StartWith("Services shop/web: "));
    }

    [TestCase("remote-endpoint/10.244.2.5", "RemoteEndpointFailed")]
    [TestCase("vip-endpoint/10.96.0.10", "ClusterIpEndpointFailed")]
    [TestCase("default/web:http/TCP/IPv4/ClusterIP", "LoadBalancerFailed")]
    public void ReasonOf_Key_ReasonByObject(string key, string reason) =>
        Assert.That(ServiceProxyFailureEvents.ReasonOf(key), Is.EqualTo(reason));

    [Test]
    [CancelAfter(30_000)]
    public async Task Report_PeerWithMalformedVtepMac_WarningOnThePeerNodeNamingTheField(CancellationToken cancellationToken)
    {
        await using var api = await FakeApiServer.StartAsync((context, _, _) => FakeApiServer.JsonAsync(context, "{}", 201));
        using var recorder = new KubernetesEventRecorder(api.CreateClient(), "node-a", new EventRecorderOptions(), TimeProvider.System, NullLogger<KubernetesEventRecorder>.Instance);
        await recorder.StartAsync(cancellationToken);
        var events = new PeerNodeEvents(recorder);

        events.Report(new SkippedPeer("node-b", "Node 'node-b': annotation flannel.alpha.coreos.com/backend-data has VtepMAC \"zz\", expected aa:bb:cc:dd:ee:ff"));
        events.Report(new SkippedPeer("node-c", "Node 'node-c': annotation flannel.alpha.coreos.com/backend-type is missing") { IsIncomplete = true });

        while (api.Requests.Count < 1) await Task.Delay(20, cancellationToken);
        await Task.Delay(200, cancellationToken);
        await recorder.StopAsync(cancellationToken);
        var post = JsonDocument.Parse(api.Requests.Single().Body).RootElement;
        Assert.That(post.GetProperty("regarding").GetProperty("name").GetString(), Is.EqualTo("node-b"), "a peer that has not published yet posts nothing");
        Assert.That(post.GetProperty("reason").GetString(), Is.EqualTo("PeerNodeUnusable"));
        Assert.That(post.GetProperty("note").GetString(), Does.Contain("VtepMAC").And.Contain("node-a"));
    }
}
