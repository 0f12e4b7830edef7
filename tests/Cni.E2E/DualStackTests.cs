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
}
