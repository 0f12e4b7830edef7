using Cni.Node.Ipam;
using Microsoft.Extensions.Time.Testing;
using static Cni.Node.Tests.Ipam.IpamTestData;

namespace Cni.Node.Tests.Ipam;

/// <summary>
/// A journal out of service (a write failed and so did cutting it back: an immutable file, an aborted file system)
/// comes back by itself once the disk does, instead of failing every ADD until someone restarts wincnid.
/// </summary>
public sealed class LeaseJournalRecoveryTests
{
    private TempDirectory _dir = null!;

    [SetUp]
    public void SetUp() => _dir = new TempDirectory();

    [TearDown]
    public void TearDown() => _dir.Dispose();

    [Test]
    public async Task AppendAsync_WriteAndTruncationFail_OutOfServiceThenRewrittenWhenTheDiskRecovers()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var options = Options(_dir.Path);
        var before = await OpenAndFaultAsync(options, time);
        await using var store = before.Store;
        var disk = before.Disk;

        Assert.Multiple(() =>
        {
            Assert.That(store.JournalFault, Is.Not.Null);
            Assert.That(store.JournalProblem, Does.Contain("out of service since 2026-01-01 00:00:00Z").And.Contain("next at 2026-01-01 00:00:01Z"));
        });
        Assert.ThrowsAsync<IpamJournalException>(() => store.ReserveDurableAsync(Key(3), Owner(3), CancellationToken.None), "fails at once while out of service");

        // The disk is still broken at the first attempt: the next one waits twice as long.
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(store.JournalProblem, Does.Contain("next at 2026-01-01 00:00:03Z"));

        disk.Broken = false;
        time.Advance(TimeSpan.FromSeconds(2));

        Assert.That(store.JournalFault, Is.Null, () => store.JournalProblem);
        var after = await store.ReserveDurableAsync(Key(4), Owner(4), CancellationToken.None);
        Assert.That(await store.GetAsync(Key(4), CancellationToken.None), Is.EqualTo(after));

        // What was acknowledged before the fault and after the recovery is on disk; the failed records are not.
        await store.DisposeAsync();
        await using var reopened = await OpenAsync(options);
        Assert.That((await reopened.ListAsync(CancellationToken.None)).Select(l => l.Key), Is.EquivalentTo(new[] { Key(1), Key(4) }));
    }

    [Test]
    public async Task RecoveryDelay_KeepsFailing_DoublesUpTo30Seconds()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var (store, _) = await OpenAndFaultAsync(Options(_dir.Path), time);
        await using var _ = store;
        var delays = new List<double>();
        var at = time.GetUtcNow();
        for (var i = 0; i < 8; i++)
        {
            var next = NextAttempt(store.JournalProblem!);
            delays.Add((next - at).TotalSeconds);
            time.Advance(next - time.GetUtcNow());
            at = next;
        }

        Assert.That(delays, Is.EqualTo(new double[] { 1, 2, 4, 8, 16, 30, 30, 30 }));
    }

    [Test]
    public async Task DisposeAsync_WhileOutOfService_StopsRetrying()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var (store, disk) = await OpenAndFaultAsync(Options(_dir.Path), time);
        await store.DisposeAsync();
        disk.Broken = false;

        time.Advance(TimeSpan.FromMinutes(5));

        Assert.That(disk.RecoveryAttempts, Is.Zero, "no timer outlives the store");
    }

    /// <summary>Opens a store with one lease, then breaks the disk: the next write fails, and so does cutting it back.</summary>
    private static async Task<(IpamStore Store, BrokenDisk Disk)> OpenAndFaultAsync(IpamOptions options, FakeTimeProvider time)
    {
        var store = await IpamStore.OpenAsync(options, time, null, CancellationToken.None);
        await store.ReserveDurableAsync(Key(1), Owner(1), CancellationToken.None);
        var disk = new BrokenDisk { Broken = true };
        store.Journal.BeforeWrite = disk.Fail;
        store.Journal.BeforeTruncate = disk.Fail;
        store.Journal.BeforeRecovery = () =>
        {
            disk.RecoveryAttempts++;
            disk.Fail();
        };

        Assert.ThrowsAsync<IpamJournalException>(() => store.ReserveDurableAsync(Key(2), Owner(2), CancellationToken.None));
        disk.RecoveryAttempts = 0;
        return (store, disk);
    }

    private static DateTimeOffset NextAttempt(string problem) =>
        DateTimeOffset.Parse(problem[(problem.IndexOf("next at ", StringComparison.Ordinal) + 8)..], System.Globalization.CultureInfo.InvariantCulture);

    private sealed class BrokenDisk
    {
        public bool Broken { get; set; }

        public int RecoveryAttempts { get; set; }

        public void Fail()
        {
            if (Broken)
            {
                throw new UnauthorizedAccessException("injected: EPERM (immutable file)");
            }
        }
    }
}
