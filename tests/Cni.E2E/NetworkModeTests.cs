using System.Text.Json;
using Cni.E2E.Harness;
using Cni.LocalCluster;

namespace Cni.E2E;

/// <summary>
/// The nat and transparent modes end to end with the published wincnid and wincni (kernel dataplane), standalone
/// nodes on the local cluster's underlay (192.168.200.0/24, which has no route to any pod CIDR).
/// </summary>
[TestFixture]
[Category("Kernel")]
[NonParallelizable]
public sealed class NetworkModeTests
{
    private const int HostPort = 8088;
    private const int ServerPort = 8080;

    [SetUp]
    public void RequireKernel() => E2EGuard.Require();

    [Test]
    [CancelAfter(120_000)]
    public async Task Nat_OneNode_PodsReachOutsideMasqueradedAndEachOtherAndTheOutsideReachesAHostPort(CancellationToken cancellationToken)
    {
        await using var cluster = await Cni.LocalCluster.LocalCluster.StartAsync(new LocalClusterOptions { Mode = "nat", Kubernetes = false }, cancellationToken);
        var node = await cluster.AddNodeAsync(cancellationToken);
        var outside = await cluster.AddUnderlayHostAsync(cancellationToken);
        var a = await cluster.AddPodAsync(node, cancellationToken);
        var b = await cluster.CreatePodAsync(node, cancellationToken);
        var withPorts = node.NetConf[..^1]
            + ""","capabilities":{"portMappings":true},"runtimeConfig":{"portMappings":[{"hostPort":"""
            + HostPort.ToString(System.Globalization.CultureInfo.InvariantCulture) + ""","containerPort":"""
            + ServerPort.ToString(System.Globalization.CultureInfo.InvariantCulture) + ""","protocol":"tcp"}]}}""";
        var added = await b.InvokeAsync("ADD", "eth0", withPorts, cancellationToken);
        Assert.That(added.Succeeded, Is.True, added.ToString());
        var bAddress = JsonDocument.Parse(added.Stdout).RootElement.GetProperty("ips")[0].GetProperty("address").GetString()!.Split('/')[0];
        try
        {
            await b.StartNameServerAsync(ServerPort, cancellationToken);

            // The underlay has no route to the pod CIDR: an answer means the pod's address was translated.
            Assert.That(await a.ReachAsync(outside.Address, cancellationToken), Is.Not.Null, $"{a.Name} → outside host {outside.Address}");
            Assert.That(await a.ReachAsync(bAddress, cancellationToken), Is.Not.Null, $"{a.Name} → {b.Name} {bAddress}");
            Assert.That(await cluster.ConnectFromUnderlayAsync(node.Address, HostPort, cancellationToken), Is.EqualTo(b.Name), "underlay → node hostPort");
            Assert.That(await a.EchoAsync(bAddress, ServerPort, "", cancellationToken), Is.EqualTo(b.Name), "pod → pod over TCP");
            Assert.ThrowsAsync<InvalidOperationException>(() => cluster.AddNodeAsync(cancellationToken), "nat is single-node");
        }
        finally
        {
            await b.InvokeAsync("DEL", "eth0", withPorts, CancellationToken.None);
        }
    }

    [Test]
    [CancelAfter(180_000)]
    public async Task Transparent_TwoNodes_PodsAreUnderlayHostsAtTheirOwnAddresses(CancellationToken cancellationToken)
    {
        await using var cluster = await Cni.LocalCluster.LocalCluster.StartAsync(new LocalClusterOptions { Mode = "transparent", Kubernetes = false }, cancellationToken);
        var node1 = await cluster.AddNodeAsync(cancellationToken);
        var node2 = await cluster.AddNodeAsync(cancellationToken);
        var outside = await cluster.AddUnderlayHostAsync(cancellationToken);
        var a = await cluster.AddPodAsync(node1, cancellationToken);
        var b = await cluster.AddPodAsync(node1, cancellationToken);
        var c = await cluster.AddPodAsync(node2, cancellationToken);
        await a.StartNameServerAsync(ServerPort, cancellationToken);
        await c.StartNameServerAsync(ServerPort, cancellationToken);

        Assert.That(new[] { a.Address, b.Address }, Is.EqualTo(new[] { "192.168.200.100", "192.168.200.101" }), "node 1's static pool");
        Assert.That(c.Address, Is.EqualTo("192.168.200.110"), "node 2's static pool");
        Assert.That(a.Gateway, Is.EqualTo(Cni.LocalCluster.LocalCluster.TransparentGateway));

        // Another machine on the underlay reaches each pod at the pod's own address, no node in between.
        var fromOutside = await Netns.ExecAsync(outside.Netns, ["busybox", "nc", "-w", "2", a.Address!, "8080"], cancellationToken, stdin: "", timeout: TimeSpan.FromSeconds(10));
        Assert.That(fromOutside.Stdout.Trim(), Is.EqualTo(a.Name), fromOutside.ToString());
        Assert.That(await cluster.ConnectFromUnderlayAsync(c.Address!, ServerPort, cancellationToken), Is.EqualTo(c.Name));
        Assert.That(await a.ReachAsync(outside.Address, cancellationToken), Is.Not.Null, $"{a.Name} → outside host {outside.Address}");
        Assert.That(await b.EchoAsync(a.Address!, ServerPort, "", cancellationToken), Is.EqualTo(a.Name), "two pods on one node");
        Assert.That(await b.EchoAsync(c.Address!, ServerPort, "", cancellationToken), Is.EqualTo(c.Name), "pods on two nodes");
        var link = await Netns.ExecAsync(a.Netns, ["ip", "-d", "link", "show", "eth0"], cancellationToken);
        Assert.That(link.Stdout, Does.Contain("macvlan mode bridge"), link.ToString());
    }
}
