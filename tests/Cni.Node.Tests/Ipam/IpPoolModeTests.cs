using System.Net;
using Cni.Node.Configuration;
using Cni.Node.Ipam;

namespace Cni.Node.Tests.Ipam;

/// <summary>The reservation table of the nat, transparent and l2tunnel modes.</summary>
public sealed class IpPoolModeTests
{
    private static StaticPoolOptions Pool(string gateway = "192.168.50.254", string start = "192.168.50.100", string end = "192.168.50.149") => new()
    {
        Subnet = IPNetwork.Parse("192.168.50.0/24"),
        Gateway = IPAddress.Parse(gateway),
        RangeStart = IPAddress.Parse(start),
        RangeEnd = IPAddress.Parse(end),
    };

    [TestCase(NetworkMode.Nat)]
    [TestCase(NetworkMode.L2Tunnel)]
    public void Create_NatOrL2Tunnel_OnlyGatewayReserved(NetworkMode mode)
    {
        var pool = IpPool.Create("10.244.1.0/24", mode);

        Assert.That(pool.Gateway, Is.EqualTo(IPAddress.Parse("10.244.1.1")));
        Assert.That(pool.HostEndpoint, Is.Null);
        Assert.That(pool.ServiceSourceVip, Is.Null);
        Assert.That(pool.AssignableCount, Is.EqualTo((UInt128)253));
    }

    [Test]
    public void Create_TransparentGatewayOutsideRange_OnlyTheRangeIsAssignable()
    {
        var pool = IpPool.Create("192.168.50.0/24", NetworkMode.Transparent, "podCIDRs[0]", Pool());

        Assert.That(pool.Gateway, Is.EqualTo(IPAddress.Parse("192.168.50.254")));
        Assert.That(pool.AssignableCount, Is.EqualTo((UInt128)50));
        Assert.That(pool.ReservationOf(IPAddress.Parse("192.168.50.254")), Is.EqualTo(ReservedAddressKind.Gateway));
    }

    [Test]
    public void Create_TransparentGatewayInsideRange_GatewayTakesOneOfTheRange()
    {
        var pool = IpPool.Create("192.168.50.0/24", NetworkMode.Transparent, "podCIDRs[0]", Pool(gateway: "192.168.50.100"));

        Assert.That(pool.AssignableCount, Is.EqualTo((UInt128)49));
    }

    [Test]
    public async Task Reserve_TransparentPool_HandsOutOnlyRangeAddresses()
    {
        var dir = Directory.CreateTempSubdirectory("wincni-ipam-tp-").FullName;
        try
        {
            await using var store = await IpamStore.OpenAsync(
                new IpamOptions
                {
                    StateDirectory = dir, Mode = NetworkMode.Transparent, PodCidrs = ["192.168.50.0/24"], StaticPool = Pool(end: "192.168.50.101"),
                    QuarantinePeriod = TimeSpan.Zero,
                },
                TimeProvider.System,
                Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance,
                CancellationToken.None);
            var owner = new LeaseOwner("ext");
            var first = await store.ReserveAsync(new LeaseKey("c1", "eth0"), owner, CancellationToken.None);
            var second = await store.ReserveAsync(new LeaseKey("c2", "eth0"), owner, CancellationToken.None);
            await Task.WhenAll(first.Durable, second.Durable);

            Assert.That(new[] { first.Lease.Addresses[0].Address, second.Lease.Addresses[0].Address }.Select(a => a.ToString()).Order(),
                Is.EqualTo(new[] { "192.168.50.100", "192.168.50.101" }));
            Assert.ThrowsAsync<IpamExhaustedException>(() => store.ReserveAsync(new LeaseKey("c3", "eth0"), owner, CancellationToken.None));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestCase("192.168.60.1", "192.168.50.100", "192.168.50.149", "staticPool.gateway: 192.168.60.1 is not inside staticPool.subnet")]
    [TestCase("192.168.50.254", "192.168.50.150", "192.168.50.149", "staticPool.rangeEnd: 192.168.50.149 comes before staticPool.rangeStart")]
    [TestCase("192.168.50.254", "192.168.50.0", "192.168.50.149", "staticPool.rangeStart: 192.168.50.0 is the network or broadcast address")]
    public void Create_TransparentBadPool_ErrorNamesTheField(string gateway, string start, string end, string expected)
    {
        var ex = Assert.Throws<ArgumentException>(() => IpPool.Create("192.168.50.0/24", NetworkMode.Transparent, "podCIDRs[0]", Pool(gateway, start, end)));

        Assert.That(ex!.Message, Does.StartWith(expected));
    }

    [Test]
    public void Create_TransparentWithoutPool_ErrorNamesStaticPool()
    {
        var ex = Assert.Throws<ArgumentException>(() => IpPool.Create("192.168.50.0/24", NetworkMode.Transparent));

        Assert.That(ex!.ParamName, Is.EqualTo("staticPool"));
    }
}
