using System.Net;
using System.Net.Sockets;
using Cni.Hcn.Kernel.Conntrack;
using Cni.Hcn.Kernel.Namespaces;
using Cni.Hcn.Kernel.Tests.Support;

namespace Cni.Hcn.Kernel.Tests.Conntrack;

/// <summary>The ctnetlink client against the real kernel, in a throwaway namespace whose loopback UDP is tracked.</summary>
[TestFixture]
[Category("Kernel")]
[NonParallelizable]
public sealed class ConntrackClientKernelTests
{
    private TestNetns _netns = null!;
    private string _path = null!;
    private ConntrackClient _client = null!;

    [OneTimeSetUp]
    public void SetUp()
    {
        KernelTestGuard.Require();
        _netns = new TestNetns();
        _path = _netns.Create("ct");

        // A rule that uses conntrack makes the namespace track its packets.
        _netns.Nft("ct", "add table ip t");
        _netns.Nft("ct", "add chain ip t o { type filter hook output priority 0 ; }");
        _netns.Nft("ct", "add rule ip t o ct state new accept");
        _client = NetnsThread.Run(_path, ConntrackClient.Open);
    }

    [OneTimeTearDown]
    public void TearDown()
    {
        _client?.Dispose();
        _netns?.Dispose();
    }

    [Test]
    public void ListAndDelete_UdpFlow_ListedWithTuplesThenGone()
    {
        const int Port = 40053;
        var sourcePort = NetnsThread.Run(_path, () =>
        {
            using var server = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
            server.Bind(new IPEndPoint(IPAddress.Loopback, Port));
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
            client.Connect(IPAddress.Loopback, Port);
            client.Send("x"u8);
            return ((IPEndPoint)client.LocalEndPoint!).Port;
        });

        var entry = _client.List().SingleOrDefault(e => e.Original.DestinationPort == Port);

        Assert.That(entry, Is.Not.Null, "the flow is not in the dump");
        Assert.That(entry!.Original, Is.EqualTo(new ConntrackTuple(17, IPAddress.Loopback, IPAddress.Loopback, (ushort)sourcePort, Port)));
        Assert.That(entry.Reply, Is.EqualTo(new ConntrackTuple(17, IPAddress.Loopback, IPAddress.Loopback, Port, (ushort)sourcePort)));
        Assert.That(entry.Id, Is.Not.Null);
        Assert.That(_client.Delete(entry), Is.True);
        Assert.That(_client.List().Any(e => e.Original.DestinationPort == Port), Is.False);
        Assert.That(_client.Delete(entry), Is.False, "deleting a gone entry is not an error");
    }
}
