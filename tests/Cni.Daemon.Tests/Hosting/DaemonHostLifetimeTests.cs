using Cni.Daemon.Tests.EndToEnd;
using Cni.Hcn.Memory;
using Cni.Node.Configuration;
using Cni.Node.Ipam;

namespace Cni.Daemon.Tests.Hosting;

/// <summary>What the host owns is let go when it stops and is disposed: the socket file, the state dir's lock, the dataplane.</summary>
[TestFixture]
[NonParallelizable]
public sealed class DaemonHostLifetimeTests
{
    [Test]
    public async Task DisposeAsync_AfterStart_SocketRemovedAndStateDirFreeForTheNextDaemon()
    {
        using var sandbox = new Sandbox();
        var daemon = await InProcessDaemon.StartAsync(sandbox);
        Assert.That(File.Exists(sandbox.Socket), Is.True);

        await daemon.DisposeAsync();

        Assert.That(File.Exists(sandbox.Socket), Is.False, "socket file removed on stop");
        await using var next = await IpamStore.OpenAsync(
            new IpamOptions { StateDirectory = sandbox.StateDir, Mode = NetworkMode.L2Bridge, PodCidrs = [Sandbox.PodCidr] },
            TimeProvider.System,
            null,
            CancellationToken.None);
        Assert.That(next.GetUsage(), Has.Count.EqualTo(1), "the state dir's lock was released");
    }

    [Test]
    public async Task DisposeAsync_TwoDaemonsOneAfterTheOther_SecondStartsOnTheSameStateDir()
    {
        using var sandbox = new Sandbox();
        await (await InProcessDaemon.StartAsync(sandbox)).DisposeAsync();

        await using var second = await InProcessDaemon.StartAsync(sandbox);

        Assert.That(second.Network.IsReady, Is.True);
        Assert.That(second.Hcn, Is.InstanceOf<MemoryHcn>());
    }
}
