using System.Net;
using Cni.Node.Configuration;
using Cni.Node.Ipam;
using static Cni.Node.Tests.Ipam.IpamTestData;

namespace Cni.Node.Tests.Ipam;

public sealed class IpamStoreTests
{
    private TempDirectory _dir = null!;

    private static readonly object[] BadOptions =
    [
        new object[] { (Func<string, IpamOptions>)(d => Options(d) with { PodCidrs = [] }), "podCIDRs" },
        new object[] { (Func<string, IpamOptions>)(d => Options(d, NetworkMode.L2Bridge, "10.244.1.0/24", "10.244.2.5/24")), "podCIDRs[1]" },
        new object[] { (Func<string, IpamOptions>)(d => Options(d, NetworkMode.L2Bridge, "10.244.1.0/24", "10.244.2.0/24")), "podCIDRs[1]" },
        new object[] { (Func<string, IpamOptions>)(d => Options(d, NetworkMode.Overlay, "10.244.1.0/24", "fd00::/64")), "podCIDRs[1]" },
        new object[] { (Func<string, IpamOptions>)(d => Options(d, NetworkMode.Overlay, "10.244.1.0/31")), "podCIDRs[0]" },
        new object[] { (Func<string, IpamOptions>)(d => Options(d) with { Mode = (NetworkMode)42 }), "mode" },
        new object[] { (Func<string, IpamOptions>)(d => Options(d) with { StateDirectory = " " }), "stateDir" },
        new object[] { (Func<string, IpamOptions>)(d => Options(d) with { QuarantinePeriod = TimeSpan.FromSeconds(-1) }), "quarantinePeriod" },
        new object[] { (Func<string, IpamOptions>)(d => Options(d) with { CompactionThresholdBytes = 0 }), "compactionThresholdBytes" },
    ];

    [SetUp]
    public void SetUp() => _dir = new TempDirectory();

    [TearDown]
    public void TearDown() => _dir.Dispose();

    [Test]
    public async Task ReserveAsync_DualStack_ReturnsOneAddressPerFamily()
    {
        await using var store = await OpenAsync(Options(_dir.Path, NetworkMode.L2Bridge, "fd00:10:244:1::/64", "10.244.1.0/24"));

        var lease = await store.ReserveDurableAsync(Key(1), Owner(1), CancellationToken.None);

        Assert.That(lease.Addresses, Has.Count.EqualTo(2));
        Assert.That(lease.IPv4!.ToString(), Is.EqualTo("10.244.1.3/24"));
        Assert.That(lease.IPv6!.ToString(), Is.EqualTo("fd00:10:244:1::3/64"));
        Assert.That(store.Pools.Select(p => p.Gateway.ToString()), Is.EqualTo(new[] { "10.244.1.1", "fd00:10:244:1::1" }));
        Assert.That(store.Pools.Select(p => p.HostEndpoint!.ToString()), Is.EqualTo(new[] { "10.244.1.2", "fd00:10:244:1::2" }));
    }

