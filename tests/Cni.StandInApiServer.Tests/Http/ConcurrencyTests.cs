using System.Globalization;
using System.Text.Json.Nodes;

namespace Cni.StandInApiServer.Tests.Http;

public sealed class ConcurrencyTests
{
    [Test]
    public async Task ConcurrentWritersAndWatchers_EveryWatcherSeesEveryEventInOrder()
    {
        await using var h = await ServerHarness.StartAsync();
        var start = h.Server.Store.ResourceVersion;
        var watches = new List<WatchReader>();
        for (var i = 0; i < 4; i++)
        {
            watches.Add(await h.WatchAsync($"/api/v1/nodes?watch=true&resourceVersion={start}"));
        }

        const int Writers = 4;
        const int PerWriter = 25;
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < PerWriter; i++)
            {
                await h.CreateNodeAsync($"w{w}-{i}");
            }
        })));

        foreach (var watch in watches)
        {
            using (watch)
            {
                var versions = new List<long>();
                for (var i = 0; i < Writers * PerWriter; i++)
                {
                    var e = await watch.NextAsync();
                    Assert.That((string?)e?["type"], Is.EqualTo("ADDED"));
                    versions.Add(long.Parse((string)e!["object"]!["metadata"]!["resourceVersion"]!, CultureInfo.InvariantCulture));
                }

                Assert.That(versions, Is.Ordered.Ascending);
                Assert.That(versions.Distinct().Count(), Is.EqualTo(Writers * PerWriter));
            }
        }
    }

    [Test]
    public async Task Create_NonStringLabel_Returns422NamingTheLabel()
    {
        await using var h = await ServerHarness.StartAsync();
        var node = Objects.Node("n1", new JsonObject { ["count"] = 3 });
        var (code, status) = await h.PostAsync("/api/v1/nodes", node);
        Assert.That((int)code, Is.EqualTo(422));
        Assert.That((string?)status["details"]!["causes"]![0]!["field"], Is.EqualTo("metadata.labels[count]"));
    }
}
