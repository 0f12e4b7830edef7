using System.Net;
using Cni.Node.Configuration;
using Cni.Node.Ipam;

namespace Cni.Node.Tests.Ipam;

public sealed class PoolOccupancyTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Test]
    public void Allocate_FreshL2BridgePool_StartsAfterHostEndpointAndAdvances()
    {
        var occupancy = new PoolOccupancy(IpPool.Create("10.244.1.0/24", NetworkMode.L2Bridge));

        Assert.That(occupancy.Allocate(Now), Is.EqualTo(IPAddress.Parse("10.244.1.3")));
        Assert.That(occupancy.Allocate(Now), Is.EqualTo(IPAddress.Parse("10.244.1.4")));
    }

    [TestCase("10.0.0.0/28", NetworkMode.L2Bridge)]
    [TestCase("10.0.0.0/28", NetworkMode.Overlay)]
    [TestCase("10.0.0.0/29", NetworkMode.Overlay)]
    [TestCase("fd00::/120", NetworkMode.L2Bridge)]
    [TestCase("fd00::/120", NetworkMode.Overlay)]
    public void Allocate_UntilFull_HandsOutEveryAssignableAddressOnceAndNoReservedOne(string cidr, NetworkMode mode)
    {
        var pool = IpPool.Create(cidr, mode);
        var occupancy = new PoolOccupancy(pool);
        var got = new List<IPAddress>();
        for (UInt128 i = 0; i < pool.AssignableCount; i++)
        {
            got.Add(occupancy.Allocate(Now));
        }

        IpamTestData.AssertDistinct(got);
        Assert.That(got.Select(pool.ReservationOf), Has.All.Null);
        Assert.That(got.Select(pool.Contains), Has.All.True);
        var ex = Assert.Throws<IpamExhaustedException>(() => occupancy.Allocate(Now));
        Assert.That(ex!.Leased, Is.EqualTo(got.Count));
        Assert.That(ex.Cidr, Is.EqualTo(pool.Cidr));
        Assert.That(ex.Message, Does.Contain(cidr));
    }

    [Test]
    public void Allocate_OnlyQuarantinedLeft_ReclaimsTheEarliestExpiryAndSaysSo()
    {
        var occupancy = new PoolOccupancy(IpPool.Create("10.0.0.0/29", NetworkMode.Overlay));
        var all = Enumerable.Range(0, 4).Select(_ => occupancy.Allocate(Now)).ToList();
        occupancy.Quarantine(all[3], Now.AddSeconds(40), Now);
        occupancy.Quarantine(all[1], Now.AddSeconds(30), Now);

        var first = occupancy.Allocate(Now, out var firstUntil);
        var second = occupancy.Allocate(Now, out var secondUntil);

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo(all[1]));
            Assert.That(firstUntil, Is.EqualTo(Now.AddSeconds(30)));
            Assert.That(second, Is.EqualTo(all[3]));
            Assert.That(secondUntil, Is.EqualTo(Now.AddSeconds(40)));
            Assert.That(occupancy.QuarantinedCount, Is.Zero);
            Assert.That(occupancy.QuarantineReclaimed, Is.EqualTo(2));
        });
        Assert.Throws<IpamExhaustedException>(() => occupancy.Allocate(Now));
    }

    [Test]
    public void Allocate_QuarantineExtended_ReclaimsByTheCurrentExpiry()
    {
        var occupancy = new PoolOccupancy(IpPool.Create("10.0.0.0/29", NetworkMode.Overlay));
        var all = Enumerable.Range(0, 4).Select(_ => occupancy.Allocate(Now)).ToList();
        occupancy.Quarantine(all[0], Now.AddSeconds(10), Now);
        occupancy.Quarantine(all[2], Now.AddSeconds(20), Now);
        occupancy.Quarantine(all[0], Now.AddSeconds(50), Now);

        Assert.That(occupancy.Allocate(Now, out _), Is.EqualTo(all[2]), "all[0]'s older heap entry is stale");
        Assert.That(occupancy.Allocate(Now, out _), Is.EqualTo(all[0]));
    }

    [Test]
    public void Allocate_FreeAddressLeft_NeverReclaimsQuarantine()
    {
        var occupancy = new PoolOccupancy(IpPool.Create("10.0.0.0/29", NetworkMode.Overlay));
        var all = Enumerable.Range(0, 3).Select(_ => occupancy.Allocate(Now)).ToList();
        occupancy.Quarantine(all[0], Now.AddSeconds(30), Now);

        var next = occupancy.Allocate(Now, out var reclaimed);

        Assert.That(next, Is.Not.EqualTo(all[0]));
        Assert.That(reclaimed, Is.Null);
        Assert.That(occupancy.QuarantineReclaimed, Is.Zero);
    }

    [Test]
    public void Allocate_AfterRelease_PrefersNeverUsedAddressesOverQuarantineEvenExpired()
    {
        var occupancy = new PoolOccupancy(IpPool.Create("10.0.0.0/24", NetworkMode.L2Bridge));
        var first = occupancy.Allocate(Now);
        occupancy.Quarantine(first, Now.AddSeconds(1), Now);

        var next = occupancy.Allocate(Now.AddMinutes(5));

        Assert.That(next, Is.Not.EqualTo(first));
    }

    [Test]
    public void Allocate_CursorAtEnd_WrapsToFreedLowAddress()
    {
        var pool = IpPool.Create("fd00::/120", NetworkMode.L2Bridge);
        var occupancy = new PoolOccupancy(pool);
        var all = new List<IPAddress>();
        for (UInt128 i = 0; i < pool.AssignableCount; i++)
        {
            all.Add(occupancy.Allocate(Now));
        }

        occupancy.Unlease(all[0]);

        Assert.That(occupancy.Allocate(Now), Is.EqualTo(all[0]));
    }

    [Test]
    public void Allocate_V6Slash64_IsSequentialAndDoesNotMaterialiseThePool()
    {
        var occupancy = new PoolOccupancy(IpPool.Create("fd00:10:244:1::/64", NetworkMode.L2Bridge));
        var before = GC.GetAllocatedBytesForCurrentThread();

        var got = Enumerable.Range(0, 20_000).Select(_ => occupancy.Allocate(Now)).ToList();

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(got[0], Is.EqualTo(IPAddress.Parse("fd00:10:244:1::3")));
        Assert.That(got[^1], Is.EqualTo(IPAddress.Parse("fd00:10:244:1::4e22")));
        IpamTestData.AssertDistinct(got);
        Assert.That(occupancy.Usage(Now).Free, Is.EqualTo((UInt128.One << 64) - 3 - 20_000));

        // O(leases): tens of bytes per lease, nowhere near the 2^64 addresses of the pool.
        Assert.That(allocated, Is.LessThan(20_000L * 400));
    }

    [Test]
    public void TryMarkLeased_ReservedOutsideOrDuplicate_ReturnsFalse()
    {
        var occupancy = new PoolOccupancy(IpPool.Create("10.0.0.0/24", NetworkMode.L2Bridge));

        Assert.That(occupancy.TryMarkLeased(IPAddress.Parse("10.0.0.2")), Is.False);
        Assert.That(occupancy.TryMarkLeased(IPAddress.Parse("10.0.1.9")), Is.False);
        Assert.That(occupancy.TryMarkLeased(IPAddress.Parse("10.0.0.9")), Is.True);
        Assert.That(occupancy.TryMarkLeased(IPAddress.Parse("10.0.0.9")), Is.False);
    }

    [Test]
    public void Usage_LeasedAndQuarantined_CountsEach()
    {
        var occupancy = new PoolOccupancy(IpPool.Create("10.0.0.0/24", NetworkMode.L2Bridge));
        var a = occupancy.Allocate(Now);
        occupancy.Allocate(Now);
        occupancy.Quarantine(a, Now.AddSeconds(30), Now);

        var usage = occupancy.Usage(Now);

        Assert.That(usage, Is.EqualTo(new IpPoolUsage(IPNetwork.Parse("10.0.0.0/24"), 252, 4, 1, 1)));
        Assert.That(usage.Free, Is.EqualTo((UInt128)250));
        Assert.That(occupancy.Usage(Now.AddSeconds(30)).Quarantined, Is.Zero);
    }
}
