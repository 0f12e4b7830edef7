using System.Collections.Immutable;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Cni.Node.Kubernetes.Cache;

/// <summary>
/// An informer: keeps every object of one type in memory from a list followed by a watch, and tells subscribers
/// what changed. A watch that ends is resumed from the last resourceVersion (bookmarks advance it); 410 Gone
/// relists and synthesizes the changes missed meanwhile (deletes included); an idle watch is abandoned; errors
/// back off exponentially. <see cref="RunAsync"/> never throws except for cancellation.
/// </summary>
/// <typeparam name="T">The resource type.</typeparam>
public sealed partial class ResourceCache<T> : ICacheSyncStatus
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly IListWatchSource<T> _source;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ResourceCacheOptions _options;
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _handlersLock = new();
    private ImmutableDictionary<string, T> _store = ImmutableDictionary<string, T>.Empty.WithComparers(StringComparer.Ordinal);
    private ImmutableArray<Action<CacheEvent<T>>> _handlers = [];
    private long _lastContactTicks;
    private volatile string? _lastError;

    /// <summary>Creates the cache; <see cref="RunAsync"/> fills it.</summary>
    /// <param name="source">Where objects come from.</param>
    /// <param name="timeProvider">Time (timers, backoff, last contact).</param>
    /// <param name="options">Timing; null for the defaults.</param>
    public ResourceCache(IListWatchSource<T> source, TimeProvider timeProvider, ILogger logger, ResourceCacheOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _source = source;
        _time = timeProvider;
        _logger = logger;
        _options = options ?? new ResourceCacheOptions();
    }

    /// <inheritdoc/>
    public string Resource => _source.Resource;

    /// <inheritdoc/>
    public bool HasSynced => _synced.Task.IsCompleted;

    /// <summary>The last resourceVersion seen (list, event or bookmark), or null before the first list.</summary>
    public string? ResourceVersion { get; private set; }

    /// <summary>When the API server last answered (a list, an event or a bookmark), or null if never.</summary>
    public DateTimeOffset? LastContact
    {
        get
        {
            var ticks = Interlocked.Read(ref _lastContactTicks);
            return ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    /// <summary>
    /// Why the last list or watch failed (an HTTP status with the server's message, "connection refused", a timeout),
    /// or null once one succeeds: what an operator needs while the cache waits for the API server.
    /// </summary>
    public string? LastError => _lastError;

    /// <summary>The cache key of an object: <c>namespace/name</c>, or <c>name</c> for cluster-scoped objects.</summary>
    /// <param name="item">The object.</param>
    public static string KeyOf(T item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return KeyOf(item.Metadata?.NamespaceProperty, item.Metadata?.Name ?? string.Empty);
    }

    /// <summary>The cache key for a namespace and name.</summary>
    /// <param name="namespaceName">The namespace, or null/empty for cluster-scoped objects.</param>
    public static string KeyOf(string? namespaceName, string name) => string.IsNullOrEmpty(namespaceName) ? name : namespaceName + "/" + name;

    /// <inheritdoc/>
    public Task WaitForSyncAsync(CancellationToken cancellationToken) => _synced.Task.WaitAsync(cancellationToken);

    /// <summary>Looks an object up. The object is shared: do not modify it.</summary>
    /// <param name="namespaceName">The namespace, or null for cluster-scoped objects.</param>
    /// <param name="item">The object, if present.</param>
    /// <returns>Whether it is present.</returns>
    public bool TryGet(string? namespaceName, string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out T? item) =>
        Volatile.Read(ref _store).TryGetValue(KeyOf(namespaceName, name), out item);

    /// <summary>A snapshot of all objects (immutable; later changes do not show in it).</summary>
    /// <returns>The objects.</returns>
    public ImmutableArray<T> List() => [.. Volatile.Read(ref _store).Values];

    /// <summary>A snapshot of all keys.</summary>
    public ImmutableArray<string> Keys() => [.. Volatile.Read(ref _store).Keys];

    /// <summary>
    /// Subscribes to changes. Handlers run on the cache's loop, one at a time, after the cache is updated; keep them
    /// short (enqueue a key). A handler that throws is logged and does not affect the cache or other handlers.
    /// </summary>
    /// <returns>Disposing it unsubscribes.</returns>
    public IDisposable Subscribe(Action<CacheEvent<T>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_handlersLock)
        {
            _handlers = _handlers.Add(handler);
        }

        return new Subscription(this, handler);
    }

    /// <summary>Lists and watches until cancelled. Errors are logged and retried; only cancellation ends it.</summary>
    /// <param name="cancellationToken">Stops the cache.</param>
    /// <returns>Completes when cancelled.</returns>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var listFailures = 0;
        var unproductive = 0;
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                string resourceVersion;
                try
                {
                    resourceVersion = await ListAsync(cancellationToken).ConfigureAwait(false);
                    listFailures = 0;
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    listFailures++;
                    _lastError = Describe(e);
                    var delay = _options.Backoff.Delay(listFailures);
                    Log.ListFailed(_logger, e, Resource, listFailures, delay);
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                // Watch until the resourceVersion expires; then relist.
                var watchFailures = 0;
                while (true)
                {
                    try
                    {
                        var events = await WatchOnceAsync(resourceVersion, cancellationToken).ConfigureAwait(false);
                        resourceVersion = ResourceVersion ?? resourceVersion;
                        watchFailures = 0;
                        Log.WatchEnded(_logger, Resource, events, resourceVersion);

                        // A watch that ends or idles without delivering anything must not turn into a busy loop.
                        unproductive = events == 0 ? unproductive + 1 : 0;
                        if (unproductive > 1)
                        {
                            await Task.Delay(_options.Backoff.Delay(unproductive - 1), _time, cancellationToken).ConfigureAwait(false);
                        }
                    }
                    catch (ResourceExpiredException e)
                    {
                        Log.Expired(_logger, Resource, resourceVersion, e.Message);

                        // Relisting at once is right after a long-lived watch expires; a loop of list/410 is not.
                        unproductive++;
                        if (unproductive > 1)
                        {
                            await Task.Delay(_options.Backoff.Delay(unproductive - 1), _time, cancellationToken).ConfigureAwait(false);
                        }

                        break;
                    }
                    catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                    {
                        watchFailures++;
                        _lastError = Describe(e);
                        resourceVersion = ResourceVersion ?? resourceVersion;
                        var delay = _options.Backoff.Delay(watchFailures);
                        Log.WatchFailed(_logger, e, Resource, watchFailures, resourceVersion, delay);
                        await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped.
        }
    }

    private async Task<string> ListAsync(CancellationToken cancellationToken)
    {
        var items = new List<T>();
        string? continueToken = null;
        string resourceVersion;
        var restarted = false;
        while (true)
        {
            ResourceListPage<T> page;
            try
            {
                page = await _source.ListAsync(continueToken, cancellationToken).ConfigureAwait(false);
            }
            catch (ResourceExpiredException) when (continueToken is not null && !restarted)
            {
                // The continue token outlived the server's compaction window: start the list over, once.
                restarted = true;
                items.Clear();
                continueToken = null;
                continue;
            }

            items.AddRange(page.Items);
            if (string.IsNullOrEmpty(page.Continue))
            {
                resourceVersion = page.ResourceVersion;
                break;
            }

            continueToken = page.Continue;
        }

        Touch();
        Replace(items, resourceVersion);
        Log.Listed(_logger, Resource, items.Count, resourceVersion);
        _synced.TrySetResult();
        return resourceVersion;
    }

    private async Task<int> WatchOnceAsync(string resourceVersion, CancellationToken cancellationToken)
    {
        using var watchCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var idle = 0;
        using var idleTimer = _time.CreateTimer(
            _ =>
            {
                Volatile.Write(ref idle, 1);
                try
                {
                    watchCancellation.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // The watch already ended.
                }
            },
            null,
            _options.IdleTimeout,
            Timeout.InfiniteTimeSpan);
        var events = 0;
        try
        {
            await foreach (var change in _source.WatchAsync(resourceVersion, RandomWatchTimeout(), watchCancellation.Token)
                .WithCancellation(watchCancellation.Token).ConfigureAwait(false))
            {
                idleTimer.Change(_options.IdleTimeout, Timeout.InfiniteTimeSpan);
                Touch();
                events++;
                Apply(change);
            }
        }
        catch (OperationCanceledException) when (Volatile.Read(ref idle) == 1 && !cancellationToken.IsCancellationRequested)
        {
            Log.WatchIdle(_logger, Resource, _options.IdleTimeout, ResourceVersion ?? resourceVersion);
        }

        return events;
    }

    /// <summary>One line for <see cref="LastError"/>: the API's status and message, or the transport's cause.</summary>
    private string Describe(Exception e) => e switch
    {
        KubernetesApiException api => api.Message,
        HttpRequestException http => $"{Resource}: {http.Message}{(http.InnerException is { } inner && !http.Message.Contains(inner.Message, StringComparison.Ordinal) ? " (" + inner.Message + ")" : "")}",
        OperationCanceledException => $"{Resource}: no answer from the API server in time",
        _ => $"{Resource}: {e.GetType().Name}: {e.Message}",
    };

    private TimeSpan RandomWatchTimeout()
    {
        var min = _options.MinWatchTimeout.TotalSeconds;
        var max = Math.Max(min, _options.MaxWatchTimeout.TotalSeconds);
#pragma warning disable CA5394 // Spreading reconnects, not security.
        return TimeSpan.FromSeconds(Math.Floor(min + (Random.Shared.NextDouble() * (max - min))));
#pragma warning restore CA5394
    }

    private void Apply(ResourceWatchEvent<T> change)
    {
        var version = change.Object.Metadata?.ResourceVersion;
        if (change.Type == WatchEventType.Bookmark)
        {
            if (!string.IsNullOrEmpty(version))
            {
                ResourceVersion = version;
            }

            return;
        }

        var key = KeyOf(change.Object);
        var store = Volatile.Read(ref _store);
        store.TryGetValue(key, out var old);
        CacheEvent<T>? notification = null;
        switch (change.Type)
        {
            case WatchEventType.Added:
            case WatchEventType.Modified:
                Volatile.Write(ref _store, store.SetItem(key, change.Object));
                notification = new CacheEvent<T>(old is null ? CacheEventType.Added : CacheEventType.Updated, change.Object, old);
                break;
            case WatchEventType.Deleted:
                Volatile.Write(ref _store, store.Remove(key));
                notification = new CacheEvent<T>(CacheEventType.Deleted, change.Object, old);
                break;
            default:
                break;
        }

        if (!string.IsNullOrEmpty(version))
        {
            ResourceVersion = version;
        }

        if (notification is not null)
        {
            Notify(notification);
        }
    }

    private void Replace(List<T> items, string resourceVersion)
    {
        var old = Volatile.Read(ref _store);
        var builder = ImmutableDictionary.CreateBuilder<string, T>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            builder[KeyOf(item)] = item;
        }

        var fresh = builder.ToImmutable();
        Volatile.Write(ref _store, fresh);
        ResourceVersion = resourceVersion;

        // What changed while we were not watching: new, changed (resourceVersion differs) and vanished objects.
        foreach (var (key, item) in fresh)
        {
            if (!old.TryGetValue(key, out var previous))
            {
                Notify(new CacheEvent<T>(CacheEventType.Added, item, null));
            }
            else if (previous.Metadata?.ResourceVersion != item.Metadata?.ResourceVersion)
            {
                Notify(new CacheEvent<T>(CacheEventType.Updated, item, previous));
            }
        }

        foreach (var (key, previous) in old)
        {
            if (!fresh.ContainsKey(key))
            {
                Notify(new CacheEvent<T>(CacheEventType.Deleted, previous, previous));
            }
        }
    }

    private void Notify(CacheEvent<T> notification)
    {
        // ImmutableArray wraps one reference: reading the field is atomic, and a snapshot is all a notification needs.
        var handlers = _handlers;
        foreach (var handler in handlers)
        {
            try
            {
                handler(notification);
            }
#pragma warning disable CA1031 // A subscriber's bug must not stop the cache.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Log.HandlerFailed(_logger, e, Resource, notification.Type, KeyOf(notification.Object));
            }
        }
    }

    /// <summary>The API server answered: it is in contact, and whatever failed before is over.</summary>
    private void Touch()
    {
        Interlocked.Exchange(ref _lastContactTicks, _time.GetUtcNow().UtcTicks);
        _lastError = null;
    }

    private void Unsubscribe(Action<CacheEvent<T>> handler)
    {
        lock (_handlersLock)
        {
            _handlers = _handlers.Remove(handler);
        }
    }

    private sealed class Subscription(ResourceCache<T> cache, Action<CacheEvent<T>> handler) : IDisposable
    {
        public void Dispose() => cache.Unsubscribe(handler);
    }
}
