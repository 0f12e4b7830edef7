using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Cni.StandInApiServer.Resources;
using Cni.StandInApiServer.Selectors;
using Cni.StandInApiServer.Storage;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cni.StandInApiServer.Controllers;

/// <summary>
/// Test infrastructure playing the controller manager's EndpointSlice controller against an <see cref="ObjectStore"/>
/// (what kind's kube-controller-manager does for a real cluster): for every Service with a selector it keeps the
/// EndpointSlices of the Pods the selector matches, and removes them when the Service goes or loses its selector.
/// Slices carry <c>kubernetes.io/service-name</c>, <c>endpointslice.kubernetes.io/managed-by</c> =
/// <see cref="ManagedBy"/>, an owner reference to the Service and <see cref="TriggerTimeAnnotation"/>; endpoints carry
/// ready/serving/terminating, nodeName, zone and targetRef. Only slices it manages are touched.
/// </summary>
/// <remarks>
/// It watches Services, Pods, Nodes and its own slices in-process; each change marks the Services it concerns, and a
/// pass recomputes those from the store's current objects and writes only slices that differ, so it reacts within
/// a moment of a change and an unchanged Service costs no write. Watches the store closes (server stop, a watcher
/// too far behind) are resumed, or listed again when the history is gone.
/// </remarks>
public sealed class EndpointSliceWriter : IAsyncDisposable
{
    /// <summary>The value of <c>endpointslice.kubernetes.io/managed-by</c> on the slices it writes (the real
    /// controller's is endpointslice-controller.k8s.io).</summary>
    public const string ManagedBy = "endpointslice-writer.wincni.io";

    /// <summary>The annotation with the time of the (earliest) Pod or Service change a slice write carries out.</summary>
    public const string TriggerTimeAnnotation = "endpoints.kubernetes.io/last-change-trigger-time";

    private const int WatchCapacity = 1_000_000;

    private static readonly ResourceType[] Watched = [ResourceTypes.Services, ResourceTypes.Pods, ResourceTypes.Nodes, ResourceTypes.EndpointSlices];

    private readonly ObjectStore _store;
    private readonly EndpointSliceWriterOptions _options;
    private readonly EndpointSlicePlanner _planner;
    private readonly ILogger _logger;
    private readonly Channel<Change> _changes = Channel.CreateUnbounded<Change>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _tasks = [];

    // Owned by the worker task once started.
    private readonly ChangeRouter _router = new();
    private readonly PendingServices _pending = new();
    private readonly PendingServices _retrying = new();
    private readonly HashSet<string> _ownWrites = new(StringComparer.Ordinal);
    private bool _retryScheduled;

    private int _disposed;
    private long _passes;
    private long _writes;

    /// <summary>Creates the writer (not running yet) for <paramref name="store"/>.</summary>
    public EndpointSliceWriter(ObjectStore store, EndpointSliceWriterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _options = options ?? new EndpointSliceWriterOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxEndpointsPerSlice, 1, nameof(options));
        _planner = new EndpointSlicePlanner(ManagedBy, _options.MaxEndpointsPerSlice);
        _logger = (_options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<EndpointSliceWriter>();
    }

    /// <summary>Passes completed (each writes what the changes seen before it require); for tests that wait for one.</summary>
    public long Passes => Interlocked.Read(ref _passes);

    /// <summary>Slice creates, updates and deletes done.</summary>
    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>Starts watching: the first pass covers everything in the store at this call.</summary>
    /// <exception cref="InvalidOperationException">Already started.</exception>
    public void Start()
    {
        if (_tasks.Count > 0) throw new InvalidOperationException("the EndpointSlice writer is already running");
        foreach (var type in Watched)
        {
            // Subscribed here, not in the pump, so the first pass sees this moment's objects whatever the scheduling.
            var (subscription, from) = Subscribe(type, null, relist: false);
            _tasks.Add(PumpAsync(type, subscription, from, _stop.Token));
        }

        _tasks.Add(RunAsync(_stop.Token));
    }

    /// <summary>Stops watching and writing (again: nothing).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        _changes.Writer.TryComplete();
        try
        {
            await Task.WhenAll(_tasks).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // expected on stop
        }

