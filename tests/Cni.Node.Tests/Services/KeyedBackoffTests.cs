using Cni.Node.Services;
using Microsoft.Extensions.Time.Testing;

namespace Cni.Node.Tests.Services;

public sealed class KeyedBackoffTests
{
    private const string Key = "default/web:http/TCP/IPv4/ClusterIP";
    private static readonly TimeSpan Initial = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(5);

    private static (KeyedBackoff Backoff, FakeTimeProvider Time) Create()
    {
        var time = new FakeTimeProvider();
        return (new KeyedBackoff(time, Initial, Max), time);
    }

    [Test]
    public void Failed_Repeatedly_DoublesUpToTheCap()
    {
        var (backoff, time) = Create();
        var start = time.GetUtcNow();

        var delays = Enumerable.Range(0, 5).Select(_ => backoff.Failed(Key) - start).ToList();

        Assert.That(delays, Is.EqualTo(new[] { Initial, 2 * Initial, 4 * Initial, Max, Max }));
    }

    [Test]
    public void NotBefore_AfterTheDelay_Null()
    {
        var (backoff, time) = Create();
        backoff.Failed(Key);

        var during = backoff.NotBefore(Key);
        time.Advance(Initial);

        Assert.That((during is null, backoff.NotBefore(Key)), Is.EqualTo((false, (DateTimeOffset?)null)));
    }

    [Test]
    public void Succeeded_AfterFailures_StartsAgainFromTheInitialDelay()
    {
        var (backoff, time) = Create();
        backoff.Failed(Key);
        backoff.Failed(Key);

        backoff.Succeeded(Key);

        Assert.That(backoff.Failed(Key) - time.GetUtcNow(), Is.EqualTo(Initial));
    }

    [Test]
    public void Retain_KeyNotLive_Forgotten()
    {
        var (backoff, _) = Create();
        backoff.Failed(Key);

        backoff.Retain(new HashSet<string>());

        Assert.That(backoff.NotBefore(Key), Is.Null);
    }
}
