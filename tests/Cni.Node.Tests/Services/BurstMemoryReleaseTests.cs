using Cni.Node.Services;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Cni.Node.Tests.Services;

[TestFixture]
public sealed class BurstMemoryReleaseTests
{
    [Test]
    public async Task AfterPass_BurstOfWrites_CompactsTheHeapOnce()
    {
        var release = new BurstMemoryRelease(new FakeTimeProvider(), NullLogger.Instance);
        var collections = GC.CollectionCount(GC.MaxGeneration);

        Assert.That(release.AfterPass(BurstMemoryRelease.BurstWrites), Is.True);
        await release.Running.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.That(GC.CollectionCount(GC.MaxGeneration), Is.GreaterThan(collections), "a full collection ran");
    }

    [Test]
    public void AfterPass_FewWrites_NothingRuns()
    {
        var release = new BurstMemoryRelease(new FakeTimeProvider(), NullLogger.Instance);

        Assert.That(release.AfterPass(BurstMemoryRelease.BurstWrites - 1), Is.False);
        Assert.That(release.AfterPass(0), Is.False);
        Assert.That(release.Running.IsCompleted, Is.True);
    }

    [Test]
    public async Task AfterPass_SecondBurstWithinTheInterval_WaitsForTheIntervalToPass()
    {
        var time = new FakeTimeProvider();
        var release = new BurstMemoryRelease(time, NullLogger.Instance);
        Assert.That(release.AfterPass(50_000), Is.True);
        await release.Running.WaitAsync(TimeSpan.FromSeconds(30));

        time.Advance(BurstMemoryRelease.MinInterval - TimeSpan.FromSeconds(1));
        Assert.That(release.AfterPass(50_000), Is.False, "each release pauses the process: not more often than the interval");

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(release.AfterPass(50_000), Is.True);
        await release.Running.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
