using System.Net;
using Cni.Node.Configuration;
using Cni.Node.Kubernetes.Cache;
using Cni.Node.Kubernetes.Flannel;
using Cni.Node.Kubernetes.Nodes;
using Cni.Node.Networks;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static Cni.Node.Tests.Kubernetes.KubernetesTestObjects;

namespace Cni.Node.Tests.Kubernetes.Nodes;

public sealed class KubernetesNodeAddressingSourceTests
{
    private const string NodePublicIp = FlannelAnnotations.DefaultPrefix + "/node-public-ip";

    private static async Task<(NodeAddressing? Info, string? Reason)> GetAsync(NodeOptions options, params V1Node[] nodes)
    {
        var (info, reason, _) = await GetWithProblemAsync(options, nodes);
        return (info, reason);
    }

    private static async Task<(NodeAddressing? Info, string? Reason, NodeNetworkProblem? Problem)> GetWithProblemAsync(NodeOptions options, params V1Node[] nodes)
    {
        var cache = new ResourceCache<V1Node>(new InMemoryListWatchSource(nodes), new FakeTimeProvider(), NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        var run = cache.RunAsync(stop.Token);
        await cache.WaitForSyncAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
        var source = new KubernetesNodeAddressingSource(cache, "n1", options);

        var info = await source.GetAsync(CancellationToken.None);

        await stop.CancelAsync();
        await run;
        return (info, source.NotReadyReason, ((INodeAddressingSource)source).Waiting?.Problem);
    }

    [Test]
    public async Task GetAsync_CacheNotSynced_NullWithReason()
    {
        var cache = new ResourceCache<V1Node>(new InMemoryListWatchSource(), new FakeTimeProvider(), NullLogger.Instance);
        var source = new KubernetesNodeAddressingSource(cache, "n1", new NodeOptions());

        Assert.That(await source.GetAsync(CancellationToken.None), Is.Null);
        Assert.That(source.NotReadyReason, Does.Contain("first list of Nodes"));
        Assert.That(source.Waiting?.Problem, Is.EqualTo(NodeNetworkProblem.NodeFactsUnavailable));
    }

    [Test]
    public async Task GetAsync_NoPodCidrNoConfig_WaitingIsPodCidrMissingThenNothingOnceKnown()
    {
        var (info, reason, problem) = await GetWithProblemAsync(new NodeOptions(), NodeObject("n1", "1", internalIp: "192.0.2.10"));
        var (known, _, none) = await GetWithProblemAsync(new NodeOptions(), NodeObject("n1", "1", "10.244.1.0/24", internalIp: "192.0.2.10"));

        Assert.That((info, problem), Is.EqualTo(((NodeAddressing?)null, (NodeNetworkProblem?)NodeNetworkProblem.PodCidrMissing)));
        Assert.That(reason, Does.Contain("spec.podCIDRs"));
        Assert.That(known, Is.Not.Null);
        Assert.That(none, Is.Null);
    }

    [Test]
    public async Task GetAsync_NodeMissing_NullNamingTheNode()
    {
        var (info, reason) = await GetAsync(new NodeOptions(), NodeObject("other", "1", "10.244.9.0/24"));

        Assert.That(info, Is.Null);
        Assert.That(reason, Does.Contain("'n1'"));
    }

    [Test]
    public async Task GetAsync_NoPodCidrNoConfig_WaitsForControllerManager()
    {
        var (info, reason) = await GetAsync(new NodeOptions(), NodeObject("n1", "1", internalIp: "192.0.2.10"));

        Assert.That(info, Is.Null);
        Assert.That(reason, Is.EqualTo("waiting for Node 'n1' to get spec.podCIDRs from the controller manager (or set podCIDRs in the node config)"));
    }

    [Test]
    public async Task GetAsync_NoPodCidrButConfig_UsesConfigFallback()
    {
        var options = new NodeOptions { PodCidrs = [IPNetwork.Parse("10.244.7.0/24")] };

        var (info, reason) = await GetAsync(options, NodeObject("n1", "1", internalIp: "192.0.2.10"));

        Assert.That(info!.PodCidrs, Is.EqualTo(new[] { IPNetwork.Parse("10.244.7.0/24") }));
        Assert.That(info.NodeIp, Is.EqualTo(IPAddress.Parse("192.0.2.10")));
        Assert.That(reason, Is.Null);
    }

    [Test]
    public async Task GetAsync_NodeHasPodCidrAndConfigToo_NodeWins()
    {
        var options = new NodeOptions { PodCidrs = [IPNetwork.Parse("10.244.7.0/24")] };

        var (info, _) = await GetAsync(options, NodeObject("n1", "1", "10.244.1.0/24", internalIp: "192.0.2.10"));

        Assert.That(info!.PodCidrs, Is.EqualTo(new[] { IPNetwork.Parse("10.244.1.0/24") }));
    }

    [Test]
    public async Task GetAsync_NodeIpPrecedence_ConfigThenAnnotationThenInternalIp()
    {
        var annotated = NodeObject("n1", "1", "10.244.1.0/24", new Dictionary<string, string> { [NodePublicIp] = "198.51.100.1" }, "192.0.2.10");

        var (fromConfig, _) = await GetAsync(new NodeOptions { NodeIp = IPAddress.Parse("192.0.2.99") }, annotated);
        var (fromAnnotation, _) = await GetAsync(new NodeOptions(), annotated);
        var (fromStatus, _) = await GetAsync(new NodeOptions(), NodeObject("n1", "1", "10.244.1.0/24", internalIp: "192.0.2.10"));
        var (none, _) = await GetAsync(new NodeOptions(), NodeObject("n1", "1", "10.244.1.0/24"));

        Assert.That(fromConfig!.NodeIp, Is.EqualTo(IPAddress.Parse("192.0.2.99")));
        Assert.That(fromAnnotation!.NodeIp, Is.EqualTo(IPAddress.Parse("198.51.100.1")));
        Assert.That(fromStatus!.NodeIp, Is.EqualTo(IPAddress.Parse("192.0.2.10")));
        Assert.That(none!.NodeIp, Is.Null, "no address known: detected downstream");
    }

    [Test]
    public async Task GetAsync_BadNodePublicIpAnnotation_NotReadyNamingIt()
    {
        var (info, reason) = await GetAsync(new NodeOptions(), NodeObject("n1", "1", "10.244.1.0/24", new Dictionary<string, string> { [NodePublicIp] = "nope" }, "192.0.2.10"));

        Assert.That(info, Is.Null);
        Assert.That(reason, Does.Contain(NodePublicIp).And.Contain("'nope'"));
    }

    [Test]
    public async Task GetAsync_MalformedPodCidr_NotReadyNamingField()
    {
        var (info, reason) = await GetAsync(new NodeOptions(), NodeObject("n1", "1", "10.244.1.0/99"));

        Assert.That(info, Is.Null);
        Assert.That(reason, Does.Contain("spec.podCIDRs[0]").And.Contain("10.244.1.0/99"));
    }

    [Test]
    public async Task GetAsync_DualStackNode_OtherFamilysInternalIpBesideTheNodeIp()
    {
        var node = NodeObject("n1", "1", "10.244.1.0/24", internalIp: "192.0.2.10");
        node.Status.Addresses = [.. node.Status.Addresses, new V1NodeAddress { Type = "InternalIP", Address = "2001:db8::10" }, new V1NodeAddress { Type = "ExternalIP", Address = "2001:db8::99" }];

        var (info, _) = await GetAsync(new NodeOptions(), node);

        Assert.That(info!.NodeIp, Is.EqualTo(IPAddress.Parse("192.0.2.10")));
        Assert.That(info.OtherFamilyIps, Is.EqualTo(new[] { IPAddress.Parse("2001:db8::10") }));
    }
}
