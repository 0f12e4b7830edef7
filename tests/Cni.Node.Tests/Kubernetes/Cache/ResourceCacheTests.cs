using System.Collections.Concurrent;
using Cni.Node.Kubernetes.Cache;
using Cni.Node.Kubernetes.Nodes;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static Cni.Node.Tests.Kubernetes.KubernetesTestObjects;

namespace Cni.Node.Tests.Kubernetes.Cache;

[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class ResourceCacheTests
{
    private readonly CancellationTokenSource _stop = new(TimeSpan.FromMinutes(2));
    private readonly FakeTimeProvider _time = new();
    private readonly ConcurrentQueue<CacheEvent<V1Node>> _events = new();
    private FakeApiServer? _server;
    private k8s.Kubernetes? _client;
    private Task? _run;

    [TearDown]
    public async Task TearDown()
    {
        await _stop.CancelAsync();
        if (_run is not null)
        {
            await _run.WaitAsync(TimeSpan.FromSeconds(20));
        }

        _client?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _stop.Dispose();
    }

    private async Task<ResourceCache<V1Node>> StartAsync(
        Func<HttpContext, RecordedRequest, FakeApiServer, Task> handler, TimeSpan? requestTimeout = null, IListWatchSource<V1Node>? source = null)
    {
        _server = await FakeApiServer.StartAsync(handler);
        _client = _server.CreateClient(requestTimeout);
        var cache = new ResourceCache<V1Node>(source ?? KubernetesListWatchSources.Nodes(_client, requestTimeout), _time, NullLogger.Instance);
        cache.Subscribe(_events.Enqueue);
        _run = cache.RunAsync(_stop.Token);
        return cache;
    }

    private static Func<HttpContext, RecordedRequest, FakeApiServer, Task> Lists(params Func<RecordedRequest, string>[] lists)
    {
        var next = 0;
        return async (context, request, server) =>
        {
            if (request.IsWatch)
            {
                await server.WatchAsync(context, request);
                return;
            }

            var index = Interlocked.Increment(ref next) - 1;
            await FakeApiServer.JsonAsync(context, lists[Math.Min(index, lists.Length - 1)](request));
        };
    }

    private IReadOnlyList<(CacheEventType, string, string?)> Events() =>
        [.. _events.Select(e => (e.Type, e.Object.Metadata.Name, e.Object.Metadata.ResourceVersion))];

    private async Task AdvanceUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out waiting for {what}");
            }

            _time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(10);
        }
    }

    [Test]
    public async Task RunAsync_PagedList_SyncsAllPagesAndWatchesFromLastResourceVersion()
    {
        var cache = await StartAsync(Lists(
            r => NodeListJson("10", "page2", NodeJson("n1", "3")),
            r => NodeListJson("11", null, NodeJson("n2", "4"))));

        await cache.WaitForSyncAsync(_stop.Token);
        var watch = await _server!.NextWatchAsync();

        Assert.That(cache.HasSynced, Is.True);
        Assert.That(cache.List().Select(n => n.Metadata.Name), Is.EquivalentTo(new[] { "n1", "n2" }));
        Assert.That(_server.Lists[0]["continue"], Is.Null);
        Assert.That(_server.Lists[1]["continue"], Is.EqualTo("page2"));
        Assert.That(watch.Request["resourceVersion"], Is.EqualTo("11"));
        Assert.That(watch.Request["allowWatchBookmarks"], Is.EqualTo("true"));
        Assert.That(int.Parse(watch.Request["timeoutSeconds"]!, System.Globalization.CultureInfo.InvariantCulture), Is.InRange(300, 600));
        Assert.That(cache.LastContact, Is.EqualTo(_time.GetUtcNow()));
        Assert.That(Events(), Is.EquivalentTo(new[] { (CacheEventType.Added, "n1", "3"), (CacheEventType.Added, "n2", "4") }));
    }

    [Test]
    public async Task RunAsync_ContinueTokenExpired_RestartsListFromFirstPage()
    {
        var pages = 0;
        var cache = await StartAsync(async (context, request, server) =>
        {
            if (request.IsWatch)
            {
                await server.WatchAsync(context, request);
                return;
            }

            switch (Interlocked.Increment(ref pages))
            {
                case 1:
                    await FakeApiServer.JsonAsync(context, NodeListJson("10", "page2", NodeJson("stale", "1")));
                    break;
                case 2:
                    await FakeApiServer.StatusAsync(context, 410, "The provided continue parameter is too old");
                    break;
                case 3:
                    await FakeApiServer.JsonAsync(context, NodeListJson("20", "page2b", NodeJson("n1", "5")));
                    break;
                default:
                    await FakeApiServer.JsonAsync(context, NodeListJson("21", null, NodeJson("n2", "6")));
                    break;
            }
        });

        var watch = await _server!.NextWatchAsync();

        Assert.That(_server.Lists.Select(r => r["continue"]), Is.EqualTo(new[] { null, "page2", null, "page2b" }));
        Assert.That(watch.Request["resourceVersion"], Is.EqualTo("21"));
        Assert.That(cache.List().Select(n => n.Metadata.Name), Is.EquivalentTo(new[] { "n1", "n2" }));
    }

    [Test]
    public async Task RunAsync_WatchEvents_UpdateStoreAndNotify()
    {
        var cache = await StartAsync(Lists(r => NodeListJson("10", null, NodeJson("n1", "3"))));
        var watch = await _server!.NextWatchAsync();

        watch.Send("ADDED", NodeJson("n2", "11"));
        watch.Send("MODIFIED", NodeJson("n1", "12", podCidr: "10.244.1.0/24"));
        watch.Send("DELETED", NodeJson("n2", "13"));
        await WaitUntilAsync(() => _events.Count == 4, "four events");

        Assert.That(Events(), Is.EqualTo(new[]
        {
            (CacheEventType.Added, "n1", "3"), (CacheEventType.Added, "n2", "11"), (CacheEventType.Updated, "n1", "12"), (CacheEventType.Deleted, "n2", "13"),
        }));
        Assert.That(cache.TryGet(null, "n1", out var n1), Is.True);
        Assert.That(n1!.Spec.PodCIDR, Is.EqualTo("10.244.1.0/24"));
        Assert.That(cache.TryGet(null, "n2", out _), Is.False);
        Assert.That(_events.ElementAt(2).OldObject!.Metadata.ResourceVersion, Is.EqualTo("3"));
        Assert.That(cache.ResourceVersion, Is.EqualTo("13"));
    }

    [Test]
    public async Task RunAsync_BookmarkThenCleanEnd_RewatchesFromBookmarkWithoutRelist()
    {
        var cache = await StartAsync(Lists(r => NodeListJson("10", null)));
        var first = await _server!.NextWatchAsync();

        first.Send("BOOKMARK", BookmarkJson("50"));
        first.End();
        var second = await _server.NextWatchAsync();

        Assert.That(second.Request["resourceVersion"], Is.EqualTo("50"));
        Assert.That(_server.Lists, Has.Count.EqualTo(1));
        Assert.That(_events, Is.Empty, "a bookmark is not a change");
    }

    [Test]
    public async Task RunAsync_GoneAtWatchStart_RelistsAndSynthesizesChanges()
    {
        var watches = 0;
        var lists = Lists(
            r => NodeListJson("10", null, NodeJson("n1", "3"), NodeJson("n2", "4"), NodeJson("n4", "5")),
            r => NodeListJson("20", null, NodeJson("n2", "15"), NodeJson("n3", "16"), NodeJson("n4", "5")));
        var cache = await StartAsync(async (context, request, server) =>
        {
            if (request.IsWatch && Interlocked.Increment(ref watches) == 1)
            {
                await FakeApiServer.StatusAsync(context, 410, "too old resource version");
                return;
            }

            await lists(context, request, server);
        });

        var watch = await _server!.NextWatchAsync();

        Assert.That(watch.Request["resourceVersion"], Is.EqualTo("20"));
        Assert.That(Events().Skip(3), Is.EquivalentTo(new[] { (CacheEventType.Updated, "n2", "15"), (CacheEventType.Added, "n3", "16"), (CacheEventType.Deleted, "n1", "3") }));
        Assert.That(cache.List().Select(n => n.Metadata.Name), Is.EquivalentTo(new[] { "n2", "n3", "n4" }));
    }

    [Test]
    public async Task RunAsync_GoneAsWatchErrorEvent_RelistsAndSynthesizesDeletes()
    {
        var cache = await StartAsync(Lists(
            r => NodeListJson("10", null, NodeJson("n1", "3"), NodeJson("n2", "4")),
            r => NodeListJson("20", null, NodeJson("n2", "4"))));
        var first = await _server!.NextWatchAsync();

        first.Send("ERROR", GoneStatusJson());
        var second = await _server.NextWatchAsync();

        Assert.That(_server.Lists, Has.Count.EqualTo(2));
        Assert.That(second.Request["resourceVersion"], Is.EqualTo("20"));
        Assert.That(Events().Skip(2), Is.EqualTo(new[] { (CacheEventType.Deleted, "n1", "3") }));
        Assert.That(cache.TryGet(null, "n1", out _), Is.False);
    }

    [Test]
    public async Task RunAsync_OtherWatchErrorEvent_RewatchesSameVersionWithoutRelist()
    {
        await StartAsync(Lists(r => NodeListJson("10", null)));
        var first = await _server!.NextWatchAsync();

        first.Send("ERROR", """{"kind":"Status","apiVersion":"v1","status":"Failure","message":"internal","code":500}""");
        await AdvanceUntilAsync(() => _server.Watches.Count == 2, "second watch");

        Assert.That(_server.Watches[1]["resourceVersion"], Is.EqualTo("10"));
        Assert.That(_server.Lists, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task RunAsync_WatchIdleForIdleTimeout_AbandonsAndRewatches()
    {
        var cache = await StartAsync(Lists(r => NodeListJson("10", null)));
        var first = await _server!.NextWatchAsync();
        first.Send("BOOKMARK", BookmarkJson("30"));
        await WaitUntilAsync(() => cache.ResourceVersion == "30", "bookmark applied");

        _time.Advance(TimeSpan.FromSeconds(89));
        await Task.Delay(200);
        Assert.That(_server.Watches, Has.Count.EqualTo(1), "not idle yet: the bookmark reset the timer");
        _time.Advance(TimeSpan.FromSeconds(2));
        var second = await _server.NextWatchAsync();

        await first.Closed.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.That(second.Request["resourceVersion"], Is.EqualTo("30"));
        Assert.That(_server.Lists, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task RunAsync_ServerError_BacksOffWithoutBusyLoop()
    {
        var failures = 3;
        var cache = await StartAsync(async (context, request, server) =>
        {
            if (!request.IsWatch && Interlocked.Decrement(ref failures) >= 0)
            {
                await FakeApiServer.StatusAsync(context, 500, "etcd is sad");
                return;
            }

            await Lists(r => NodeListJson("10", null, NodeJson("n1", "1")))(context, request, server);
        });

        await WaitUntilAsync(() => _server!.Requests.Count == 1, "first list");
        await Task.Delay(300);
        Assert.That(_server!.Requests, Has.Count.EqualTo(1), "no retry before the backoff elapsed");
        Assert.That(cache.HasSynced, Is.False);
        Assert.That(cache.LastContact, Is.Null);

        await AdvanceUntilAsync(() => cache.HasSynced, "sync after three failures");

        Assert.That(_server.Lists, Has.Count.EqualTo(4));
    }

    [Test]
    public async Task RunAsync_ConnectionRefused_BacksOffAndKeepsTrying()
    {
        var port = FreePort();
        using var client = new k8s.Kubernetes(new k8s.KubernetesClientConfiguration { Host = $"http://127.0.0.1:{port}" });
        var source = new CountingSource(KubernetesListWatchSources.Nodes(client));
        var cache = new ResourceCache<V1Node>(source, _time, NullLogger.Instance);
        _run = cache.RunAsync(_stop.Token);

        await WaitUntilAsync(() => source.Lists == 1, "first attempt");
        await Task.Delay(300);
        Assert.That(source.Lists, Is.EqualTo(1), "no retry before the backoff elapsed");
        await AdvanceUntilAsync(() => source.Lists >= 3, "two more attempts");

        Assert.That(cache.HasSynced, Is.False);
        Assert.That(_run.IsCompleted, Is.False);
    }

    [Test]
    public async Task RunAsync_Unauthorized_LastErrorSaysSoUntilAListSucceeds()
    {
        var refuse = 1;
        var cache = await StartAsync(async (context, request, server) =>
        {
            if (!request.IsWatch && Interlocked.Decrement(ref refuse) >= 0)
            {
                await FakeApiServer.StatusAsync(context, 401, "Unauthorized");
                return;
            }

            await Lists(r => NodeListJson("10", null, NodeJson("n1", "1")))(context, request, server);
        });

        await WaitUntilAsync(() => cache.LastError is not null, "the failed list");
        Assert.That(cache.LastError, Does.Contain("HTTP 401").And.Contain("Unauthorized"));

        await AdvanceUntilAsync(() => cache.HasSynced, "sync after the failure");
        Assert.That(cache.LastError, Is.Null);
    }

    [Test]
    public async Task RunAsync_ConnectionRefused_LastErrorNamesIt()
    {
        var port = FreePort();
        using var client = new k8s.Kubernetes(new k8s.KubernetesClientConfiguration { Host = $"http://127.0.0.1:{port}" });
        var cache = new ResourceCache<V1Node>(KubernetesListWatchSources.Nodes(client), _time, NullLogger.Instance);
        var source = new KubernetesNodeAddressingSource(cache, "n1", new Cni.Node.Configuration.NodeOptions());
        _run = cache.RunAsync(_stop.Token);

        await WaitUntilAsync(() => cache.LastError is not null, "first attempt");
        await source.GetAsync(CancellationToken.None);

        Assert.That(cache.LastError, Does.Contain("Connection refused").IgnoreCase);
        Assert.That(source.NotReadyReason, Does.StartWith("waiting for the first list of Nodes from the API server; the last attempt failed: ").And.Contain("refused"));
    }

    [Test]
    public async Task RunAsync_HandlerThrows_CacheAndOtherHandlersCarryOn()
    {
        var seen = new ConcurrentQueue<string>();
        _server = await FakeApiServer.StartAsync(Lists(r => NodeListJson("10", null, NodeJson("n1", "1"))));
        _client = _server.CreateClient();
        var cache = new ResourceCache<V1Node>(KubernetesListWatchSources.Nodes(_client), _time, NullLogger.Instance);
        cache.Subscribe(_ => throw new InvalidOperationException("buggy subscriber"));
        cache.Subscribe(e => seen.Enqueue(e.Object.Metadata.Name));
        _run = cache.RunAsync(_stop.Token);
        var watch = await _server.NextWatchAsync();

        watch.Send("ADDED", NodeJson("n2", "11"));
        await WaitUntilAsync(() => seen.Count == 2, "both events");

        Assert.That(seen, Is.EqualTo(new[] { "n1", "n2" }));
        Assert.That(cache.TryGet(null, "n2", out _), Is.True);
        Assert.That(_run.IsCompleted, Is.False);
    }

    [Test]
    public async Task RunAsync_Unsubscribed_HandlerNoLongerCalled()
    {
        _server = await FakeApiServer.StartAsync(Lists(r => NodeListJson("10", null, NodeJson("n1", "1"))));
        _client = _server.CreateClient();
        var cache = new ResourceCache<V1Node>(KubernetesListWatchSources.Nodes(_client), _time, NullLogger.Instance);
        var count = 0;
        var subscription = cache.Subscribe(_ => Interlocked.Increment(ref count));
        _run = cache.RunAsync(_stop.Token);
        var watch = await _server.NextWatchAsync();
        subscription.Dispose();

        watch.Send("ADDED", NodeJson("n2", "11"));
        await WaitUntilAsync(() => cache.TryGet(null, "n2", out _), "n2");

        Assert.That(count, Is.EqualTo(1));
    }

    [Test]
    public async Task RunAsync_WatchOutlivesHttpClientTimeout_NotCut()
    {
        var cache = await StartAsync(Lists(r => NodeListJson("10", null)), requestTimeout: TimeSpan.FromSeconds(1));
        var watch = await _server!.NextWatchAsync();

        await Task.Delay(TimeSpan.FromSeconds(2.5));
        watch.Send("ADDED", NodeJson("late", "11"));
        await WaitUntilAsync(() => cache.TryGet(null, "late", out _), "the late event on the same watch");

        Assert.That(_server.Watches, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task RunAsync_Cancelled_CompletesWithoutThrowing()
    {
        await StartAsync(Lists(r => NodeListJson("10", null)));
        await _server!.NextWatchAsync();

        await _stop.CancelAsync();

        Assert.That(async () => await _run!.WaitAsync(TimeSpan.FromSeconds(20)), Throws.Nothing);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class CountingSource(IListWatchSource<V1Node> inner) : IListWatchSource<V1Node>
    {
        private int _lists;

        public int Lists => Volatile.Read(ref _lists);

        public string Resource => inner.Resource;

        public Task<ResourceListPage<V1Node>> ListAsync(string? continueToken, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _lists);
            return inner.ListAsync(continueToken, cancellationToken);
        }

        public IAsyncEnumerable<ResourceWatchEvent<V1Node>> WatchAsync(string resourceVersion, TimeSpan serverTimeout, CancellationToken cancellationToken) =>
            inner.WatchAsync(resourceVersion, serverTimeout, cancellationToken);
    }
}
