using System.Text.Json;
using Cni.E2E.Harness;
using Cni.LocalCluster;

namespace Cni.E2E;

/// <summary>
/// podman 4.3's CNI backend (libcni via containers/common) as the CNI client of the published wincni + wincnid
/// (kernel dataplane): VERSION with dummy env before ADD and DEL, CNI_NETNS=/run/netns/netns-&lt;uuid&gt;, K8S_POD_NAME.
/// </summary>
[TestFixture]
[Category("Kernel")]
[NonParallelizable]
public sealed class PodmanTests
{
    [SetUp]
    public void RequirePodman() => E2EGuard.Require("podman", "runc", "nsenter");

    [Test]
    [CancelAfter(300_000)]
    public async Task PodmanRun_TwoContainers_ReachEachOtherAndGatewayAndLeaveNothingBehind(CancellationToken cancellationToken)
    {
        await using var cluster = await StandaloneCluster.StartAsync(cancellationToken);
        var node = await cluster.AddNodeAsync(cancellationToken);
        await using var podman = await Podman.StartAsync(node, cancellationToken);
        var gateway = node.AddressInPodCidr(2);
        var names = new[] { ClusterRun.UniqueName("pm"), ClusterRun.UniqueName("pm") };
        var addresses = new List<string>();

        foreach (var name in names)
        {
            var run = await podman.RunAsync(["run", "-d", "--pull=never", "--name", name, "--network", ClusterNode.NetworkName, BusyboxImage.Reference, "sleep", "120"], cancellationToken);
            Assert.That(run.Succeeded, Is.True, $"podman run {name}: {run}\n{node.Log()}");
            var inspect = await podman.RunAsync(["inspect", name], cancellationToken);
            using var json = JsonDocument.Parse(inspect.Stdout);
            var address = json.RootElement[0].GetProperty("NetworkSettings").GetProperty("Networks").GetProperty(ClusterNode.NetworkName).GetProperty("IPAddress").GetString();
            Assert.That(address, Does.StartWith("10.244.1."), inspect.ToString());
            addresses.Add(address!);
        }

        var state = await NodeState.ReadAsync(node, cancellationToken);
        Assert.That(state.Endpoints, Has.Count.EqualTo(2), state.ToString());
        Assert.That(await PingAsync(podman, names[1], addresses[0], cancellationToken), Is.True, $"{names[1]} → {names[0]} {addresses[0]}");
        Assert.That(await PingAsync(podman, names[0], addresses[1], cancellationToken), Is.True, $"{names[0]} → {names[1]} {addresses[1]}");
        Assert.That(await PingAsync(podman, names[0], gateway, cancellationToken), Is.True, $"{names[0]} → gateway {gateway}");

        // podman rm tears the network down: CNI DEL with the netns path still valid.
        var removed = await podman.RunAsync(["rm", "--force", "--time", "0", .. names], cancellationToken);
        Assert.That(removed.Succeeded, Is.True, removed.ToString());

        var after = await NodeState.ReadAsync(node, cancellationToken);
        Assert.That(after.Endpoints, Is.Empty, $"no wincni endpoint remains: {after}\n{node.Log()}");
        Assert.That(after.LeasedContainers, Is.Empty, $"no lease remains: {after}");
        var namespaces = await PersistedObjects.NamespacesAsync(node, cancellationToken);
        Assert.That(namespaces, Has.Count.EqualTo(1), "only the host namespace object is left");
    }

    private static async Task<bool> PingAsync(Podman podman, string container, string address, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if ((await podman.RunAsync(["exec", container, "ping", "-c", "1", "-W", "1", address], cancellationToken)).Succeeded)
            {
                return true;
            }
        }

        return false;
    }
}
