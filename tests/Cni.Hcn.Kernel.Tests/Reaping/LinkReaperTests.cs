using System.Globalization;
using Cni.Hcn.Kernel.Namespaces;
using Cni.Hcn.Kernel.Naming;
using Cni.Hcn.Kernel.Netlink;
using Cni.Hcn.Kernel.Reaping;
using Cni.Hcn.Kernel.Tests.Support;
using Cni.Hcn.Model;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cni.Hcn.Kernel.Tests.Reaping;

/// <summary>Retired veths: down at once, deleted in the background in group batches, and reaped after a crash.</summary>
[TestFixture]
[Category("Kernel")]
[NonParallelizable]
public sealed class LinkReaperTests
{
    private static readonly string GroupText = LinkReaper.Group.ToString(CultureInfo.InvariantCulture);
    private TestNetns _netns = null!;
    private string _node = null!;

    [SetUp]
    public void SetUp()
    {
        KernelTestGuard.Require();
        _netns = new TestNetns();
        _node = _netns.Create("rp-node");
    }

    [TearDown]
    public void TearDown() => _netns?.Dispose();

    [Test]
    [CancelAfter(30_000)]
    public async Task Retire_VethIntoPod_DownAtOnceThenBothSidesDeletedInTheBackground(CancellationToken cancellationToken)
    {
        _netns.Create("rp-pod");
        _netns.Ip("rp-node", $"link add rpx0 type veth peer name eth0 netns {_netns.NameOf("rp-pod")}");
        _netns.Ip("rp-node", "link set rpx0 up");
        using var host = NetnsThread.Run(_node, RtnetlinkClient.Open);
        using var reaper = new LinkReaper(NetnsThread.Run(_node, RtnetlinkClient.Open), NullLogger.Instance);
        var link = host.GetLink("rpx0")!;

        Assert.That(reaper.Retire(host, link.Index), Is.True);
        var after = host.GetLink("rpx0");
        Assert.That(after is null || (!after.IsUp && after.Group == LinkReaper.Group), Is.True, "down and tagged the moment Retire returns");

        while (host.GetLink("rpx0") is not null || reaper.Pending > 0)
        {
            await Task.Delay(20, cancellationToken);
        }

        Assert.That(_netns.Ip("rp-pod", "-o link show"), Does.Not.Contain("eth0"), "the pod side went with it");
    }

    [Test]
    [CancelAfter(30_000)]
    public void ReapNow_SeveralTaggedVeths_AllDeletedInOneKernelBatch()
    {
        using var reaper = new LinkReaper(NetnsThread.Run(_node, RtnetlinkClient.Open), NullLogger.Instance);
        for (var i = 0; i < 5; i++)
        {
            _netns.Ip("rp-node", $"link add rpb{i} type veth peer name rpc{i}");
            _netns.Ip("rp-node", $"link set rpb{i} group {GroupText}");
        }

        _netns.Ip("rp-node", "link add keep0 type veth peer name keep1");

        Assert.That(reaper.ReapNow(), Is.True);
        Assert.That(reaper.Batches, Is.EqualTo(1));
        var links = _netns.Ip("rp-node", "-o link show");
        Assert.That(links, Does.Not.Contain("rpb").And.Not.Contain("rpc"));
        Assert.That(links, Does.Contain("keep0").And.Contain("keep1"), "links outside the group are untouched");
        Assert.That(reaper.ReapNow(), Is.False, "nothing left");
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task FirstCall_VethsRetiredBeforeACrash_ReapedAtStart(CancellationToken cancellationToken)
    {
        var state = Directory.CreateTempSubdirectory("wincni-kernel-rp-").FullName;
        try
        {
            _netns.Ip("rp-node", "link add wcleft0 type veth peer name wpleft0");
            _netns.Ip("rp-node", $"link set wcleft0 down group {GroupText}");
            using var hcn = new KernelHcn(new KernelHcnOptions { StateDirectory = state, HostNetnsPath = _node, NetnsNamePrefix = _netns.Prefix + "k-" });

            await hcn.EnumerateNetworksAsync(null, cancellationToken);

            Assert.That(_netns.Ip("rp-node", "-o link show"), Does.Not.Contain("wcleft0").And.Not.Contain("wpleft0"));
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task AddNamespaceEndpoint_NameHeldByARetiredVeth_ReapsItAndAttaches(CancellationToken cancellationToken)
    {
        var state = Directory.CreateTempSubdirectory("wincni-kernel-rp-").FullName;
        try
        {
            using var hcn = new KernelHcn(new KernelHcnOptions { StateDirectory = state, HostNetnsPath = _node, NetnsNamePrefix = _netns.Prefix + "k-" });
            IHcn api = hcn;
            var network = await api.CreateNetworkAsync(new HostComputeNetwork
            {
                Name = "rp-" + Guid.NewGuid().ToString("N")[..6],
                Type = NetworkType.L2Bridge,
                Ipams = [new Ipam { Subnets = [new Subnet { IpAddressPrefix = "10.204.0.0/24", Routes = [new Route { NextHop = "10.204.0.1", DestinationPrefix = "0.0.0.0/0" }] }] }],
            }, cancellationToken);
            var endpoint = await api.CreateEndpointAsync(network.Id, new HostComputeEndpoint
            {
                Name = "rp-ep",
                IpConfigurations = [new IpConfig { IpAddress = "10.204.0.5", PrefixLength = 24 }],
            }, cancellationToken);
            var pod = _netns.Create("rp-again");

            // What a DEL leaves for a moment: the old pair, down and tagged, still holding eth0 in the pod.
            _netns.Ip("rp-node", $"link add wcold0 type veth peer name eth0 netns {_netns.NameOf("rp-again")}");
            _netns.Ip("rp-node", $"link set wcold0 down group {GroupText}");
            var ns = await api.CreateNamespaceAsync(new HostComputeNamespace
            {
                Type = NamespaceType.Host,
                Resources = [new NamespaceResource { Type = NamespaceResourceType.Container, Data = new() { Id = pod } }],
            }, cancellationToken);

            await api.AddNamespaceEndpointAsync(ns.Id, endpoint.Id, cancellationToken);

            Assert.That(_netns.Ip("rp-again", "-o addr show eth0"), Does.Contain("10.204.0.5/24"));
            Assert.That(_netns.Ip("rp-node", "-o link show"), Does.Not.Contain("wcold0").And.Contain(DeviceNames.HostVeth(endpoint.Id)));
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }
}
