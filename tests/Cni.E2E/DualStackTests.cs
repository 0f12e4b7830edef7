using Cni.E2E.Harness;
using Cni.LocalCluster;

namespace Cni.E2E;

/// <summary>
/// A dual-stack L2Bridge node on the kernel dataplane (published wincnid, pods added through the published wincni):
/// what ADD answers is what the pod has, in both families, and pods talk over both (issue 13, "IPv6 answered, not
/// configured": the pod used to get only its IPv4 address while the result listed both).
/// </summary>
[TestFixture]
[Category("Kernel")]
[NonParallelizable]
public sealed class DualStackTests
{
    private const int EchoPort = 7000;

    [SetUp]
    public void RequireKernel() => E2EGuard.Require();

    [Test]
    [CancelAfter(120_000)]
    public async Task Add_DualStackL2BridgeNode_PodHasEveryAnsweredAddressAndRouteAndTalksOverBothFamilies(CancellationToken cancellationToken)
    {
        await using var cluster = await Cni.LocalCluster.LocalCluster.StartAsync(
            new LocalClusterOptions { Mode = "l2bridge", Kubernetes = false, DualStack = true }, cancellationToken);
        var node = await cluster.AddNodeAsync(cancellationToken);
        var a = await cluster.AddPodAsync(node, cancellationToken);
        var b = await cluster.AddPodAsync(node, cancellationToken);

        Assert.That(a.Address6, Is.Not.Null, "ADD answered an IPv6 address");
        Assert.That(a.Gateway6, Is.EqualTo("fd00:10:244:1::2"), "L2Bridge pods route through the host endpoint ::2");
        var addresses = await Netns.ExecCheckAsync(a.Netns, ["ip", "-o", "addr", "show", "dev", "eth0", "scope", "global"], cancellationToken);
        Assert.That(addresses, Does.Contain($"inet {a.Address}/24").And.Contain($"inet6 {a.Address6}/64").And.Not.Contain("tentative"));
        Assert.That(await Netns.ExecCheckAsync(a.Netns, ["ip", "-6", "route", "show", "default"], cancellationToken), Does.Contain($"default via {a.Gateway6} dev eth0"));
        Assert.That(await Netns.ExecCheckAsync(a.Netns, ["ip", "-4", "route", "show", "default"], cancellationToken), Does.Contain($"default via {a.Gateway} dev eth0"));

        Assert.That(await a.ReachAsync(b.Address6!, cancellationToken), Is.Not.Null, $"{a.Name} → {b.Name} {b.Address6}");
        Assert.That(await a.ReachAsync(a.Gateway6!, cancellationToken), Is.Not.Null, $"{a.Name} → its IPv6 gateway");
        Assert.That(await a.ReachAsync(b.Address!, cancellationToken), Is.Not.Null, $"{a.Name} → {b.Name} {b.Address}");
        await b.StartEchoServerAsync(EchoPort, cancellationToken);
        Assert.That(await a.EchoAsync(b.Address6!, EchoPort, "hello over IPv6", cancellationToken), Is.EqualTo("hello over IPv6"));
        Assert.That(await a.EchoAsync(b.Address!, EchoPort, "hello over IPv4", cancellationToken), Is.EqualTo("hello over IPv4"));
    }

    [Test]
    [CancelAfter(180_000)]
    public async Task Add_DualStackL2BridgeNodesWithKubernetes_PodsReachEachOtherAcrossNodesOverIpv6(CancellationToken cancellationToken)
    {
        // Each wincnid learns both pod CIDRs and the peer's IPv6 InternalIP from the Nodes, and routes the peer's IPv6
        // pod CIDR via it (SDN route → a kernel route in the node namespace).
        await using var cluster = await Cni.LocalCluster.LocalCluster.StartAsync(
            new LocalClusterOptions { Mode = "l2bridge", DualStack = true }, cancellationToken);
        var n1 = await cluster.AddNodeAsync(cancellationToken);
        var n2 = await cluster.AddNodeAsync(cancellationToken);
        await WaitForIpv6RouteAsync(n1, n2.PodCidr6, n2.Address6, cancellationToken);
        await WaitForIpv6RouteAsync(n2, n1.PodCidr6, n1.Address6, cancellationToken);
        var a = await cluster.AddPodAsync(n1, cancellationToken);
        var b = await cluster.AddPodAsync(n2, cancellationToken);

        Assert.That(await a.ReachAsync(b.Address6!, cancellationToken), Is.Not.Null, $"{a.Name} on {n1.NodeName} → {b.Name} {b.Address6} on {n2.NodeName}");
        Assert.That(await a.ReachAsync(b.Address!, cancellationToken), Is.Not.Null, $"{a.Name} → {b.Name} {b.Address}");
        await b.StartEchoServerAsync(EchoPort, cancellationToken);
        Assert.That(await a.EchoAsync(b.Address6!, EchoPort, "across nodes over IPv6", cancellationToken), Is.EqualTo("across nodes over IPv6"));
    }

    private static async Task WaitForIpv6RouteAsync(ClusterNode node, string prefix, string via, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var routes = await Netns.ExecCheckAsync(node.Netns, ["ip", "-6", "route", "show"], cancellationToken);
            if (routes.Split('\n').Any(l => l.StartsWith(prefix + " via " + via + " ", StringComparison.Ordinal)))
            {
                return;
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                Assert.Fail($"route {prefix} via {via} on {node.NodeName} missing after 30 s:\n{routes}\n{node.Log()}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }
}
