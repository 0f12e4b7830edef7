using System.Net;
using Cni.Node.Configuration;
using Cni.Node.Networks;

namespace Cni.Node.Tests.Networks;

public sealed class StaticPoolAddressingSourceTests
{
    [Test]
    public async Task GetAsync_NodeWithAPodCidr_PoolSubnetReplacesItAndNodeIpStays()
    {
        var inner = new StaticNodeAddressingSource(new NodeOptions { PodCidrs = [IPNetwork.Parse("10.244.1.0/24")], NodeIp = IPAddress.Parse("192.168.50.10") });
        var source = new StaticPoolAddressingSource(inner, [IPNetwork.Parse("192.168.50.0/24")]);

        var node = await source.GetAsync(CancellationToken.None);

        Assert.That(node!.PodCidrs, Is.EqualTo(new[] { IPNetwork.Parse("192.168.50.0/24") }));
        Assert.That(node.NodeIp, Is.EqualTo(IPAddress.Parse("192.168.50.10")));
    }

    [Test]
    public async Task GetAsync_InnerNotKnownYet_Null()
    {
        var source = new StaticPoolAddressingSource(new StaticNodeAddressingSource(new NodeOptions()), [IPNetwork.Parse("192.168.50.0/24")]);

        Assert.That(await source.GetAsync(CancellationToken.None), Is.Null);
    }
}
