using System.Net;
using System.Text.Json.Nodes;

namespace Cni.StandInApiServer.Tests.Http;

public sealed class WatchTests : ServerTests
{
    private static string Type(JsonObject? e) => (string?)e?["type"] ?? "<end>";

    private static string Name(JsonObject? e) => (string?)e?["object"]?["metadata"]?["name"] ?? "";

    [TestCase("")]
    [TestCase("&resourceVersion=0")]
    public async Task Watch_NoVersion_StartsWithSyntheticAddedThenLive(string rv)
    {
        await Harness.CreateNodeAsync("a");
        using var watch = await Harness.WatchAsync("/api/v1/nodes?watch=true" + rv);
        var first = await watch.NextAsync();
        Assert.That((Type(first), Name(first)), Is.EqualTo(("ADDED", "a")));
        Assert.That((string?)first!["object"]!["kind"], Is.EqualTo("Node"));
        await Harness.CreateNodeAsync("b");
        var second = await watch.NextAsync();
        Assert.That((Type(second), Name(second)), Is.EqualTo(("ADDED", "b")));
    }

    [Test]
    public async Task Watch_FromVersion_ReplaysLaterHistoryOnly()
    {
        var a = await Harness.CreateNodeAsync("a");
        await Harness.CreateNodeAsync("b");
        await Harness.PatchAsync("/api/v1/nodes/a", JsonNode.Parse("""{"metadata":{"labels":{"x":"1"}}}""")!, "application/merge-patch+json");
        using var watch = await Harness.WatchAsync($"/api/v1/nodes?watch=1&resourceVersion={Objects.Rv(a)}");
        var e1 = await watch.NextAsync();
        var e2 = await watch.NextAsync();
        Assert.That((Type(e1), Name(e1)), Is.EqualTo(("ADDED", "b")));
        Assert.That((Type(e2), Name(e2)), Is.EqualTo(("MODIFIED", "a")));
    }

    [Test]
    public async Task Watch_CompactedVersion_SendsExpiredErrorAndEnds()
    {
        var a = await Harness.CreateNodeAsync("a");
        await Harness.CreateNodeAsync("b");
        Harness.Server.CompactHistory();
        using var watch = await Harness.WatchAsync($"/api/v1/nodes?watch=true&resourceVersion={Objects.Rv(a)}");
        var events = await watch.ReadToEndAsync();
        Assert.That(events, Has.Count.EqualTo(1));
        Assert.That(Type(events[0]), Is.EqualTo("ERROR"));
        var status = events[0]["object"]!;
        Assert.That((string?)status["kind"], Is.EqualTo("Status"));
        Assert.That((int?)status["code"], Is.EqualTo(410));
        Assert.That((string?)status["reason"], Is.EqualTo("Expired"));
    }

    [Test]
    public async Task Watch_VersionBeyondHistoryLimit_Expires()
    {
        await using var h = await ServerHarness.StartAsync(new StandInApiServerOptions { HistoryLimit = 2 });
        var a = await h.CreateNodeAsync("a");
        await h.CreateNodeAsync("b");
        await h.CreateNodeAsync("c");
        await h.CreateNodeAsync("d");
        using var watch = await h.WatchAsync($"/api/v1/nodes?watch=true&resourceVersion={Objects.Rv(a)}");
        Assert.That(Type(await watch.NextAsync()), Is.EqualTo("ERROR"));
    }

    [Test]
    public async Task Watch_AllowBookmarks_SendsBookmarkWithOnlyResourceVersion()
    {
        await using var h = await ServerHarness.StartAsync(new StandInApiServerOptions { BookmarkInterval = TimeSpan.FromMilliseconds(100) });
        using var watch = await h.WatchAsync($"/api/v1/nodes?watch=true&allowWatchBookmarks=true&resourceVersion={h.Server.Store.ResourceVersion}");
        var bookmark = await watch.NextAsync();
        Assert.That(Type(bookmark), Is.EqualTo("BOOKMARK"));
        var obj = bookmark!["object"]!.AsObject();
        Assert.That(obj.Select(p => p.Key), Is.EquivalentTo(new[] { "kind", "apiVersion", "metadata" }));
        Assert.That((string?)obj["kind"], Is.EqualTo("Node"));
        Assert.That(obj["metadata"]!.AsObject().Select(p => p.Key), Is.EqualTo(new[] { "resourceVersion" }));
    }

    [Test]
    public async Task Watch_TimeoutSeconds_EndsStreamCleanly()
    {
        using var watch = await Harness.WatchAsync($"/api/v1/nodes?watch=true&timeoutSeconds=1&resourceVersion={Harness.Server.Store.ResourceVersion}");
        var events = await watch.ReadToEndAsync();
        Assert.That(events, Is.Empty);
    }

    [Test]
    public async Task Watch_LabelSelector_LeavingIsDeletedEnteringIsAdded()
    {
        await Harness.CreateNodeAsync("a", new JsonObject { ["role"] = "win" });
        using var watch = await Harness.WatchAsync($"/api/v1/nodes?watch=true&labelSelector=role%3Dwin&resourceVersion={Harness.Server.Store.ResourceVersion}");
        await Harness.PatchAsync("/api/v1/nodes/a", JsonNode.Parse("""{"metadata":{"labels":{"role":"linux"}}}""")!, "application/merge-patch+json");
        var left = await watch.NextAsync();
        Assert.That((Type(left), Name(left)), Is.EqualTo(("DELETED", "a")));
        Assert.That((string?)left!["object"]!["metadata"]!["labels"]!["role"], Is.EqualTo("linux"));
        await Harness.PatchAsync("/api/v1/nodes/a", JsonNode.Parse("""{"metadata":{"labels":{"role":"win"}}}""")!, "application/merge-patch+json");
        var entered = await watch.NextAsync();
        Assert.That((Type(entered), Name(entered)), Is.EqualTo(("ADDED", "a")));
    }

