using System.Net;
using Cni.Node.Configuration;
using Cni.Node.Ipam;
using static Cni.Node.Tests.Ipam.IpamTestData;

namespace Cni.Node.Tests.Ipam;

public sealed class LeaseJournalTests
{
    private TempDirectory _dir = null!;

    [SetUp]
    public void SetUp() => _dir = new TempDirectory();

    [TearDown]
    public void TearDown() => _dir.Dispose();

    [Test]
    public void Frame_AllocateReleaseQuarantine_RoundTrips()
    {
        var lease = new IpLease(
            Key(1),
            new LeaseOwner("wincni", "/run/netns/ü", "kube-system", "coredns-1"),
            [new LeasedAddress(IPAddress.Parse("10.244.1.3"), IPNetwork.Parse("10.244.1.0/24")), new LeasedAddress(IPAddress.Parse("fd00::3"), IPNetwork.Parse("fd00::/64"))],
            new DateTimeOffset(2026, 1, 2, 3, 4, 5, 678, TimeSpan.Zero).AddTicks(9));
        var release = new ReleaseRecord(Key(1), lease.AllocatedAt, lease.AllocatedAt.AddSeconds(30), [IPAddress.Parse("10.244.1.3")]);
        var quarantine = new QuarantineRecord(IPAddress.Parse("fd00::9"), lease.AllocatedAt);

        var decoded = new[] { new AllocateRecord(lease), (JournalRecord)release, quarantine }.Select(r =>
        {
            var frame = JournalCodec.Frame(r);
            Assert.That(JournalCodec.TryReadFrame(frame, out var record, out var length), Is.True);
            Assert.That(length, Is.EqualTo(frame.Length));
            return record;
        }).ToList();

        var allocate = (AllocateRecord)decoded[0]!;
        Assert.That(allocate.Lease.Key, Is.EqualTo(lease.Key));
        Assert.That(allocate.Lease.Owner, Is.EqualTo(lease.Owner));
        Assert.That(allocate.Lease.AllocatedAt, Is.EqualTo(lease.AllocatedAt));
        Assert.That(allocate.Lease.Addresses, Is.EqualTo(lease.Addresses));
        var decodedRelease = (ReleaseRecord)decoded[1]!;
        Assert.That(decodedRelease.QuarantineUntil, Is.EqualTo(release.QuarantineUntil));
        Assert.That(decodedRelease.Addresses, Is.EqualTo(release.Addresses));
        Assert.That(decoded[2], Is.EqualTo(quarantine));
    }

    [Test]
    public async Task OpenAsync_LastRecordTornInsidePreallocatedZeros_KeepsEarlierLeasesAndTrimsTheZeros()
    {
        var options = Options(_dir.Path, NetworkMode.L2Bridge, "10.244.1.0/24", "fd00::/64");
        var lengths = new List<long>();
        await using (var store = await OpenAsync(options))
        {
            for (var i = 0; i < 3; i++)
            {
                await store.ReserveDurableAsync(Key(i), Owner(i), CancellationToken.None);
                lengths.Add(store.Journal.Length);
            }
        }

        // What a crash leaves: the log, then the rest of the zeroed space appends write into. A record torn by the
        // crash is some of its bytes with zeros after them (which bytes reached the disk is the disk's choice).
        var full = await File.ReadAllBytesAsync(_dir.JournalPath);
        var zeros = new byte[LeaseJournal.PreallocationBytes];
        foreach (var (cut, expected) in new[] { ((int)lengths[2], 3), ((int)lengths[1] + 9, 2), ((int)lengths[1], 2) })
        {
            using var image = new TempDirectory();
            Directory.CreateDirectory(image.IpamDirectory);
            var torn = full.AsSpan(0, cut).ToArray();
            await File.WriteAllBytesAsync(image.JournalPath, [.. torn, .. zeros]);

            await using (var store = await OpenAsync(options with { StateDirectory = image.Path }))
            {
                Assert.That(await store.ListAsync(CancellationToken.None), Has.Count.EqualTo(expected), $"cut at {cut}");
                Assert.That(store.Journal.Length, Is.EqualTo(lengths[expected - 1]), $"cut at {cut}");
            }

            Assert.That(new FileInfo(image.JournalPath).Length, Is.EqualTo(lengths[expected - 1]), $"cut at {cut}: zeros and the torn record trimmed");
        }
    }