    [Test]
    public async Task ReserveAsync_SameKeyTwice_ReturnsSameLease()
    {
        await using var store = await OpenAsync(Options(_dir.Path));

        var first = await store.ReserveDurableAsync(Key(1), Owner(1), CancellationToken.None);
        var second = await store.ReserveDurableAsync(Key(1), Owner(1), CancellationToken.None);

        Assert.That(second, Is.SameAs(first));
        Assert.That(store.GetUsage()[0].Leased, Is.EqualTo(1));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task ReserveAsync_SameKeyConcurrently_CreatesOneLease(CancellationToken cancellationToken)
    {
        await using var store = await OpenAsync(Options(_dir.Path));

        var leases = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => store.ReserveDurableAsync(Key(7), Owner(7), cancellationToken), cancellationToken)));

        Assert.That(leases.Select(l => l.IPv4!.Address).Distinct().Count(), Is.EqualTo(1));
        Assert.That(await store.ListAsync(cancellationToken), Has.Count.EqualTo(1));
        Assert.That(store.ActiveKeyLocks, Is.Zero);
    }

    [Test]
    [CancelAfter(15_000)]
    public async Task ReserveAsync_200DistinctConcurrently_AllDistinctGroupCommittedAndDurable(CancellationToken cancellationToken)
    {
        var options = Options(_dir.Path, NetworkMode.L2Bridge, "10.244.0.0/23", "fd00::/64");
        Dictionary<LeaseKey, IpLease> expected;
        await using (var store = await OpenAsync(options))
        {
            // From pool threads, as the daemon's requests arrive: a caller alone commits inline (the leader), so only
            // callers that overlap a commit in flight can share its fsync. The first write waits (a slow disk) until
            // ten more records are queued behind it, so the overlap does not depend on this machine's scheduling.
            var first = 1;
            store.Journal.BeforeWrite = () =>
            {
                if (Interlocked.Exchange(ref first, 0) == 1)
                {
                    SpinWait.SpinUntil(() => store.Journal.PendingCount >= 10, TimeSpan.FromSeconds(10));
                }
            };
            var leases = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() => store.ReserveDurableAsync(Key(i), Owner(i), cancellationToken), cancellationToken)));

            IpamTestData.AssertDistinct(leases.Select(l => l.IPv4!.Address));
            IpamTestData.AssertDistinct(leases.Select(l => l.IPv6!.Address));
            Assert.That(store.Journal.BatchCount, Is.LessThan(200), "group commit should share fsyncs");
            expected = leases.ToDictionary(l => l.Key);
        }

        await using var reopened = await OpenAsync(options);
        var recovered = await reopened.ListAsync(cancellationToken);
        Assert.That(recovered, Has.Count.EqualTo(200));
        foreach (var lease in recovered)
        {
            Assert.That(lease.IPv4!.Address, Is.EqualTo(expected[lease.Key].IPv4!.Address));
            Assert.That(lease.IPv6!.Address, Is.EqualTo(expected[lease.Key].IPv6!.Address));
            Assert.That(lease.Owner, Is.EqualTo(expected[lease.Key].Owner));
        }
    }

    [Test]
    public async Task ReserveAsync_PoolExhausted_ThrowsTypedExceptionAndRollsBackOtherFamily()
    {
        await using var store = await OpenAsync(Options(_dir.Path, NetworkMode.L2Bridge, "10.0.0.0/29", "fd00::/64"));
        for (var i = 0; i < 4; i++)
        {
            await store.ReserveDurableAsync(Key(i), Owner(i), CancellationToken.None);
        }

        var ex = Assert.ThrowsAsync<IpamExhaustedException>(() => store.ReserveDurableAsync(Key(99), Owner(99), CancellationToken.None));

        Assert.That(ex!.Cidr.ToString(), Is.EqualTo("10.0.0.0/29"));
        Assert.That(await store.GetAsync(Key(99), CancellationToken.None), Is.Null);
        Assert.That(store.GetUsage().Select(u => u.Leased), Is.EqualTo(new[] { 4, 4 }));
    }

    [Test]
    public async Task ReserveAsync_CancelledBeforeStart_AllocatesNothing()
    {
        await using var store = await OpenAsync(Options(_dir.Path));

        Assert.CatchAsync<OperationCanceledException>(() => store.ReserveDurableAsync(Key(1), Owner(1), new CancellationToken(canceled: true)));

        Assert.That(await store.ListAsync(CancellationToken.None), Is.Empty);
    }

    [Test]
    public async Task ReserveAsync_DefaultKey_ThrowsNamingKey()
    {
        await using var store = await OpenAsync(Options(_dir.Path));

        var ex = Assert.ThrowsAsync<ArgumentException>(() => store.ReserveDurableAsync(default, Owner(), CancellationToken.None));

        Assert.That(ex!.ParamName, Is.EqualTo("key"));
    }

    [Test]
    public async Task ReserveAsync_JournalWriteFails_AddressHeldAndRetryGetsSameAddress()
    {
        var options = Options(_dir.Path);
        await using (var store = await OpenAsync(options))
        {
            var fail = true;
            store.Journal.BeforeWrite = () =>
            {
                if (fail)
                {
                    fail = false;
                    throw new IOException("injected: disk full");
                }
            };

            var ex = Assert.ThrowsAsync<IpamJournalException>(() => store.ReserveDurableAsync(Key(1), Owner(1), CancellationToken.None));
            Assert.That(ex!.InnerException!.Message, Does.Contain("injected"));
            Assert.That(await store.GetAsync(Key(1), CancellationToken.None), Is.Null, "no lease");
            Assert.That(store.GetUsage()[0].Leased, Is.EqualTo(1), "but its address stays held: an endpoint may carry it");
            Assert.That(store.AbandonedReservations, Is.EqualTo(new[] { Key(1) }));

            var retry = await store.ReserveDurableAsync(Key(1), Owner(1), CancellationToken.None);
            Assert.That(retry.IPv4!.Address, Is.EqualTo(IPAddress.Parse("10.244.1.3")));
            Assert.That(store.AbandonedReservations, Is.Empty);
            Assert.That(store.JournalFault, Is.Null);
        }

        await using var reopened = await OpenAsync(options);
        Assert.That(await reopened.ListAsync(CancellationToken.None), Has.Count.EqualTo(1));
    }

    [Test]
    [Platform(Exclude = "Win", Reason = "Unix file modes; on Windows the state directory's ACL decides")]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task OpenAsync_LooseDirectoryAndFiles_Directory0700AndFiles0600WhateverTheUmask()
    {
        // What an older version left under a umask of 000: everyone could read the leases (pods, containers, IPs).
        const UnixFileMode All = (UnixFileMode)0b111_111_111;
        Directory.CreateDirectory(_dir.IpamDirectory);
        File.SetUnixFileMode(_dir.IpamDirectory, All);
        await using (var first = await OpenAsync(Options(_dir.Path) with { CompactionThresholdBytes = 1 }))
        {
            await first.ReserveDurableAsync(Key(1), Owner(1), CancellationToken.None);
            await first.ReserveDurableAsync(Key(2), Owner(2), CancellationToken.None);
        }

        File.SetUnixFileMode(_dir.JournalPath, All);
        await using (var reopened = await OpenAsync(Options(_dir.Path)))
        {
            await reopened.ReserveDurableAsync(Key(3), Owner(3), CancellationToken.None);
        }

        Assert.That(File.GetUnixFileMode(_dir.IpamDirectory), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));
        Assert.That(
            Directory.GetFiles(_dir.IpamDirectory).ToDictionary(f => Path.GetFileName(f), File.GetUnixFileMode),
            Has.Count.EqualTo(2).And.All.Property("Value").EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite),
            "leases.wal and lock");
    }

    [Test]
    public async Task ReleaseAsync_JournalWriteFails_KeepsLease()
    {
        await using var store = await OpenAsync(Options(_dir.Path));
        await store.ReserveDurableAsync(Key(1), Owner(1), CancellationToken.None);
        store.Journal.BeforeWrite = () => throw new IOException("injected");

        Assert.ThrowsAsync<IpamJournalException>(() => store.ReleaseAsync(Key(1), CancellationToken.None));

        Assert.That(await store.GetAsync(Key(1), CancellationToken.None), Is.Not.Null);
        Assert.That(store.GetUsage()[0].Leased, Is.EqualTo(1));
    }

    [Test]
    public async Task ReleaseAsync_Twice_SecondReturnsNull()
    {
        await using var store = await OpenAsync(Options(_dir.Path));
        var lease = await store.ReserveDurableAsync(Key(1), Owner(1), CancellationToken.None);

        var first = await store.ReleaseAsync(Key(1), CancellationToken.None);
        var second = await store.ReleaseAsync(Key(1), CancellationToken.None);

        Assert.That(first, Is.EqualTo(lease));
        Assert.That(second, Is.Null);
        Assert.That(await store.ReleaseAsync(Key(2), CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task ReleaseAsync_AddressQuarantined_NotReusedWhileAnotherIsFree()
    {
        var time = new ManualTimeProvider();
        await using var store = await OpenAsync(Options(_dir.Path, NetworkMode.Overlay, "10.0.0.0/29"), time);
        var leases = new List<IpLease>();
        for (var i = 0; i < 3; i++)
        {
            leases.Add(await store.ReserveDurableAsync(Key(i), Owner(i), CancellationToken.None));
        }

        await store.ReleaseAsync(Key(0), CancellationToken.None);
        var next = await store.ReserveDurableAsync(Key(8), Owner(8), CancellationToken.None);

        Assert.That(next.IPv4!.Address, Is.Not.EqualTo(leases[0].IPv4!.Address), "a free address goes before a quarantined one");
        Assert.That(store.GetUsage()[0].Quarantined, Is.EqualTo(1));
    }

    [Test]
    public async Task ReserveAsync_PoolFullButForQuarantine_ReusesTheOldestReleaseInsteadOfFailing()
    {
        // A crash-looping node filled a /24 with 218 quarantined addresses and failed ADDs while they waited; quarantine
        // must delay reuse, never refuse a pod an address.
        var time = new ManualTimeProvider();
        await using var store = await OpenAsync(Options(_dir.Path, NetworkMode.Overlay, "10.0.0.0/29"), time);
        var leases = new List<IpLease>();
        for (var i = 0; i < 4; i++)
        {
            leases.Add(await store.ReserveDurableAsync(Key(i), Owner(i), CancellationToken.None));
        }

        await store.ReleaseAsync(Key(2), CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(1));
        await store.ReleaseAsync(Key(0), CancellationToken.None);

        var first = await store.ReserveDurableAsync(Key(8), Owner(8), CancellationToken.None);
        var second = await store.ReserveDurableAsync(Key(9), Owner(9), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(first.IPv4!.Address, Is.EqualTo(leases[2].IPv4!.Address), "the oldest release first");
            Assert.That(second.IPv4!.Address, Is.EqualTo(leases[0].IPv4!.Address));
            Assert.That(store.GetUsage()[0].Quarantined, Is.Zero);
            Assert.That(store.GetUsage()[0].QuarantineReclaimed, Is.EqualTo(2), "counted for /metrics");
        });
        Assert.ThrowsAsync<IpamExhaustedException>(() => store.ReserveDurableAsync(Key(10), Owner(10), CancellationToken.None), "every address leased");
    }

    [Test]
    public async Task ReleaseAsync_CustomQuarantine_UsesConfiguredPeriod()
    {
        var time = new ManualTimeProvider();
        await using var store = await OpenAsync(Options(_dir.Path) with { QuarantinePeriod = TimeSpan.FromSeconds(5) }, time);
        await store.ReserveDurableAsync(Key(1), Owner(1), CancellationToken.None);
        await store.ReleaseAsync(Key(1), CancellationToken.None);

        time.Advance(TimeSpan.FromSeconds(5));

        Assert.That(store.GetUsage()[0].Quarantined, Is.Zero);
    }

    [Test]
    public async Task OpenAsync_AfterReleaseAndRestart_AddressStillQuarantined()
    {
        var time = new ManualTimeProvider();
        var options = Options(_dir.Path, NetworkMode.Overlay, "10.0.0.0/29");
        await using (var store = await OpenAsync(options, time))
        {
            await store.ReserveDurableAsync(Key(1), Owner(1), CancellationToken.None);
            await store.ReleaseAsync(Key(1), CancellationToken.None);
        }

        time.Advance(TimeSpan.FromSeconds(10));
        await using var reopened = await OpenAsync(options, time);

        Assert.That(reopened.GetUsage()[0].Quarantined, Is.EqualTo(1));
        time.Advance(TimeSpan.FromSeconds(20));
        Assert.That(reopened.GetUsage()[0].Quarantined, Is.Zero);
    }

    [Test]
    public async Task ReleaseAllExceptAsync_InvalidLeasesOfNetwork_ReleasedOthersKept()
    {
        await using var store = await OpenAsync(Options(_dir.Path));
        for (var i = 0; i < 6; i++)
        {
            await store.ReserveDurableAsync(Key(i), Owner(i), CancellationToken.None);
        }

        await store.ReserveDurableAsync(Key(100), new LeaseOwner("other-net"), CancellationToken.None);

        var released = await store.ReleaseAllExceptAsync([Key(1), Key(4)], Network, CancellationToken.None);

        Assert.That(released.Select(l => l.Key), Is.EquivalentTo(new[] { Key(0), Key(2), Key(3), Key(5) }));
        Assert.That((await store.ListAsync(CancellationToken.None)).Select(l => l.Key), Is.EquivalentTo(new[] { Key(1), Key(4), Key(100) }));
        Assert.That(store.GetUsage()[0], Is.EqualTo(new IpPoolUsage(IPNetwork.Parse("10.244.1.0/24"), 252, 4, 3, 4)));
    }

    [TestCaseSource(nameof(BadOptions))]
    public void OpenAsync_InvalidOptions_ThrowsNamingField(Func<string, IpamOptions> options, string field)
    {
        var ex = Assert.ThrowsAsync<ArgumentException>(() => OpenAsync(options(_dir.Path)));

        Assert.That(ex!.ParamName, Is.EqualTo(field));
        Assert.That(ex.Message, Does.StartWith(field + ": "));
        Assert.That(Directory.Exists(_dir.IpamDirectory), Is.False, "nothing is created for bad options");
    }

    [Test]
    public async Task OpenAsync_SecondOpenerOfSameDirectory_ThrowsLockedUntilFirstCloses()
    {
        var options = Options(_dir.Path);
        var first = await OpenAsync(options);

        var ex = Assert.ThrowsAsync<IpamStoreLockedException>(() => OpenAsync(options));
        Assert.That(ex!.Message, Does.StartWith("stateDir: "));

        await first.DisposeAsync();
        await using var second = await OpenAsync(options);
        Assert.That(second.JournalFault, Is.Null);
    }

    [Test]
    public async Task OpenAsync_PodCidrChanged_ReportsStaleLeasesAndKeepsThemReleasable()
    {
        await using (var store = await OpenAsync(Options(_dir.Path, NetworkMode.L2Bridge, "10.244.1.0/24")))
        {
            await store.ReserveDurableAsync(Key(1), Owner(1), CancellationToken.None);
        }

        await using var moved = await OpenAsync(Options(_dir.Path, NetworkMode.L2Bridge, "10.244.2.0/24"));

        Assert.That(moved.StaleLeases, Has.Count.EqualTo(1));
        Assert.That(moved.StaleLeases[0].Reason, Is.EqualTo(StaleLeaseReason.OutsidePools));
        Assert.That(moved.StaleLeases[0].Address, Is.EqualTo(IPAddress.Parse("10.244.1.3")));
        Assert.That(await moved.GetAsync(Key(1), CancellationToken.None), Is.Not.Null);

        Assert.That(await moved.ReleaseAsync(Key(1), CancellationToken.None), Is.Not.Null);
        Assert.That(moved.StaleLeases, Is.Empty);
        Assert.That(moved.GetUsage()[0].Quarantined, Is.Zero);
    }

    [Test]
    public async Task OpenAsync_ModeChangedMakesLeasedAddressReserved_ReportsAndNeverHandsItOut()
    {
        await using (var store = await OpenAsync(Options(_dir.Path, NetworkMode.L2Bridge, "10.0.0.0/29")))
        {
            for (var i = 0; i < 4; i++)
            {
                await store.ReserveDurableAsync(Key(i), Owner(i), CancellationToken.None);
            }
        }

        await using var overlay = await OpenAsync(Options(_dir.Path, NetworkMode.Overlay, "10.0.0.0/29"));

        Assert.That(overlay.StaleLeases.Select(s => (s.Address.ToString(), s.Reason)), Is.EqualTo(new[] { ("10.0.0.6", StaleLeaseReason.ReservedAddress) }));
        var fresh = await overlay.ReserveDurableAsync(Key(50), Owner(50), CancellationToken.None);
        Assert.That(fresh.IPv4!.Address, Is.EqualTo(IPAddress.Parse("10.0.0.2")));
        Assert.ThrowsAsync<IpamExhaustedException>(() => overlay.ReserveDurableAsync(Key(51), Owner(51), CancellationToken.None));
    }

    [Test]
    public async Task GetUsage_V6Slash64_ReportsHugeAssignableCount()
    {
        await using var store = await OpenAsync(Options(_dir.Path, NetworkMode.L2Bridge, "fd00::/64"));
        await store.ReserveDurableAsync(Key(1), Owner(1), CancellationToken.None);

        var usage = store.GetUsage().Single();

        Assert.That(usage.Assignable, Is.EqualTo((UInt128.One << 64) - 3));
        Assert.That(usage.Free, Is.EqualTo((UInt128.One << 64) - 4));
        Assert.That(usage.Reserved, Is.EqualTo(3));
    }

    [Test]
    public async Task DisposeAsync_ThenAllocate_ThrowsObjectDisposed()
    {
        var store = await OpenAsync(Options(_dir.Path));
        await store.DisposeAsync();

        Assert.ThrowsAsync<ObjectDisposedException>(() => store.ReserveDurableAsync(Key(1), Owner(1), CancellationToken.None));
    }
}
