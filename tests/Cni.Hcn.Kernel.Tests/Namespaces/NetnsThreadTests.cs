using System.Net;
using System.Net.Sockets;
using Cni.Hcn.Kernel.Namespaces;
using Cni.Hcn.Kernel.Netlink;
using Cni.Hcn.Kernel.Tests.Support;

namespace Cni.Hcn.Kernel.Tests.Namespaces;

/// <summary>Entering namespaces on dedicated threads, and creating/removing namespaces without a process.</summary>
[TestFixture]
[Category("Kernel")]
[NonParallelizable]
public sealed class NetnsThreadTests
{
    private TestNetns _netns = null!;

    [OneTimeSetUp]
    public void SetUp()
    {
        KernelTestGuard.Require();
        _netns = new TestNetns();
    }

    [OneTimeTearDown]
    public void TearDown() => _netns?.Dispose();

    [Test]
    public void Run_InsideNamespace_SeesThatNamespaceAndCallerStaysOutside()
    {
        var path = _netns.Create("thr");
        var outside = File.ReadAllText("/proc/sys/net/ipv4/ip_forward");
        var callerNs = new FileInfo("/proc/thread-self/ns/net").LinkTarget;

        var inside = NetnsThread.Run(path, () => new FileInfo("/proc/thread-self/ns/net").LinkTarget);

        Assert.That(inside, Is.Not.EqualTo(callerNs));
        Assert.That(new FileInfo("/proc/thread-self/ns/net").LinkTarget, Is.EqualTo(callerNs));
        Assert.That(File.ReadAllText("/proc/sys/net/ipv4/ip_forward"), Is.EqualTo(outside));
    }

    [Test]
    public void Run_SocketCreatedInside_StaysBoundToThatNamespace()
    {
        var path = _netns.Create("sock");
        _netns.Ip("sock", "addr add 10.77.0.1/24 dev lo");

        // 10.77.0.1 exists only in the test namespace: binding to it works only if the socket lives there.
        using var socket = NetnsThread.Run(path, () => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp));
        Assert.DoesNotThrow(() => socket.Bind(new IPEndPoint(IPAddress.Parse("10.77.0.1"), 0)));
    }

    [Test]
    public void Run_ActionThrows_ExceptionSurfacesWithItsType()
    {
        var path = _netns.Create("throw");

        Assert.Throws<InvalidOperationException>(() => NetnsThread.Run(path, () => throw new InvalidOperationException("boom")));
    }

    [Test]
    public void Run_MissingNamespace_ThrowsNetnsNotFound()
    {
        var ex = Assert.Throws<NetnsException>(() => NetnsThread.Run("/var/run/netns/" + _netns.Prefix + "missing", () => 1));

        Assert.That(ex!.IsNotFound, Is.True);
    }

    [Test]
    public void CreateAndDelete_NewNamespace_UsableAndGoneAfterwards()
    {
        var path = "/var/run/netns/" + _netns.Prefix + "files";
        NetnsFiles.Create(path);
        try
        {
            using var client = NetnsThread.Run(path, RtnetlinkClient.Open);
            Assert.That(client.ListLinks().Select(l => l.Name), Is.EqualTo(new[] { "lo" }));
            Assert.Throws<NetnsException>(() => NetnsFiles.Create(path));
        }
        finally
        {
            Assert.That(NetnsFiles.Delete(path), Is.True);
        }

        Assert.That(File.Exists(path), Is.False);
        Assert.That(NetnsFiles.Delete(path), Is.False);
    }
}
