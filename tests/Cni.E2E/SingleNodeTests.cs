using Cni.E2E.Harness;
using Cni.LocalCluster;

namespace Cni.E2E;

/// <summary>One node running the published wincnid (kernel dataplane); pods added and deleted through the published wincni.</summary>
[TestFixture]
[Category("Kernel")]
[NonParallelizable]
public sealed class SingleNodeTests
{
    private const int EchoPort = 7000;

    [SetUp]
    public void RequireKernel() => E2EGuard.Require();

    [Test]
    [CancelAfter(120_000)]
    public async Task Add_TwoPodsOnOneNode_PodsReachEachOtherAndTheGatewayOverIcmpAndTcp(CancellationToken cancellationToken)
    {
        await using var cluster = await StandaloneCluster.StartAsync(cancellationToken);
        var node = await cluster.AddNodeAsync(cancellationToken);
        var a = await cluster.AddPodAsync(node, cancellationToken);
        var b = await cluster.AddPodAsync(node, cancellationToken);

        Assert.That(a.Address, Is.Not.EqualTo(b.Address));
        Assert.That(await a.ReachAsync(b.Address!, cancellationToken), Is.Not.Null, $"{a.Name} → {b.Name} {b.Address}");
        Assert.That(await b.ReachAsync(a.Address!, cancellationToken), Is.Not.Null, $"{b.Name} → {a.Name} {a.Address}");
        Assert.That(await a.ReachAsync(a.Gateway!, cancellationToken), Is.Not.Null, $"{a.Name} → its gateway {a.Gateway}");
        Assert.That(await b.ReachAsync(node.BridgeAddress, cancellationToken), Is.Not.Null, $"{b.Name} → bridge {node.BridgeAddress}");

        await b.StartEchoServerAsync(EchoPort, cancellationToken);
        Assert.That(await a.EchoAsync(b.Address!, EchoPort, "hello from a", cancellationToken), Is.EqualTo("hello from a"));
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task Add_NetnsPathDoesNotExist_FailsWithCode3AndLeavesNothing(CancellationToken cancellationToken)
    {
        await using var cluster = await StandaloneCluster.StartAsync(cancellationToken);
        var node = await cluster.AddNodeAsync(cancellationToken);
        var pod = await cluster.CreatePodAsync(node, cancellationToken);
        await Netns.DeleteAsync(pod.Netns, cancellationToken); // the sandbox is gone before ADD

        var result = await pod.InvokeAsync("ADD", cancellationToken);

        Assert.That(result.ExitCode, Is.Not.Zero, result.ToString());
        Assert.That(result.Stdout, Does.Contain("\"code\":3").And.Contain("CNI_NETNS"), result.ToString());
        var state = await NodeState.ReadAsync(node, cancellationToken);
        Assert.That(state.Endpoints, Is.Empty, state.ToString());
        Assert.That(state.LeasedContainers, Is.Empty, state.ToString());
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task Del_PodOnOneNode_RemovesEndpointLeaseAndVeth(CancellationToken cancellationToken)
    {
        await using var cluster = await StandaloneCluster.StartAsync(cancellationToken);
        var node = await cluster.AddNodeAsync(cancellationToken);
        var linksBefore = await node.LinksAsync(cancellationToken);
        var pod = await cluster.AddPodAsync(node, cancellationToken);

        var added = await NodeState.ReadAsync(node, cancellationToken);
        Assert.That(added.EndpointOf(pod.ContainerId), Is.Not.Null, added.ToString());
        Assert.That(added.LeasedContainers, Does.Contain(pod.ContainerId));
        Assert.That((await node.LinksAsync(cancellationToken)).Count, Is.EqualTo(linksBefore.Count + 1), "one host-side veth per pod");

        await pod.DelAsync(cancellationToken);
        await pod.DelAsync(cancellationToken); // idempotent

        var deleted = await NodeState.ReadAsync(node, cancellationToken);
        Assert.That(deleted.EndpointOf(pod.ContainerId), Is.Null, deleted.ToString());
        Assert.That(deleted.LeasedContainers, Does.Not.Contain(pod.ContainerId));

        // DEL answers with the veth down; the kernel deletes it in the background, within moments.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var nodeLinks = await node.LinksAsync(cancellationToken);
        var podLinks = await Netns.LinksAsync(pod.Netns, cancellationToken);
        while ((nodeLinks.Count != linksBefore.Count || podLinks.Count != 1) && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20, cancellationToken);
            nodeLinks = await node.LinksAsync(cancellationToken);
            podLinks = await Netns.LinksAsync(pod.Netns, cancellationToken);
        }

        Assert.That(nodeLinks.Keys, Is.EquivalentTo(linksBefore.Keys), "the pod's veth is gone from the node");
        Assert.That(podLinks.Keys, Is.EquivalentTo(new[] { "lo" }), "eth0 is gone from the pod");

        var metrics = await Netns.ExecAsync(node.Netns, ["busybox", "wget", "-q", "-O", "-", $"http://{ClusterNode.HealthAddress}/metrics"], cancellationToken);
        Assert.That(metrics.Stdout, Does.Contain("wincni_kernel_retired_links 0").And.Contain("wincni_kernel_link_reap_batches_total 1"), metrics.ToString());
    }
}
