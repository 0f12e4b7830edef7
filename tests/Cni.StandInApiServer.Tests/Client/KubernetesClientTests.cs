using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Cni.StandInApiServer.Tests.Client;

/// <summary>The real C# client (KubernetesClient 21.0.8) against the stand-in, configured from its kubeconfig.</summary>
public sealed class KubernetesClientTests
{
    private ServerHarness _h = null!;
    private string _kubeconfig = null!;
    private Kubernetes _client = null!;

    [SetUp]
    public async Task SetUp()
    {
        _h = await ServerHarness.StartAsync();
        _kubeconfig = _h.Server.WriteKubeconfig(Path.Combine(Path.GetTempPath(), $"standin-{Guid.NewGuid():N}.kubeconfig"));
        _client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(_kubeconfig));
    }

    [TearDown]
    public async Task TearDown()
    {
        _client.Dispose();
        File.Delete(_kubeconfig);
        await _h.DisposeAsync();
    }

    private static V1Node Node(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["kubernetes.io/os"] = "windows" } },
        Spec = new V1NodeSpec { PodCIDR = "10.244.3.0/24" },
    };

    [Test]
    public async Task CreateGetList_Node_RoundTrips()
    {
        var created = await _client.CoreV1.CreateNodeAsync(Node("win-1"));
        var got = await _client.CoreV1.ReadNodeAsync("win-1");
        var list = await _client.CoreV1.ListNodeAsync(labelSelector: "kubernetes.io/os=windows");
        Assert.That(created.Metadata.Uid, Is.Not.Empty);
        Assert.That(got.Spec.PodCIDR, Is.EqualTo("10.244.3.0/24"));
        Assert.That(got.Metadata.CreationTimestamp, Is.Not.Null);
        Assert.That(list.Items.Select(n => n.Metadata.Name), Is.EqualTo(new[] { "win-1" }));
        Assert.That(list.Metadata.ResourceVersion, Is.Not.Empty);
    }

    [Test]
    public async Task PatchNodeStatus_StrategicMerge_MergesConditionsAndKeepsAnnotations()
    {
        await _client.CoreV1.CreateNodeAsync(Node("win-1"));
        var patch = new V1Patch(
            """
            {"metadata":{"annotations":{"flannel.alpha.coreos.com/public-ip":"10.0.0.7"}},
             "status":{"conditions":[{"type":"Ready","status":"True","reason":"KubeletReady"}],
                       "addresses":[{"type":"InternalIP","address":"10.0.0.7"}]}}
            """, V1Patch.PatchType.StrategicMergePatch);
        var patched = await _client.CoreV1.PatchNodeStatusAsync(patch, "win-1");
        Assert.That(patched.Status.Conditions.Single().Type, Is.EqualTo("Ready"));
        Assert.That(patched.Status.Addresses.Single().Address, Is.EqualTo("10.0.0.7"));
        Assert.That(patched.Metadata.Annotations["flannel.alpha.coreos.com/public-ip"], Is.EqualTo("10.0.0.7"));
    }

    [Test]
    public async Task PatchNode_MergePatch_SetsLabel()
    {
        await _client.CoreV1.CreateNodeAsync(Node("win-1"));
        var patched = await _client.CoreV1.PatchNodeAsync(
            new V1Patch("""{"metadata":{"labels":{"a":"b"}}}""", V1Patch.PatchType.MergePatch), "win-1");
        Assert.That(patched.Metadata.Labels["a"], Is.EqualTo("b"));
    }

    [Test]
    public async Task ReadNode_Missing_ThrowsWith404()
    {
        var e = Assert.ThrowsAsync<HttpOperationException>(async () => await _client.CoreV1.ReadNodeAsync("nope"));
        Assert.That(e!.Response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(e.Response.Content, Does.Contain("\"reason\":\"NotFound\""));
    }

    [Test]
    public async Task ReplaceNode_Stale_ThrowsWith409()
    {
        var node = await _client.CoreV1.CreateNodeAsync(Node("win-1"));
        await _client.CoreV1.PatchNodeAsync(new V1Patch("""{"metadata":{"labels":{"a":"b"}}}""", V1Patch.PatchType.MergePatch), "win-1");
        var e = Assert.ThrowsAsync<HttpOperationException>(async () => await _client.CoreV1.ReplaceNodeAsync(node, "win-1"));
        Assert.That(e!.Response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
    }

    [Test]
    public async Task WatchAsync_Nodes_SeesSyntheticAddedThenModifiedAndDeleted()
    {
        await _client.CoreV1.CreateNodeAsync(Node("win-1"));
        using var cts = new CancellationTokenSource(ServerHarness.Patience);
        var response = _client.CoreV1.ListNodeWithHttpMessagesAsync(watch: true, allowWatchBookmarks: true, cancellationToken: cts.Token);
        var seen = new List<string>();

        // The List...WithHttpMessagesAsync(watch: true) + WatchAsync<T, L>() path is obsolete in 21.x but still what
        // many callers use; the non-obsolete WatchList...Async is covered by the other watch tests.
#pragma warning disable CS0618
        await foreach (var (type, node) in response.WatchAsync<V1Node, V1NodeList>(cancellationToken: cts.Token))
#pragma warning restore CS0618
        {
            seen.Add($"{type} {node.Metadata.Name}");
            if (seen.Count == 1)
            {
                await _client.CoreV1.PatchNodeAsync(new V1Patch("""{"spec":{"unschedulable":true}}""", V1Patch.PatchType.MergePatch), "win-1");
            }
            else if (seen.Count == 2)
            {
                await _client.CoreV1.DeleteNodeAsync("win-1");
            }
            else
            {
                break;
            }
        }

        Assert.That(seen, Is.EqualTo(new[] { "Added win-1", "Modified win-1", "Deleted win-1" }));
    }

    [Test]
    public async Task Watch_Bookmarks_AreDeliveredAsBookmarkEvents()
    {
        await using var h = await ServerHarness.StartAsync(new StandInApiServerOptions { BookmarkInterval = TimeSpan.FromMilliseconds(100) });
        var path = h.Server.WriteKubeconfig(Path.Combine(Path.GetTempPath(), $"standin-{Guid.NewGuid():N}.kubeconfig"));
        try
        {
            using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(path));
            using var cts = new CancellationTokenSource(ServerHarness.Patience);
            var rv = (await client.CoreV1.ListNodeAsync(cancellationToken: cts.Token)).Metadata.ResourceVersion;
            await foreach (var (type, node) in client.CoreV1.WatchListNodeAsync(allowWatchBookmarks: true, resourceVersion: rv,
                cancellationToken: cts.Token))
            {
                Assert.That(type, Is.EqualTo(WatchEventType.Bookmark));
                Assert.That(node.Metadata.ResourceVersion, Is.EqualTo(rv));
                break;
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public async Task Watch_ExpiredVersion_SurfacesErrorEvent()
    {
        await _client.CoreV1.CreateNodeAsync(Node("win-1"));
        var rv = (await _client.CoreV1.ListNodeAsync()).Metadata.ResourceVersion;
        await _client.CoreV1.CreateNodeAsync(Node("win-2"));
        _h.Server.CompactHistory();
        using var cts = new CancellationTokenSource(ServerHarness.Patience);
        var types = new List<WatchEventType>();
        Exception? error = null;
        await foreach (var (type, _) in _client.CoreV1.WatchListNodeAsync(resourceVersion: rv, onError: e => error = e, cancellationToken: cts.Token))
        {
            types.Add(type);
        }

        Assert.That(types.Concat(error is null ? [] : [WatchEventType.Error]), Does.Contain(WatchEventType.Error));
    }

    [Test]
    public async Task Services_CreateAndList_AllocatesClusterIp()
    {
        var svc = new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["app"] = "web" }, Ports = [new V1ServicePort { Port = 80 }] },
        };
        var created = await _client.CoreV1.CreateNamespacedServiceAsync(svc, "default");
        var all = await _client.CoreV1.ListServiceForAllNamespacesAsync();
        Assert.That(created.Spec.ClusterIP, Does.StartWith("10.96."));
        Assert.That(created.Spec.Ports[0].TargetPort.Value, Is.EqualTo("80"));
        Assert.That(all.Items.Select(s => s.Metadata.Name), Is.EqualTo(new[] { "web" }));
        var deleted = await _client.CoreV1.DeleteNamespacedServiceAsync("web", "default");
        Assert.That(deleted.Metadata.Name, Is.EqualTo("web"));
    }

    [Test]
    public async Task EndpointSlices_CreateListWatch_Work()
    {
        var slice = new V1EndpointSlice
        {
            Metadata = new V1ObjectMeta { Name = "web-1", Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = "web" } },
            AddressType = "IPv4",
            Endpoints = [new V1Endpoint { Addresses = ["10.244.1.5"], Conditions = new V1EndpointConditions { Ready = true } }],
            Ports = [new Discoveryv1EndpointPort { Port = 8080 }],
        };
        await _client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(slice, "default");
        var list = await _client.DiscoveryV1.ListEndpointSliceForAllNamespacesAsync(labelSelector: "kubernetes.io/service-name=web");
        Assert.That(list.Items.Single().Endpoints.Single().Addresses.Single(), Is.EqualTo("10.244.1.5"));
        Assert.That(list.Items.Single().Ports.Single().Protocol, Is.EqualTo("TCP"));

        using var cts = new CancellationTokenSource(ServerHarness.Patience);
        await foreach (var (type, item) in _client.DiscoveryV1.WatchListNamespacedEndpointSliceAsync("default", cancellationToken: cts.Token))
        {
            Assert.That((type, item.Metadata.Name), Is.EqualTo((WatchEventType.Added, "web-1")));
            break;
        }

        var status = await _client.DiscoveryV1.DeleteNamespacedEndpointSliceAsync("web-1", "default");
        Assert.That(status.Status, Is.EqualTo("Success"));
    }

    [Test]
    public async Task Pods_CreateReplaceStatusListByNodeWatchDelete_Work()
    {
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "web-1", Labels = new Dictionary<string, string> { ["app"] = "web" } },
            Spec = new V1PodSpec
            {
                NodeName = "win-1",
                Containers = [new V1Container { Name = "main", Image = "busybox:1.36", Ports = [new V1ContainerPort { Name = "http", ContainerPort = 8080 }] }],
            },
        };
        var created = await _client.CoreV1.CreateNamespacedPodAsync(pod, "default");
        created.Status.Phase = "Running";
        created.Status.PodIP = "10.244.1.5";
        created.Status.PodIPs = [new V1PodIP { Ip = "10.244.1.5" }];
        created.Status.Conditions = [new V1PodCondition { Type = "Ready", Status = "True", LastTransitionTime = DateTime.UtcNow }];
        var running = await _client.CoreV1.ReplaceNamespacedPodStatusAsync(created, "web-1", "default");
        var onNode = await _client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: "spec.nodeName=win-1");
        Assert.That(created.Spec.Containers.Single().Ports.Single().Protocol, Is.EqualTo("TCP"));
        Assert.That(running.Status.PodIPs.Single().Ip, Is.EqualTo("10.244.1.5"));
        Assert.That(onNode.Items.Single().Status.Conditions.Single().Status, Is.EqualTo("True"));

        using var cts = new CancellationTokenSource(ServerHarness.Patience);
        await foreach (var (type, item) in _client.CoreV1.WatchListNamespacedPodAsync("default", fieldSelector: "spec.nodeName=win-1", cancellationToken: cts.Token))
        {
            Assert.That((type, item.Status.Phase), Is.EqualTo((WatchEventType.Added, "Running")));
            break;
        }

        var deleted = await _client.CoreV1.DeleteNamespacedPodAsync("web-1", "default", gracePeriodSeconds: 0);
        Assert.That(deleted.Metadata.Name, Is.EqualTo("web-1"));
        Assert.That(_h.Server.Store.List<V1Pod>(), Is.Empty);
    }
}