    [Test]
    public async Task ReserveAsync_RunsOutOfPreallocatedSpace_ExtendsWithZerosAndCleanStopTrims()
    {
        var options = Options(_dir.Path, NetworkMode.L2Bridge, "10.244.1.0/24", "fd00::/64");
        long logical;
        await using (var store = await OpenAsync(options))
        {
            await store.ReserveDurableAsync(Key(0), Owner(0), CancellationToken.None);
            logical = store.Journal.Length;
            Assert.That(new FileInfo(_dir.JournalPath).Length, Is.GreaterThanOrEqualTo(logical + LeaseJournal.PreallocationBytes - 4096), "room for the next appends");
        }

        Assert.That(new FileInfo(_dir.JournalPath).Length, Is.EqualTo(logical));
    }

    [Test]
    public async Task OpenAsync_TruncatedAtEveryOffsetOfLastRecord_KeepsEarlierLeasesAndNoPhantom()
    {
        var options = Options(_dir.Path, NetworkMode.L2Bridge, "10.244.1.0/24", "fd00::/64");
        var lengths = new List<long>();
        await using (var store = await OpenAsync(options))
        {
            lengths.Add(store.Journal.Length);
            for (var i = 0; i < 3; i++)
            {
                await store.ReserveDurableAsync(Key(i), Owner(i), CancellationToken.None);
                lengths.Add(store.Journal.Length);
            }
        }

        var full = await File.ReadAllBytesAsync(_dir.JournalPath);
        Assert.That(full.LongLength, Is.EqualTo(lengths[^1]));

        // Every cut inside the header (crash while creating) and inside the last record (crash while appending).
        var cuts = Enumerable.Range(0, (int)lengths[0]).Concat(Enumerable.Range((int)lengths[2], (int)(lengths[3] - lengths[2])));
        foreach (var cut in cuts)
        {
            using var image = new TempDirectory();
            Directory.CreateDirectory(image.IpamDirectory);
            await File.WriteAllBytesAsync(image.JournalPath, full.AsMemory(0, cut).ToArray());

            var expected = cut < lengths[0] ? Array.Empty<LeaseKey>() : [Key(0), Key(1)];
            await using (var store = await OpenAsync(options with { StateDirectory = image.Path }))
            {
                var keys = (await store.ListAsync(CancellationToken.None)).Select(l => l.Key);
                Assert.That(keys, Is.EquivalentTo(expected), $"cut at {cut}");
                Assert.That(new FileInfo(image.JournalPath).Length, Is.EqualTo(cut < lengths[0] ? lengths[0] : lengths[2]), $"cut at {cut}");
                await store.ReserveDurableAsync(Key(9), Owner(9), CancellationToken.None);
            }

            await using var reopened = await OpenAsync(options with { StateDirectory = image.Path });
            Assert.That((await reopened.ListAsync(CancellationToken.None)).Select(l => l.Key), Is.EquivalentTo(expected.Append(Key(9))), $"append after cut at {cut}");
        }
    }

    [TestCase(0)]
    [TestCase(3)]
    [TestCase(4)]
    [TestCase(8)]
    [TestCase(20)]
    [TestCase(-1)]
    public async Task OpenAsync_CorruptByteInLastRecord_DropsOnlyThatRecord(int offsetInRecord)
    {
        var options = Options(_dir.Path);
        long before;
        await using (var store = await OpenAsync(options))
        {
            await store.ReserveDurableAsync(Key(0), Owner(0), CancellationToken.None);
            before = store.Journal.Length;
            await store.ReserveDurableAsync(Key(1), Owner(1), CancellationToken.None);
        }

        var bytes = await File.ReadAllBytesAsync(_dir.JournalPath);
        var index = offsetInRecord >= 0 ? (int)before + offsetInRecord : bytes.Length - 1;
        bytes[index] ^= 0x5A;
        await File.WriteAllBytesAsync(_dir.JournalPath, bytes);

        await using var reopened = await OpenAsync(options);

        Assert.That((await reopened.ListAsync(CancellationToken.None)).Select(l => l.Key), Is.EqualTo(new[] { Key(0) }));
        Assert.That(new FileInfo(_dir.JournalPath).Length, Is.EqualTo(before));
    }