        _stop.Dispose();
    }

    /// <summary>RFC 3339 with as many fractional digits as needed, UTC (Go's time.RFC3339Nano, as upstream writes it).</summary>
    internal static string FormatTriggerTime(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    // ---------------------------------------------------------------- watching

    private (WatchSubscription Subscription, long From) Subscribe(ResourceType type, long? from, bool relist)
    {
        var labels = type == ResourceTypes.EndpointSlices
            ? LabelSelector.Parse($"{EndpointSlicePlanner.ManagedByLabel}={ManagedBy}")
            : LabelSelector.Everything;
        if (from is { } resume)
        {
            try
            {
                var resumed = _store.Watch(type, null, labels, FieldSelector.Everything, resume, initialEventsEndBookmark: false, WatchCapacity);
                PostAll(type, resumed);
                return (resumed, resume);
            }
            catch (ApiException e) when (e.Code == 410)
            {
                relist = true; // the history since then is gone: list again below
            }
        }

        // Read before subscribing: resuming later from here replays at most a few events twice, which is harmless.
        var listedAt = _store.ResourceVersion;
        var subscription = _store.Watch(type, null, labels, FieldSelector.Everything, null, initialEventsEndBookmark: false, WatchCapacity);
        if (relist) _changes.Writer.TryWrite(Change.Relisted(type, _options.TimeProvider.GetUtcNow()));
        PostAll(type, subscription);
        return (subscription, listedAt);
    }

    private void PostAll(ResourceType type, WatchSubscription subscription)
    {
        var now = _options.TimeProvider.GetUtcNow();
        foreach (var frame in subscription.Initial) _changes.Writer.TryWrite(Change.Event(type, frame, now));
        subscription.Initial.Clear();
    }

    /// <summary>Forwards one watch's events, stamped with the time they were seen (the trigger time), to the worker.</summary>
    private async Task PumpAsync(ResourceType type, WatchSubscription subscription, long from, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                bool overflowed;
                using (subscription)
                {
                    while (await subscription.Reader.WaitToReadAsync(ct).ConfigureAwait(false))
                    {
                        while (subscription.Reader.TryRead(out var frame))
                        {
                            from = ResourceVersionOf(frame.Object) ?? from;
                            _changes.Writer.TryWrite(Change.Event(type, frame, _options.TimeProvider.GetUtcNow()));
                        }
                    }

                    overflowed = subscription.Overflowed;
                }

                ct.ThrowIfCancellationRequested();
                (subscription, from) = Subscribe(type, overflowed ? null : from, relist: overflowed);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // stopping
        }
    }

    private static long? ResourceVersionOf(JsonObject obj) =>
        long.TryParse((string?)obj["metadata"]?["resourceVersion"], NumberStyles.None, CultureInfo.InvariantCulture, out var rv) ? rv : null;

    // ---------------------------------------------------------------- the worker

    private async Task RunAsync(CancellationToken ct)
    {
        try
        {
            while (await _changes.Reader.WaitToReadAsync(ct).ConfigureAwait(false))
            {
                while (_changes.Reader.TryRead(out var change)) Apply(change);
                if (_pending.Count == 0) continue;
                Pass();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // stopping
        }
    }

    private void Apply(Change change)
    {
        switch (change.Kind)
        {
            case ChangeKind.Retry:
                _retryScheduled = false;
                _pending.AddFrom(_retrying);
                break;
            case ChangeKind.Relisted:
                // Whatever went unseen meanwhile may concern any Service known so far.
                foreach (var service in _router.KnownServices.ToList()) _pending.Add(service, change.SeenAt);
                _router.Forget(change.Type!);
                if (change.Type == ResourceTypes.EndpointSlices) _ownWrites.Clear();
                break;
            default:
                var obj = change.Frame!.Object;
                var ownEcho = change.Type == ResourceTypes.EndpointSlices && (string?)obj["metadata"]?["resourceVersion"] is { } rv && _ownWrites.Remove(rv);
                var services = _router.Route(change.Type!, change.Frame.Type, obj);

                // Its own writes need no pass; a change by anyone else to a managed slice is repaired, which is no
                // Pod or Service change, so it has no trigger time.
                if (ownEcho) break;
                var changedAt = change.Type == ResourceTypes.EndpointSlices ? (DateTimeOffset?)null : change.SeenAt;
                foreach (var service in services) _pending.Add(service, changedAt);
                break;
        }
    }

    private void Pass()
    {
        var pods = new Dictionary<string, List<V1Pod>>(StringComparer.Ordinal);
        Dictionary<string, V1Node>? nodes = null;
        Dictionary<string, V1Node> Nodes() => nodes ??= _store.List<V1Node>().ToDictionary(n => n.Metadata.Name, StringComparer.Ordinal);
        List<V1Pod> PodsIn(string ns) =>
            pods.TryGetValue(ns, out var list) ? list : pods[ns] = _store.List<V1Pod>(ns).ToList();

        foreach (var (service, changedAt) in _pending.TakeAll())
        {
            try
            {
                Sync(service, changedAt, PodsIn, Nodes);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Test infrastructure must not die on one bad object: log it and try that Service again later.
                Log.SliceSyncFailed(_logger, e, service);
                RetryLater(service, changedAt);
            }
        }

        Interlocked.Increment(ref _passes);
    }

    private void Sync(string serviceKey, DateTimeOffset? changedAt, Func<string, List<V1Pod>> podsIn, Func<Dictionary<string, V1Node>> nodes)
    {
        var slash = serviceKey.IndexOf('/', StringComparison.Ordinal);
        var (ns, name) = (serviceKey[..slash], serviceKey[(slash + 1)..]);
        var service = _store.Get<V1Service>(name, ns);
        var existing = _store.Snapshot(ResourceTypes.EndpointSlices, ns,
                LabelSelector.Parse($"{EndpointSlicePlanner.ServiceNameLabel}={name},{EndpointSlicePlanner.ManagedByLabel}={ManagedBy}"),
                FieldSelector.Everything, null)
            .Items.Select(ObjectStore.FromJson<V1EndpointSlice>).ToList();
        var selector = service?.Spec?.Selector is { } s ? new Dictionary<string, string>(s, StringComparer.Ordinal) : [];
        var plan = service is null || selector.Count == 0 || service.Spec!.Type == "ExternalName"
            ? EndpointSlicePlan.DeleteAll(existing)
            : _planner.Plan(service, podsIn(ns).Where(p => ChangeRouter.Selects(selector, p.Metadata.Labels?.AsReadOnly())).ToList(), nodes(), existing);
        if (plan.IsEmpty) return;
        Write(ns, plan, changedAt);
        Log.SlicesWritten(_logger, serviceKey, plan.Create.Count, plan.Update.Count, plan.Delete.Count);
    }

    /// <summary>Creates first, then updates, then deletes, as upstream orders them (endpoints move into a new slice
    /// before they leave the old one). Every write carries the trigger time, or drops a stale one when there is none.</summary>
    private void Write(string ns, EndpointSlicePlan plan, DateTimeOffset? changedAt)
    {
        foreach (var slice in plan.Create)
        {
            var created = _store.Create(ResourceTypes.EndpointSlices, Annotated(slice, changedAt));
            Wrote(created);
        }

        foreach (var slice in plan.Update)
        {
            var sent = Annotated(slice, changedAt);
            var updated = _store.Update(ResourceTypes.EndpointSlices, sent, status: false);
            if ((string?)updated["metadata"]!["resourceVersion"] != (string?)sent["metadata"]!["resourceVersion"]) Wrote(updated);
        }

        foreach (var slice in plan.Delete)
        {
            try
            {
                Wrote(_store.Delete(ResourceTypes.EndpointSlices, ns, slice.Metadata.Name, null));
            }
            catch (ApiException e) when (e.Code == 404)
            {
                // Already gone: that is what was wanted.
            }
        }
    }

    private void Wrote(JsonObject written)
    {
        if ((string?)written["metadata"]?["resourceVersion"] is { } rv) _ownWrites.Add(rv);
        Interlocked.Increment(ref _writes);
    }

    private static JsonObject Annotated(V1EndpointSlice slice, DateTimeOffset? changedAt)
    {
        var json = ObjectStore.ToJson(slice);
        var meta = (JsonObject)json["metadata"]!;
        var annotations = meta["annotations"] as JsonObject ?? [];
        if (changedAt is { } at) annotations[TriggerTimeAnnotation] = FormatTriggerTime(at);
        else annotations.Remove(TriggerTimeAnnotation);
        if (annotations.Count > 0) meta["annotations"] = annotations;
        else meta.Remove("annotations");
        return json;
    }

    private void RetryLater(string service, DateTimeOffset? changedAt)
    {
        _retrying.Add(service, changedAt);
        if (_retryScheduled) return;
        _retryScheduled = true;
        _ = PokeAfterAsync(_options.RetryDelay, _stop.Token);
    }

    private async Task PokeAfterAsync(TimeSpan delay, CancellationToken ct)
    {
        try
        {
            await Task.Delay(delay, _options.TimeProvider, ct).ConfigureAwait(false);
            _changes.Writer.TryWrite(Change.Retry());
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    private enum ChangeKind
    {
        Event,
        Relisted,
        Retry,
    }

    /// <summary>What the pumps and the retry timer hand the worker.</summary>
    private sealed record Change(ChangeKind Kind, ResourceType? Type, WatchFrame? Frame, DateTimeOffset SeenAt)
    {
        public static Change Event(ResourceType type, WatchFrame frame, DateTimeOffset seenAt) => new(ChangeKind.Event, type, frame, seenAt);

        public static Change Relisted(ResourceType type, DateTimeOffset seenAt) => new(ChangeKind.Relisted, type, null, seenAt);

        public static Change Retry() => new(ChangeKind.Retry, null, null, default);
    }
}
