using Cni.E2E.Harness;
using Cni.LocalCluster;

namespace Cni.E2E;

/// <summary>
/// The pod's interface as the published wincni and wincnid (kernel dataplane) leave it: named CNI_IFNAME, several per
/// pod, checked by CHECK inside the pod, and made again by a repeated ADD after it was deleted out of band.
/// </summary>
[TestFixture]
[Category("Kernel")]
[NonParallelizable]
public sealed class PodInterfaceTests
{
    [SetUp]
    public void RequireKernel() => E2EGuard.Require();

    [Test]
    [CancelAfter(120_000)]
    public async Task Add_SecondAttachmentNet1_PodHasEth0AndNet1AndDelOfNet1LeavesEth0(CancellationToken cancellationToken)
    {
        await using var cluster = await StandaloneCluster.StartAsync(cancellationToken);
        var node = await cluster.AddNodeAsync(cancellationToken);
        var pod = await cluster.AddPodAsync(node, cancellationToken);

        var net1 = await pod.InvokeAsync("ADD", "net1", node.NetConf, cancellationToken);
        Assert.That(net1.Succeeded, Is.True, net1 + "\n" + node.Log());
        var net1Address = CniResultText.Address(net1.Stdout);
        var both = await PodInterfaces.ReadAsync(pod.Netns, cancellationToken);
        var del = await pod.InvokeAsync("DEL", "net1", node.NetConf, cancellationToken);
        var after = await PodInterfaces.ReadAsync(pod.Netns, cancellationToken);

        Assert.That(CniResultText.InterfaceName(net1.Stdout), Is.EqualTo("net1"));
        Assert.That(both.ProblemWith("eth0", pod.Address + "/24", pod.Gateway), Is.Null, both.ToString());
        Assert.That(both.Named("net1")?.Addresses, Does.Contain(net1Address), both.ToString());
        Assert.That(del.Succeeded, Is.True, del.ToString());
        Assert.That(after.Named("net1"), Is.Null, after.ToString());
        Assert.That(after.ProblemWith("eth0", pod.Address + "/24", pod.Gateway), Is.Null, after.ToString());
        Assert.That(await pod.ReachAsync(pod.Gateway!, cancellationToken), Is.Not.Null, "eth0 still carries traffic");
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task Check_InterfaceDeletedOutOfBand_FailsNamingItAndARepeatedAddMakesItAgain(CancellationToken cancellationToken)
    {
        await using var cluster = await StandaloneCluster.StartAsync(cancellationToken);
        var node = await cluster.AddNodeAsync(cancellationToken);
        var pod = await cluster.CreatePodAsync(node, cancellationToken);
        var added = await pod.InvokeAsync("ADD", cancellationToken);
        Assert.That(added.Succeeded, Is.True, added + "\n" + node.Log());
        var check = CniResultText.WithPrevResult(node.NetConf, added.Stdout);
        var before = await pod.InvokeAsync("CHECK", "eth0", check, cancellationToken);

        await Netns.ExecCheckAsync(pod.Netns, ["ip", "link", "del", "eth0"], cancellationToken);
        var broken = await pod.InvokeAsync("CHECK", "eth0", check, cancellationToken);
        var reported = await InterfaceInStatusAsync(node, cancellationToken);
        var again = await pod.InvokeAsync("ADD", cancellationToken);
        var actual = await PodInterfaces.ReadAsync(pod.Netns, cancellationToken);
        var after = await pod.InvokeAsync("CHECK", "eth0", check, cancellationToken);

        Assert.That(before.Succeeded, Is.True, before.ToString());
        Assert.That(broken.Succeeded, Is.False, "CHECK must not call a pod without its interface fine");
        Assert.That(broken.Stdout, Does.Contain("interface 'eth0' is missing in " + Netns.PathOf(pod.Netns)), broken.ToString());
        Assert.That(reported, Does.StartWith("eth0: ").And.Contain("there is no interface eth0 in network namespace " + Netns.PathOf(pod.Netns)), "wincnid status reports it");
        Assert.That(again.Succeeded, Is.True, again + "\n" + node.Log());
        Assert.That(CniResultText.Address(again.Stdout), Is.EqualTo(CniResultText.Address(added.Stdout)), "the same address");
        Assert.That(actual.ProblemWith("eth0", CniResultText.Address(added.Stdout), CniResultText.Gateway(added.Stdout)), Is.Null, actual.ToString());
        Assert.That(after.Succeeded, Is.True, after.ToString());
        Assert.That(await Netns.PingAsync(pod.Netns, CniResultText.Gateway(added.Stdout)!, cancellationToken), Is.True);
        Assert.That(await InterfaceInStatusAsync(node, cancellationToken), Is.EqualTo("eth0: ok"));
    }

    /// <summary>What <c>wincnid status --json</c> says about the node's one pod endpoint's interface.</summary>
    private static async Task<string?> InterfaceInStatusAsync(ClusterNode node, CancellationToken cancellationToken)
    {
        using var status = await node.StatusAsync(cancellationToken);
        return status.RootElement.GetProperty("endpoints").EnumerateArray()
            .Single(e => e.GetProperty("owned").GetBoolean())
            .GetProperty("interface").GetString();
    }
}