    [Test]
    public async Task OpenAsync_ZeroFilledTail_TruncatesAndKeepsAllLeases()
    {
        var options = Options(_dir.Path);
        await using (var store = await OpenAsync(options))
        {
            await store.ReserveDurableAsync(Key(0), Owner(0), CancellationToken.None);
        }

        await using (var stream = new FileStream(_dir.JournalPath, FileMode.Append))
        {
            stream.Write(new byte[4096]);
        }

        await using var reopened = await OpenAsync(options);

        Assert.That(await reopened.ListAsync(CancellationToken.None), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task OpenAsync_CorruptionFartherThanOneBatchFromEnd_RefusesToDropLeases()
    {
        // Written with normal batches (fast), checked with tiny ones: the torn-tail window is 256 + one record.
        var options = Options(_dir.Path, NetworkMode.L2Bridge, "10.244.0.0/16");
        await using (var store = await OpenAsync(options))
        {
            for (var wave = 0; wave < 6; wave++)
            {
                await Task.WhenAll(Enumerable.Range(wave * 200, 200).Select(i => store.ReserveDurableAsync(Key(i), Owner(i), CancellationToken.None)));
            }
        }

        options = options with { MaxBatchBytes = 256 };

        var bytes = await File.ReadAllBytesAsync(_dir.JournalPath);
        bytes[JournalCodec.HeaderSize + 10] ^= 0xFF;
        await File.WriteAllBytesAsync(_dir.JournalPath, bytes);

        var ex = Assert.ThrowsAsync<IpamJournalException>(() => OpenAsync(options));

        Assert.That(ex!.Message, Does.Contain("corrupt record at offset 16"));
        Assert.That(new FileInfo(_dir.JournalPath).Length, Is.EqualTo(bytes.Length), "nothing is truncated");
    }

    [Test]
    public async Task OpenAsync_ForeignFile_ThrowsWithoutTouchingIt()
    {
        Directory.CreateDirectory(_dir.IpamDirectory);
        await File.WriteAllTextAsync(_dir.JournalPath, "{\"this is\": \"not a journal\"}");

        var ex = Assert.ThrowsAsync<IpamJournalException>(() => OpenAsync(Options(_dir.Path)));

        Assert.That(ex!.Message, Does.Contain("bad header"));
        Assert.That(await File.ReadAllTextAsync(_dir.JournalPath), Does.StartWith("{"));
    }

    [Test]
    public async Task OpenAsync_LeftoverTempFile_IsIgnoredAndDeleted()
    {
        var options = Options(_dir.Path);
        await using (var store = await OpenAsync(options))
        {
            await store.ReserveDurableAsync(Key(0), Owner(0), CancellationToken.None);
        }

        var temp = Path.Combine(_dir.IpamDirectory, LeaseJournal.TempFileName);
        await File.WriteAllBytesAsync(temp, JournalCodec.Header().Concat(new byte[] { 1, 2, 3 }).ToArray());

        await using var reopened = await OpenAsync(options);

        Assert.That(File.Exists(temp), Is.False);
        Assert.That(await reopened.ListAsync(CancellationToken.None), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Compaction_LogOutgrowsThreshold_ShrinksAndPreservesLeasesAndQuarantine()
    {
        var time = new ManualTimeProvider();
        var options = Options(_dir.Path, NetworkMode.L2Bridge, "10.244.0.0/16") with { CompactionThresholdBytes = 4096 };
        long lengthBefore;
        await using (var store = await OpenAsync(options, time))
        {
            for (var i = 0; i < 300; i++)
            {
                await store.ReserveDurableAsync(Key(i), Owner(i), CancellationToken.None);
                if (i % 3 != 0)
                {
                    await store.ReleaseAsync(Key(i), CancellationToken.None);
                }

                time.Advance(TimeSpan.FromMilliseconds(10));
            }

            Assert.That(store.Journal.CompactionCount, Is.GreaterThan(0));
            Assert.That(store.Journal.Length, Is.LessThan(4 * 4096));
            lengthBefore = store.Journal.Length;
        }

        Assert.That(new FileInfo(_dir.JournalPath).Length, Is.EqualTo(lengthBefore));
        await using var reopened = await OpenAsync(options, time);
        var keys = (await reopened.ListAsync(CancellationToken.None)).Select(l => l.Key);
        Assert.That(keys, Is.EquivalentTo(Enumerable.Range(0, 300).Where(i => i % 3 == 0).Select(i => Key(i))));

        // Released within the last 30 s (3000 ms of simulated time ago at most) are all still quarantined.
        Assert.That(reopened.GetUsage()[0].Quarantined, Is.EqualTo(200));
    }

    [Test]
    public async Task Compaction_LongLogInheritedFromPreviousRun_CompactedOnFirstWrite()
    {
        var options = Options(_dir.Path, NetworkMode.L2Bridge, "10.244.0.0/16") with { CompactionThresholdBytes = long.MaxValue };
        await using (var store = await OpenAsync(options, new ManualTimeProvider()))
        {
            await Task.WhenAll(Enumerable.Range(0, 200).Select(i => store.ReserveDurableAsync(Key(i), Owner(i), CancellationToken.None)));
            await Task.WhenAll(Enumerable.Range(0, 190).Select(i => store.ReleaseAsync(Key(i), CancellationToken.None)));
        }

        await using var reopened = await OpenAsync(options with { CompactionThresholdBytes = 1024 }, new ManualTimeProvider(DateTimeOffset.MaxValue.AddYears(-1)));
        var before = reopened.Journal.Length;
        await reopened.ReserveDurableAsync(Key(500), Owner(500), CancellationToken.None);

        Assert.That(reopened.Journal.CompactionCount, Is.EqualTo(1));
        Assert.That(reopened.Journal.Length, Is.LessThan(before / 4), "released leases and expired quarantine are gone");
        Assert.That(await reopened.ListAsync(CancellationToken.None), Has.Count.EqualTo(11));
    }

    [Test]
    public async Task Compaction_CrashAtEachStage_ImageRecoversExactlyTheCommittedLeases()
    {
        var options = Options(_dir.Path) with { CompactionThresholdBytes = 2048 };
        var live = new HashSet<LeaseKey>();
        var images = new List<(string Stage, TempDirectory Image, HashSet<LeaseKey> Expected)>();
        try
        {
            await using (var store = await OpenAsync(options))
            {
                store.Journal.CompactionHook = stage =>
                {
                    // What a crash at this instant leaves on disk: a copy of the directory's files.
                    var image = new TempDirectory();
                    Directory.CreateDirectory(image.IpamDirectory);
                    foreach (var file in Directory.GetFiles(_dir.IpamDirectory))
                    {
                        if (!file.EndsWith(LeaseJournal.LockFileName, StringComparison.Ordinal))
                        {
                            File.Copy(file, Path.Combine(image.IpamDirectory, Path.GetFileName(file)));
                        }
                    }

                    images.Add((stage.ToString(), image, [.. live]));
                };

                for (var i = 0; i < 120; i++)
                {
                    // Compaction runs after a batch's fsync and before its callers resume, so the image must hold the
                // effect of the operation in flight: update the model first.
                    live.Add(Key(i));
                    await store.ReserveDurableAsync(Key(i), Owner(i), CancellationToken.None);
                    if (i % 2 == 1)
                    {
                        live.Remove(Key(i - 1));
                        await store.ReleaseAsync(Key(i - 1), CancellationToken.None);
                    }
                }
            }

            Assert.That(images.Select(i => i.Stage), Does.Contain(nameof(CompactionStage.TempFileWritten)).And.Contain(nameof(CompactionStage.Replaced)));
            foreach (var (stage, image, expected) in images)
            {
                await using var recovered = await OpenAsync(options with { StateDirectory = image.Path });
                Assert.That((await recovered.ListAsync(CancellationToken.None)).Select(l => l.Key), Is.EquivalentTo(expected), stage);
                Assert.That(File.Exists(Path.Combine(image.IpamDirectory, LeaseJournal.TempFileName)), Is.False, stage);
            }
        }
        finally
        {
            foreach (var (_, image, _) in images)
            {
                image.Dispose();
            }
        }
    }

    [Test]
    public async Task Journal_FailedWriteLeavesPartialBytes_TruncatedBackSoLaterRecordsSurvive()
    {
        var options = Options(_dir.Path);
        await using (var store = await OpenAsync(options))
        {
            await store.ReserveDurableAsync(Key(0), Owner(0), CancellationToken.None);
            var good = store.Journal.Length;
            var fail = true;
            store.Journal.BeforeWrite = () =>
            {
                if (fail)
                {
                    fail = false;

                    // Simulate a write that got half-way: garbage lands at the end, then the call fails.
                    using (var raw = new FileStream(_dir.JournalPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
                    {
                        raw.Seek(0, SeekOrigin.End);
                        raw.Write(new byte[] { 0x30, 0, 0, 0, 1, 2, 3 });
                    }

                    throw new IOException("injected: EIO");
                }
            };

            Assert.ThrowsAsync<IpamJournalException>(() => store.ReserveDurableAsync(Key(1), Owner(1), CancellationToken.None));
            Assert.That(new FileInfo(_dir.JournalPath).Length, Is.EqualTo(good));
            await store.ReserveDurableAsync(Key(2), Owner(2), CancellationToken.None);
        }

        await using var reopened = await OpenAsync(options);
        Assert.That((await reopened.ListAsync(CancellationToken.None)).Select(l => l.Key), Is.EquivalentTo(new[] { Key(0), Key(2) }));
    }
}
