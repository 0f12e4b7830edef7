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
        var time = new FakeTimeProvider();
        var release = new BurstMemoryRelease(time, NullLogger.Instance);
        var collections = GC.CollectionCount(GC.MaxGeneration);

        Assert.That(release.AfterPass(BurstMemoryRelease.BurstWrites), Is.True);
        await Task.Delay(200);
        Assert.That(release.Running.IsCompleted, Is.False, "waits for the burst to settle");
        await AdvanceUntilDoneAsync(time, release);

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
        var first = time.GetUtcNow();
        Assert.That(release.AfterPass(50_000), Is.True);
        await AdvanceUntilDoneAsync(time, release);

        time.Advance(first + BurstMemoryRelease.MinInterval - TimeSpan.FromSeconds(1) - time.GetUtcNow());
        Assert.That(release.AfterPass(50_000), Is.False, "each release pauses the process: not more often than the interval");

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(release.AfterPass(50_000), Is.True);
        await AdvanceUntilDoneAsync(time, release);
    }

    /// <summary>Moves the clock past the settle delay (once the release waits on it) until the release is done.</summary>
    private static async Task AdvanceUntilDoneAsync(FakeTimeProvider time, BurstMemoryRelease release)
    {
        for (var i = 0; i < 300 && !release.Running.IsCompleted; i++)
        {
            time.Advance(BurstMemoryRelease.SettleDelay);
            await Task.Delay(100);
        }

        await release.Running.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
