using System.Net;
using System.Net.NetworkInformation;
using Cni.Hcn.Kernel.Namespaces;
using Cni.Hcn.Kernel.Netlink;
using Cni.Hcn.Kernel.Tests.Support;

namespace Cni.Hcn.Kernel.Tests.Netlink;

/// <summary>The rtnetlink client against the real kernel, in a throwaway namespace (read back with iproute2).</summary>
[TestFixture]
[Category("Kernel")]
[NonParallelizable]
public sealed class RtnetlinkClientKernelTests
{
    private TestNetns _netns = null!;
    private string _path = null!;
    private RtnetlinkClient _client = null!;

    [OneTimeSetUp]
    public void SetUp()
    {
        KernelTestGuard.Require();
        _netns = new TestNetns();
        _path = _netns.Create("nl");
        _client = NetnsThread.Run(_path, RtnetlinkClient.Open);
    }

    [OneTimeTearDown]
    public void TearDown()
    {
        _client?.Dispose();
        _netns?.Dispose();
    }

    [Test]
    public void CreateBridge_New_VisibleInNamespaceOnlyAndDeletable()
    {
        _client.CreateBridge("tbr0", 1400);
        var link = _client.GetLink("tbr0");

        Assert.That(link, Is.Not.Null);
        Assert.That(link!.Kind, Is.EqualTo("bridge"));
        Assert.That(link.Mtu, Is.EqualTo(1400));
        Assert.That(_netns.Ip("nl", "-o link show tbr0"), Does.Contain("tbr0"));
        Assert.That(_client.DeleteLink("tbr0"), Is.True);
        Assert.That(_client.GetLink("tbr0"), Is.Null);
    }

    [Test]
    public void CreateBridge_Twice_ThrowsEexist()
    {
        _client.CreateBridge("tbr1");
        try
        {
            var ex = Assert.Throws<NetlinkException>(() => _client.CreateBridge("tbr1"));
            Assert.That(ex!.IsAlreadyExists, Is.True);
            Assert.That(ex.Message, Does.Contain("EEXIST"));
        }
        finally
        {
            _client.DeleteLink("tbr1");
        }
    }

    [Test]
    public void CreateVeth_OnBridgeWithAddress_PortUpAndAddressed()
    {
        _client.CreateBridge("tbr2");
        var bridge = _client.GetLink("tbr2")!;
        _client.SetLink(bridge.Index, new LinkChange { Up = true });
        _client.AddAddress(bridge.Index, IPAddress.Parse("10.99.0.1"), 24);
        _client.AddAddress(bridge.Index, IPAddress.Parse("10.99.0.1"), 24);
        var mac = PhysicalAddress.Parse("02-AA-BB-CC-DD-01");
        _client.CreateVeth("tvh", "tvp", 1450, mac);
        var host = _client.GetLink("tvh")!;
        _client.SetLink(host.Index, new LinkChange { MasterIndex = bridge.Index, Up = true });

        Assert.That(_client.GetLink("tvh")!.MasterIndex, Is.EqualTo(bridge.Index));
        Assert.That(_client.GetLink("tvp")!.Mac, Is.EqualTo(mac));
        Assert.That(_client.GetLink("tvp")!.Mtu, Is.EqualTo(1450));
        Assert.That(_client.ListAddresses(), Does.Contain((bridge.Index, IPAddress.Parse("10.99.0.1"), 24)));
        _client.DeleteLink("tvh");
        _client.DeleteLink("tbr2");
        Assert.That(_client.GetLink("tvp"), Is.Null);
    }

