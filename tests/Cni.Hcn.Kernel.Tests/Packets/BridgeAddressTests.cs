using System.Globalization;
using Cni.Hcn.Kernel.Tests.Support;

namespace Cni.Hcn.Kernel.Tests.Packets;

/// <summary>
/// The node bridge's MAC is pinned: pods cache it as their gateway's, so it must not follow the lowest port MAC as
/// ports come and go (found by the upgrade drill, where pods created every 100 ms cut running pods off the other node).
/// </summary>
[TestFixture]
[Category("Kernel")]
[NonParallelizable]
public sealed class BridgeAddressTests
{
    // linux/netdevice.h NET_ADDR_SET: the address was set by a user, so the bridge keeps it whatever its ports are.
    private const string NetAddrSet = "3";

    [Test]
    [CancelAfter(120_000)]
    public async Task Network_ManyPodsAdded_BridgeMacSetAndUnchangedAndRunningPodKeepsCrossNodeTraffic(CancellationToken cancellationToken)
    {
        KernelTestGuard.Require();
        await using var dp = new TwoNodeDataplane();
        await dp.BuildAsync(cancellationToken);
        var bridge = Cni.Hcn.Kernel.Layout.NetworkLayout.From(dp.Overlay1).Bridge;
        var (first, _) = await dp.AddPodAsync(dp.Node1, dp.Overlay1, "o1a", "10.201.1.10", cancellationToken);
        var (remote, _) = await dp.AddPodAsync(dp.Node2, dp.Overlay2, "o2a", "10.201.2.10", cancellationToken);
        Assert.That(Traffic.Ping(first, "10.201.2.10"), Is.True, "before");
        var mac = Mac(dp, bridge);

        for (var i = 0; i < 12; i++)
        {
            await dp.AddPodAsync(dp.Node1, dp.Overlay1, string.Create(CultureInfo.InvariantCulture, $"o1x{i}"), string.Create(CultureInfo.InvariantCulture, $"10.201.1.{20 + i}"), cancellationToken);
        }

        Assert.That(KernelTestGuard.Run("ip", $"netns exec {dp.Netns.NameOf("node1")} cat /sys/class/net/{bridge}/addr_assign_type").Trim(), Is.EqualTo(NetAddrSet));
        Assert.That(Mac(dp, bridge), Is.EqualTo(mac), "12 new ports (random MACs, most likely some lower) left the bridge's MAC alone");
        Assert.That(Traffic.Ping(first, "10.201.2.10"), Is.True, "the first pod's cached gateway MAC still reaches the node");
        Assert.That(Traffic.Ping(remote, "10.201.1.10"), Is.True);
    }

    private static string Mac(TwoNodeDataplane dp, string bridge) =>
        dp.Netns.Ip("node1", $"-br link show dev {bridge}").Split(' ', StringSplitOptions.RemoveEmptyEntries)[2];
}
