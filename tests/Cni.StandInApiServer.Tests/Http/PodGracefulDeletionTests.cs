using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;

namespace Cni.StandInApiServer.Tests.Http;

/// <summary>Graceful pod deletion on a fake clock.</summary>
public sealed class PodGracefulDeletionTests
{
    private const string Pods = "/api/v1/namespaces/default/pods";

    private FakeTimeProvider _time = null!;
    private ServerHarness _h = null!;

    [SetUp]
    public async Task SetUp()
    {
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        _h = await ServerHarness.StartAsync(new StandInApiServerOptions { TimeProvider = _time });
    }

    [TearDown]
    public async Task TearDown() => await _h.DisposeAsync();

    [Test]
    public async Task DeletePod_ScheduledWithGracePeriod_TerminatesUntilTheGracePeriodEnds()
    {
        await _h.CreatePodAsync(Objects.Pod("web-1", "n1"));
        var (code, terminating) = await _h.SendAsync(HttpMethod.Delete, $"{Pods}/web-1",
            JsonNode.Parse("""{"kind":"DeleteOptions","apiVersion":"v1","gracePeriodSeconds":30}"""));
        var (stillThere, got) = await _h.GetAsync($"{Pods}/web-1");
        _time.Advance(TimeSpan.FromSeconds(30));
        var gone = await PollAsync(async () => (await _h.GetAsync($"{Pods}/web-1")).Code == HttpStatusCode.NotFound);

        Assert.That(code, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((string?)terminating["metadata"]!["deletionTimestamp"], Is.EqualTo("2026-01-01T12:00:30Z"));
        Assert.That((int?)terminating["metadata"]!["deletionGracePeriodSeconds"], Is.EqualTo(30));
        Assert.That(stillThere, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((string?)got["metadata"]!["deletionTimestamp"], Is.EqualTo("2026-01-01T12:00:30Z"));
        Assert.That(gone, Is.True);
    }

    [Test]
    public async Task DeletePod_ShorterGracePeriodWhileTerminating_MovesTheDeadlineEarlier()
    {
        await _h.CreatePodAsync(Objects.Pod("web-1", "n1"));
        await _h.SendAsync(HttpMethod.Delete, $"{Pods}/web-1?gracePeriodSeconds=60");
        var (_, shorter) = await _h.SendAsync(HttpMethod.Delete, $"{Pods}/web-1?gracePeriodSeconds=5");
        var (_, longer) = await _h.SendAsync(HttpMethod.Delete, $"{Pods}/web-1?gracePeriodSeconds=120");
        Assert.That((string?)shorter["metadata"]!["deletionTimestamp"], Is.EqualTo("2026-01-01T12:00:05Z"));
        Assert.That((string?)longer["metadata"]!["deletionTimestamp"], Is.EqualTo("2026-01-01T12:00:05Z"));
    }

    [Test]
    public async Task UpdatePod_Terminating_KeepsDeletionTimestamp()
    {
        await _h.CreatePodAsync(Objects.Pod("web-1", "n1"));
        var (_, terminating) = await _h.SendAsync(HttpMethod.Delete, $"{Pods}/web-1?gracePeriodSeconds=60");
        terminating["metadata"]!.AsObject().Remove("deletionTimestamp");
        terminating["metadata"]!["labels"] = new JsonObject { ["x"] = "1" };
        var (_, updated) = await _h.PutAsync($"{Pods}/web-1", terminating);
        Assert.That((string?)updated["metadata"]!["deletionTimestamp"], Is.EqualTo("2026-01-01T12:01:00Z"));
        Assert.That((int?)updated["metadata"]!["deletionGracePeriodSeconds"], Is.EqualTo(60));
    }

    private static async Task<bool> PollAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + ServerHarness.Patience;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition()) return true;
            await Task.Delay(20);
        }

        return false;
    }
}