    [Test]
    public async Task Watch_Delete_CarriesLastStateWithNewVersion()
    {
        var a = await Harness.CreateNodeAsync("a");
        using var watch = await Harness.WatchAsync($"/api/v1/nodes?watch=true&resourceVersion={Objects.Rv(a)}");
        await Harness.SendAsync(HttpMethod.Delete, "/api/v1/nodes/a");
        var deleted = await watch.NextAsync();
        Assert.That(Type(deleted), Is.EqualTo("DELETED"));
        Assert.That((string?)deleted!["object"]!["metadata"]!["uid"], Is.EqualTo((string?)a["metadata"]!["uid"]));
        Assert.That(long.Parse(Objects.Rv(deleted["object"]!.AsObject()), System.Globalization.CultureInfo.InvariantCulture),
            Is.GreaterThan(long.Parse(Objects.Rv(a), System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Test]
    public async Task Watch_Namespaced_SeesOnlyItsNamespace()
    {
        using var watch = await Harness.WatchAsync($"/api/v1/namespaces/kube-system/services?watch=true&resourceVersion={Harness.Server.Store.ResourceVersion}");
        await Harness.CreateServiceAsync(Objects.Service("web"));
        await Harness.CreateServiceAsync(Objects.Service("dns"), "kube-system");
        var e = await watch.NextAsync();
        Assert.That((Type(e), Name(e)), Is.EqualTo(("ADDED", "dns")));
    }

    [Test]
    public async Task LegacyWatchPath_NamedObject_WatchesThatObject()
    {
        await Harness.CreateNodeAsync("a");
        await Harness.CreateNodeAsync("b");
        using var watch = await Harness.WatchAsync("/api/v1/watch/nodes/b");
        var e = await watch.NextAsync();
        Assert.That((Type(e), Name(e)), Is.EqualTo(("ADDED", "b")));
    }

    [Test]
    public async Task Watch_ServerStops_StreamEnds()
    {
        using var watch = await Harness.WatchAsync($"/api/v1/nodes?watch=true&resourceVersion={Harness.Server.Store.ResourceVersion}");
        await Harness.Server.StopAsync(CancellationToken.None);
        Assert.That(await ReadEndAsync(watch), Is.True);
    }

    [Test]
    public async Task Watch_ConsumerTooSlow_IsDisconnected()
    {
        await using var h = await ServerHarness.StartAsync(new StandInApiServerOptions { WatchQueueCapacity = 2 });
        using var watch = await h.WatchAsync($"/api/v1/nodes?watch=true&resourceVersion={h.Server.Store.ResourceVersion}");
        // The client reads nothing, so once the socket buffers (a few MB on loopback) are full the server's writer
        // stalls and the 2-slot queue overflows: 2000 events of ~10 KB are far more than any buffer holds.
        var padding = new string('x', 10_000);
        const int Count = 2000;
        for (var i = 0; i < Count && h.Server.Store.WatcherCount > 0; i++)
        {
            var node = Objects.Node($"n{i}");
            node["metadata"]!["annotations"] = new JsonObject { ["padding"] = padding };
            h.Server.Store.Create("nodes", node);
        }

        Assert.That(h.Server.Store.WatcherCount, Is.Zero, "the writer dropped the watcher instead of waiting for it");
        var events = await watch.ReadToEndAsync();
        Assert.That(events, Has.Count.LessThan(Count));
    }

    [Test]
    public async Task Watch_SendInitialEvents_EndsInitialListWithAnnotatedBookmark()
    {
        await Harness.CreateNodeAsync("a");
        using var watch = await Harness.WatchAsync("/api/v1/nodes?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&resourceVersion=");
        var added = await watch.NextAsync();
        var bookmark = await watch.NextAsync();
        Assert.That(Type(added), Is.EqualTo("ADDED"));
        Assert.That(Type(bookmark), Is.EqualTo("BOOKMARK"));
        Assert.That((string?)bookmark!["object"]!["metadata"]!["annotations"]!["k8s.io/initial-events-end"], Is.EqualTo("true"));
    }

    [Test]
    public async Task Watch_StoreWrite_IsSeenLikeApiWrite()
    {
        using var watch = await Harness.WatchAsync($"/api/v1/nodes?watch=true&resourceVersion={Harness.Server.Store.ResourceVersion}");
        Harness.Server.Store.Create(new k8s.Models.V1Node { Metadata = new k8s.Models.V1ObjectMeta { Name = "typed" } });
        var e = await watch.NextAsync();
        Assert.That((Type(e), Name(e)), Is.EqualTo(("ADDED", "typed")));
    }

    [Test]
    public async Task WatchTable_AsKubectlAsks_SendsTableRows()
    {
        await Harness.CreateNodeAsync("a");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/nodes?watch=true");
        request.Headers.TryAddWithoutValidation("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io");
        using var response = await Harness.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var watch = new WatchReader(response, await response.Content.ReadAsStreamAsync());
        var e = await watch.NextAsync();
        Assert.That((string?)e!["object"]!["kind"], Is.EqualTo("Table"));
        Assert.That((string?)e["object"]!["rows"]![0]!["cells"]![0], Is.EqualTo("a"));
    }

    private static async Task<bool> ReadEndAsync(WatchReader watch)
    {
        try
        {
            while (await watch.NextAsync() is not null)
            {
            }

            return true;
        }
        catch (IOException)
        {
            return true; // the connection was cut: also an end the client re-watches after
        }
        catch (HttpRequestException)
        {
            return true;
        }
    }
}
