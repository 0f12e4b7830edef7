using Cni.E2E.Harness;

namespace Cni.E2E;

/// <summary>
/// containerd 1.6 (<c>ctr run --cni</c>, go-cni/libcni) as the CNI client of the published wincni + wincnid (kernel
/// dataplane): ADD with CNI_NETNS=/proc/&lt;pid&gt;/ns/net, DEL with an empty CNI_NETNS after the task is gone.
/// </summary>
[TestFixture]
[Category("Kernel")]
[NonParallelizable]
public sealed class ContainerdTests
{
    [SetUp]
    public void RequireContainerd() => E2EGuard.Require("containerd", "ctr", "runc", "nsenter");

    [Test]
    [CancelAfter(240_000)]
    public async Task CtrRunCni_TwoContainers_ReachEachOtherAndGatewayAndLeaveNothingBehind(CancellationToken cancellationToken)
    {
        await using var cluster = await StandaloneCluster.StartAsync(cancellationToken);
        var node = await cluster.AddNodeAsync(cancellationToken);
        await using var containerd = await Containerd.StartAsync(node, cancellationToken);
        var gateway = node.AddressInPodCidr(2);
        var names = new[] { ClusterRun.UniqueName("c"), ClusterRun.UniqueName("c") };

        var first = containerd.RunForeground(names[0], ["sleep", "120"]);
        var second = containerd.RunForeground(names[1], ["sleep", "120"]);
        await containerd.WaitRunningAsync(names[0], first, cancellationToken);
        await containerd.WaitRunningAsync(names[1], second, cancellationToken);
        var ip0 = await Containerd.WaitForLeaseAsync(node, "default-" + names[0], cancellationToken);
        var ip1 = await Containerd.WaitForLeaseAsync(node, "default-" + names[1], cancellationToken);

        var address = await containerd.ExecAsync(names[0], ["ip", "-4", "addr", "show", "eth0"], cancellationToken);
        Assert.That(address.Stdout, Does.Contain(ip0 + "/24"), address.ToString());
        Assert.That(await PingAsync(containerd, names[1], ip0, cancellationToken), Is.True, $"{names[1]} → {names[0]} {ip0}");
        Assert.That(await PingAsync(containerd, names[0], ip1, cancellationToken), Is.True, $"{names[0]} → {names[1]} {ip1}");
        Assert.That(await PingAsync(containerd, names[0], gateway, cancellationToken), Is.True, $"{names[0]} → gateway {gateway}");

        // Removing them: the task dies, the foreground ctr calls DEL (empty CNI_NETNS) and removes the container.
        foreach (var (name, foreground) in names.Zip(new[] { first, second }))
        {
            var killed = await containerd.CtrAsync(["task", "kill", "-s", "KILL", name], cancellationToken);
            Assert.That(killed.Succeeded, Is.True, killed.ToString());
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(TimeSpan.FromSeconds(60));
            await foreground.WaitForExitAsync(wait.Token);
        }

        // A short-lived container end to end: ADD, ping the gateway from inside, exit, DEL.
        var third = ClusterRun.UniqueName("c");
        var once = containerd.RunForeground(third, ["sh", "-c", $"ping -c1 -W2 {gateway} || ping -c1 -W2 {gateway}"]);
        using (var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            wait.CancelAfter(TimeSpan.FromSeconds(60));
            await once.WaitForExitAsync(wait.Token);
        }

        Assert.That(once.ExitCode, Is.Zero, containerd.ForegroundLog(third));

        var state = await NodeState.ReadAsync(node, cancellationToken);
        Assert.That(state.Endpoints, Is.Empty, $"no wincni endpoint remains: {state}\n{node.Log()}");
        Assert.That(state.LeasedContainers, Is.Empty, $"no lease remains: {state}");
        var containers = await containerd.CtrAsync(["container", "ls", "-q"], cancellationToken);
        Assert.That(containers.Stdout.Trim(), Is.Empty, "ctr --rm removed the containers");

        // ctr's DEL names no netns, so the HCN namespace bound to the dead /proc/<pid>/ns/net outlives the endpoint
        // until the next new namespace: then it is reclaimed, and only the host namespace object remains.
        var pod = await cluster.AddPodAsync(node, cancellationToken);
        await pod.DelAsync(cancellationToken);
        var namespaces = await PersistedObjects.NamespacesAsync(node, cancellationToken);
        Assert.That(namespaces, Has.Count.EqualTo(1), "only the host namespace object is left: " + string.Join(", ", namespaces.Select(n => n.Id)));
    }

    private static async Task<bool> PingAsync(Containerd containerd, string container, string address, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if ((await containerd.ExecAsync(container, ["ping", "-c", "1", "-W", "1", address], cancellationToken)).Succeeded)
            {
                return true;
            }
        }

        return false;
    }
}
