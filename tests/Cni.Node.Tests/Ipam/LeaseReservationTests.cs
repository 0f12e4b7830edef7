using Cni.Node.Configuration;
using Cni.Node.Ipam;
using static Cni.Node.Tests.Ipam.IpamTestData;

namespace Cni.Node.Tests.Ipam;

/// <summary><see cref="IpamStore.ReserveAsync"/>: the addresses first, the fsync overlapping the caller's work.</summary>
public sealed class LeaseReservationTests
{
    private TempDirectory _dir = null!;

    [SetUp]
    public void SetUp() => _dir = new TempDirectory();

    [TearDown]
    public void TearDown() => _dir.Dispose();

    [Test]
    public async Task ReserveAsync_WhileTheRecordIsBeingWritten_ListedButNotCommittedAndTheKeyWaits()
    {
        await using var store = await OpenAsync(Options(_dir.Path));
        using var writing = new ManualResetEventSlim();
        using var proceed = new ManualResetEventSlim();
        store.Journal.BeforeWrite = () =>
        {
            writing.Set();
            proceed.Wait(TimeSpan.FromSeconds(30));
        };

        var reservation = await store.ReserveAsync(Key(1), Owner(1), CancellationToken.None);
        Assert.That(writing.Wait(TimeSpan.FromSeconds(30)), Is.True, "the journal write started");
        var sameKey = store.ReserveDurableAsync(Key(1), Owner(1), CancellationToken.None);
        var release = store.ReleaseAsync(Key(1), CancellationToken.None);
        Assert.Multiple(async () =>
        {
            Assert.That(reservation.Durable.IsCompleted, Is.False);
            Assert.That((await store.ListAsync(CancellationToken.None)).Select(l => l.Key), Is.EqualTo(new[] { Key(1) }), "reconciliation must see it");
            Assert.That(await store.GetAsync(Key(1), CancellationToken.None), Is.Null, "not committed yet");
            Assert.That(sameKey.IsCompleted || release.IsCompleted, Is.False, "the key stays locked until the record is durable");
        });

        proceed.Set();
        await reservation.Durable;
        Assert.Multiple(async () =>
        {
            Assert.That(await sameKey, Is.EqualTo(reservation.Lease), "the same key gets the same lease");
            Assert.That(await release, Is.EqualTo(reservation.Lease), "the queued release found it committed");
            Assert.That(await store.GetAsync(Key(1), CancellationToken.None), Is.Null);
        });
    }

    [Test]
    public async Task ReserveAsync_JournalWriteFails_AddressHeldUntilReleasedWithoutAJournalRecord()
    {
        await using var store = await OpenAsync(Options(_dir.Path, NetworkMode.L2Bridge, "10.0.0.0/29") with { QuarantinePeriod = TimeSpan.Zero });
        store.Journal.BeforeWrite = () => throw new IOException("injected: ENOSPC");

        var reservation = await store.ReserveAsync(Key(1), Owner(1), CancellationToken.None);
        Assert.ThrowsAsync<IpamJournalException>(async () => await reservation.Durable);
        store.Journal.BeforeWrite = null;
        var other = await store.ReserveDurableAsync(Key(2), Owner(2), CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(await store.GetAsync(Key(1), CancellationToken.None), Is.Null);
            Assert.That((await store.ListAsync(CancellationToken.None)).Select(l => l.Key), Is.EquivalentTo(new[] { Key(1), Key(2) }), "reconciliation must see it");
            Assert.That(other.Addresses.Select(a => a.Address), Is.Not.EqualTo(reservation.Lease.Addresses.Select(a => a.Address)), "held, not handed out again");
        });

        // The disk is still full: letting go of a reservation that never reached it needs no write.
        store.Journal.BeforeWrite = () => throw new IOException("injected: ENOSPC");
        Assert.That(await store.ReleaseAsync(Key(1), CancellationToken.None), Is.EqualTo(reservation.Lease));
        store.Journal.BeforeWrite = null;

        // .3-.6 are assignable; .4 is key 2's, so three more leases take the rest of the pool.
        var rest = new List<IpLease>();
        for (var i = 3; i < 6; i++)
        {
            rest.Add(await store.ReserveDurableAsync(Key(i), Owner(i), CancellationToken.None));
        }

        Assert.Multiple(() =>
        {
            Assert.That(store.AbandonedReservations, Is.Empty);
            Assert.That(rest.Select(l => l.IPv4!.Address), Does.Contain(reservation.Lease.IPv4!.Address), "free again once released");
        });
    }

    [Test]
    public async Task ReserveAsync_KeyAlreadyLeased_ReturnsThatLeaseAlreadyDurable()
    {
        await using var store = await OpenAsync(Options(_dir.Path));
        var lease = await store.ReserveDurableAsync(Key(1), Owner(1), CancellationToken.None);

        var again = await store.ReserveAsync(Key(1), Owner(1), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(again.Lease, Is.EqualTo(lease));
            Assert.That(again.Durable.IsCompletedSuccessfully, Is.True);
        });
    }

    [Test]
    public async Task ReserveAsync_DurableCompleted_SurvivesReopen()
    {
        var options = Options(_dir.Path);
        IpLease lease;
        await using (var store = await OpenAsync(options))
        {
            var reservation = await store.ReserveAsync(Key(1), Owner(1), CancellationToken.None);
            await reservation.Durable;
            lease = reservation.Lease;
        }

        await using var reopened = await OpenAsync(options);
        Assert.That((await reopened.GetAsync(Key(1), CancellationToken.None))?.Addresses, Is.EqualTo(lease.Addresses));
    }
}
