using System.Net;
using Cni.Hcn.Kernel.Conntrack;

namespace Cni.Hcn.Kernel.Tests.Conntrack;

/// <summary>Matching conntrack entries against a stale-flow filter.</summary>
[TestFixture]
public sealed class ConntrackFilterTests
{
    private static readonly IPAddress Vip = IPAddress.Parse("10.96.0.60");
    private static readonly IPAddress Node = IPAddress.Parse("192.168.200.1");
    private static readonly IPEndPoint Removed = new(IPAddress.Parse("10.201.1.10"), 5353);

    [Test]
    public void Matches_VipAndRemovedBackend_True()
    {
        var filter = new ConntrackFilter(17, Vip, 53, new HashSet<IPEndPoint> { Removed });

        Assert.That(filter.Matches(Entry(Vip, Removed), _ => false), Is.True);
    }

    [Test]
    public void Matches_OtherBackendOtherPortOtherProtocolOrOtherVip_False()
    {
        var filter = new ConntrackFilter(17, Vip, 53, new HashSet<IPEndPoint> { Removed });

        Assert.That(filter.Matches(Entry(Vip, new IPEndPoint(IPAddress.Parse("10.201.1.12"), 5353)), _ => false), Is.False);
        Assert.That(filter.Matches(Entry(Vip, new IPEndPoint(Removed.Address, 5354)), _ => false), Is.False);
        Assert.That(filter.Matches(Entry(Vip, Removed, protocol: 6), _ => false), Is.False);
        Assert.That(filter.Matches(Entry(Vip, Removed, port: 54), _ => false), Is.False);
        Assert.That(filter.Matches(Entry(IPAddress.Parse("10.96.0.61"), Removed), _ => false), Is.False);
    }

    [Test]
    public void Matches_AnyReplySource_EveryFlowToTheFrontend()
    {
        var filter = new ConntrackFilter(17, Vip, 53, ReplySources: null);

        Assert.That(filter.Matches(Entry(Vip, new IPEndPoint(Vip, 53)), _ => false), Is.True);
    }

    [Test]
    public void Matches_NodePort_LocalAddressesOnlyNotLoopback()
    {
        var filter = new ConntrackFilter(17, null, 30053, new HashSet<IPEndPoint> { Removed });
        bool IsLocal(IPAddress a) => a.Equals(Node) || IPAddress.IsLoopback(a);

        Assert.That(filter.Matches(Entry(Node, Removed, port: 30053), IsLocal), Is.True);
        Assert.That(filter.Matches(Entry(IPAddress.Parse("192.168.200.9"), Removed, port: 30053), IsLocal), Is.False);
        Assert.That(filter.Matches(Entry(IPAddress.Loopback, Removed, port: 30053), IsLocal), Is.False);
    }

    private static ConntrackEntry Entry(IPAddress destination, IPEndPoint replySource, byte protocol = 17, ushort port = 53)
    {
        var client = IPAddress.Parse("10.201.1.11");
        return new ConntrackEntry(
            new ConntrackTuple(protocol, client, destination, 40000, port),
            new ConntrackTuple(protocol, replySource.Address, client, (ushort)replySource.Port, 40000),
            Zone: 0, Id: 1);
    }
}