    [Test]
    public void CreateVxlan_RouteNeighFdb_FlannelLayoutProgrammed()
    {
        _client.CreateVxlan("tvx", 4242, 4789, IPAddress.Parse("192.0.2.1"), 0, PhysicalAddress.Parse("0E-2A-00-00-00-01"), 1450);
        var vx = _client.GetLink("tvx")!;
        _client.SetLink(vx.Index, new LinkChange { Up = true });
        var remoteMac = PhysicalAddress.Parse("0E-2A-00-00-00-02");
        _client.ReplaceRoute(new RouteSpec(IPNetwork.Parse("10.98.2.0/24"), IPAddress.Parse("10.98.2.0"), vx.Index, OnLink: true));
        _client.ReplaceRoute(new RouteSpec(IPNetwork.Parse("10.98.2.0/24"), IPAddress.Parse("10.98.2.0"), vx.Index, OnLink: true));
        _client.ReplaceNeighbor(vx.Index, IPAddress.Parse("10.98.2.0"), remoteMac);
        _client.ReplaceFdb(vx.Index, remoteMac, IPAddress.Parse("192.0.2.2"));

        Assert.That(vx.VxlanId, Is.EqualTo(4242));
        Assert.That(vx.VxlanPort, Is.EqualTo(4789));
        Assert.That(vx.VxlanLocal, Is.EqualTo(IPAddress.Parse("192.0.2.1")));
        Assert.That(_netns.Ip("nl", "-d link show tvx"), Does.Contain("nolearning"));
        Assert.That(_netns.Ip("nl", "route show 10.98.2.0/24"), Does.Contain("via 10.98.2.0 dev tvx").And.Contain("onlink"));
        Assert.That(_netns.Ip("nl", "neigh show dev tvx"), Does.Contain("10.98.2.0 lladdr 0e:2a:00:00:00:02 PERMANENT"));
        Assert.That(KernelTestGuard.Run("bridge", $"-n {_netns.NameOf("nl")} fdb show dev tvx"), Does.Contain("0e:2a:00:00:00:02 dst 192.0.2.2 self permanent"));

        Assert.That(_client.DeleteFdb(vx.Index, remoteMac, IPAddress.Parse("192.0.2.2")), Is.True);
        Assert.That(_client.DeleteNeighbor(vx.Index, IPAddress.Parse("10.98.2.0")), Is.True);
        Assert.That(_client.DeleteRoute(new RouteSpec(IPNetwork.Parse("10.98.2.0/24"), IPAddress.Parse("10.98.2.0"), vx.Index, OnLink: true)), Is.True);
        Assert.That(_client.DeleteRoute(new RouteSpec(IPNetwork.Parse("10.98.2.0/24"), IPAddress.Parse("10.98.2.0"), vx.Index, OnLink: true)), Is.False);
        _client.DeleteLink("tvx");
    }

    [Test]
    public void SetLink_MoveToOtherNamespaceAndRename_AppearsThereConfigured()
    {
        var podPath = _netns.Create("nlpod");
        try
        {
            _client.CreateVeth("tmh", "tmp", 0, null);
            var peer = _client.GetLink("tmp")!;
            var fd = NetnsThread.Open(podPath);
            try
            {
                _client.SetLink(peer.Index, new LinkChange { NetnsFd = fd });
            }
            finally
            {
                Interop.Libc.Close(fd);
            }

            using var pod = NetnsThread.Run(podPath, RtnetlinkClient.Open);
            var moved = pod.GetLink("tmp")!;
            pod.SetLink(moved.Index, new LinkChange { Name = "eth0", Up = true });
            pod.AddAddress(moved.Index, IPAddress.Parse("10.97.0.2"), 24);

            Assert.That(_client.GetLink("tmp"), Is.Null);
            Assert.That(_netns.Ip("nlpod", "-4 -o addr show eth0"), Does.Contain("10.97.0.2/24"));
        }
        finally
        {
            _client.DeleteLink("tmh");
            _netns.Delete("nlpod");
        }
    }

    [Test]
    public void GetLink_Missing_ReturnsNull()
    {
        Assert.That(_client.GetLink("nope0"), Is.Null);
        Assert.That(_client.DeleteLink("nope0"), Is.False);
    }
}
