using System.Net;
using System.Net.Sockets;
using Cni.Node.Configuration;
using Cni.Node.Kubernetes.Cache;
using Cni.Node.Kubernetes.Flannel;
using k8s.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cni.Node.Services;

/// <summary>
/// The service proxy's loop: level-triggered passes that translate every Service (with its EndpointSlices) and
/// hand the whole desired set to <see cref="LoadBalancerReconciler"/>. Translations are kept across passes
/// (<see cref="ServiceTranslationCache"/>): an event-driven pass looks only at the Services the events named (slices
/// are indexed by Service from their events, as kube-proxy's EndpointSliceCache does); a resync, the first pass and
/// a change of this node's facts look at every Service and rebuild the index from the caches, and translate again
/// only Services whose Service or slices (by instance and resourceVersion) or whose node facts changed. A pass is a resync, which lists HCN and repairs drift, when <see cref="ServiceProxyOptions.ResyncPeriod"/>
/// has passed since the last resync started, however many events came in between; any other pass trusts what the
/// engine wrote. Nothing runs before the Service,
/// EndpointSlice and Node caches have all finished their first list (a partial view would delete load balancers).
/// Events only request a pass: requests are coalesced (one pass at a time; any number of requests during a pass
/// cause exactly one more), passes start at least <see cref="ServiceProxyOptions.MinSyncInterval"/> apart, and
/// a pass runs every <see cref="ServiceProxyOptions.ResyncPeriod"/> without events to repair drift. A failed pass
/// is logged and retried at the next trigger. The caches are run by whoever owns them, not by this class.
/// </summary>
/// <param name="services">The Service cache.</param>
/// <param name="slices">The EndpointSlice cache.</param>
/// <param name="nodes">The Node cache (this node's zone, peers' provider addresses).</param>
/// <param name="node">This node's facts; its zone is replaced by the Node label at each pass.</param>
/// <param name="networkId">The pod network's HCN ID, or null while it does not exist (a pass then waits for the next trigger).</param>
/// <param name="reconciler">The engine that applies each pass.</param>
/// <param name="annotations">flannel's annotation names (the provider address of each Node).</param>
/// <param name="options">Timing and DSR.</param>
/// <param name="time">Time, for the minimum interval and the resync.</param>
/// <param name="logger">The controller's log.</param>
/// <param name="metrics">The instruments, or null for none.</param>
/// <param name="healthChecks">Where each pass publishes the health-check node ports to serve, or null.</param>
/// <param name="sourceVipEndpoint">Ensures the overlay source VIP's endpoint at the first pass and each resync, or null where there is none.</param>
/// <param name="failureReporter">Told each failure a person must act on (<see cref="ObjectFailure.NeedsAction"/>) after every pass, or null.</param>
public sealed partial class ServiceProxyController(
    ResourceCache<V1Service> services,
    ResourceCache<V1EndpointSlice> slices,
    ResourceCache<V1Node> nodes,
    ProxyNodeFacts node,
    Func<Guid?> networkId,
    LoadBalancerReconciler reconciler,
    FlannelAnnotations annotations,
    ServiceProxyOptions options,
    TimeProvider time,
    ILogger<ServiceProxyController> logger,
    ServiceProxyMetrics? metrics = null,
    ServiceHealthChecks? healthChecks = null,
    SourceVipEndpoint? sourceVipEndpoint = null,
    IServiceProxyFailureReporter? failureReporter = null) : BackgroundService
{
    /// <summary>The label that ties an EndpointSlice to its Service (same namespace).</summary>
    public const string ServiceNameLabel = "kubernetes.io/service-name";

    /// <summary>The Node label that holds the node's zone, for topology-aware hints.</summary>
    public const string ZoneLabel = "topology.kubernetes.io/zone";

    /// <summary>When the change an EndpointSlice carries happened (set by the EndpointSlice controller, RFC 3339).</summary>
    public const string LastChangeTriggerTimeAnnotation = "endpoints.kubernetes.io/last-change-trigger-time";

    // The [LoggerMessage] methods log through this field.
    private readonly ILogger<ServiceProxyController> _logger = logger;
    private TaskCompletionSource _requested = NewSignal();
    private int _pending;
    private long _passes;
    private LoadBalancerPassReport? _lastReport;
    private readonly ServiceTranslationCache _translations = new();
    private readonly BurstMemoryRelease _memory = new(time, logger);
    private readonly Lock _indexLock = new();

    // Service keys the events named since the last pass, and each Service's slices by slice key; under _indexLock.
    private readonly HashSet<string> _dirty = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, V1EndpointSlice>> _slicesByService = new(StringComparer.Ordinal);
    private bool _lookAtEverything = true;
    private bool _sourceVipPresent;
    private DateTimeOffset _started;

    /// <summary>Whether all three caches have finished their first list.</summary>
    public bool IsSynced => services.HasSynced && slices.HasSynced && nodes.HasSynced;

    /// <summary>The report of the last pass that reached HCN, or null before the first.</summary>
    public LoadBalancerPassReport? LastReport => Volatile.Read(ref _lastReport);

    /// <summary>Passes finished (successful or not), for status and tests.</summary>
    public long Passes => Interlocked.Read(ref _passes);

    /// <summary>Asks for a pass; coalesced with any other request not yet served.</summary>
    public void RequestPass()
    {
        // A full fence between setting the flag and reading the signal: the loop swaps the signal before it reads the flag.
        Interlocked.Exchange(ref _pending, 1);
        Volatile.Read(ref _requested).TrySetResult();
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Enabled == false)
        {
            return;
        }

        // Subscribed before waiting, so a change made between the first list and the first pass is not lost.
        // Trigger times before this start were realized by an earlier wincnid (or never measured): kube-proxy ignores them too.
        _started = time.GetUtcNow();
        using var serviceEvents = services.Subscribe(e =>
        {
            metrics?.CountServiceChange();
            lock (_indexLock)
            {
                _dirty.Add(ResourceCache<V1Service>.KeyOf(e.Object));
            }

            RequestPass();
        });
        using var sliceEvents = slices.Subscribe(e =>
        {
            metrics?.CountEndpointChange();
            lock (_indexLock)
            {
                IndexSlice(e);
            }

            RequestPass();
        });
        using var nodeEvents = nodes.Subscribe(_ => RequestPass());
        try
        {
            await Task.WhenAll(services.WaitForSyncAsync(stoppingToken), slices.WaitForSyncAsync(stoppingToken), nodes.WaitForSyncAsync(stoppingToken))
                .ConfigureAwait(false);
            LogSynced(services.List().Length, slices.List().Length, nodes.List().Length);
            RequestPass();
            DateTimeOffset? lastStart = null;
            DateTimeOffset? lastResync = null;
            while (true)
            {
                var resync = await WaitForTriggerAsync(lastStart, lastResync, stoppingToken).ConfigureAwait(false);
                lastStart = time.GetUtcNow();
                lastResync = resync ? lastStart : lastResync;
                await RunPassAsync(resync, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Returns when a pass is due: requested (no sooner than the minimum interval after the last one) or the resync
    /// period has passed since the last resync; whether the pass is a resync (the first one is).
    /// </summary>
    private async Task<bool> WaitForTriggerAsync(DateTimeOffset? lastStart, DateTimeOffset? lastResync, CancellationToken cancellationToken)
    {
        // A fresh signal before looking at the flag: a request after the look completes the new signal.
        if (_requested.Task.IsCompleted)
        {
            Volatile.Write(ref _requested, NewSignal());
        }

        if (Interlocked.Exchange(ref _pending, 0) == 0 && lastResync is { } last)
        {
            var untilResync = last + options.ResyncPeriod - time.GetUtcNow();
            if (untilResync > TimeSpan.Zero)
            {
                using var wake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var timeout = Task.Delay(untilResync, time, wake.Token);
                await Task.WhenAny(Volatile.Read(ref _requested).Task, timeout).ConfigureAwait(false);
                await wake.CancelAsync().ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        if (lastStart is { } previous)
        {
            var wait = previous + options.MinSyncInterval - time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
            }
        }

        // Requests made while waiting are served by the pass about to start, which reads the caches after them.
        Volatile.Write(ref _pending, 0);
        return lastResync is not { } previousResync || time.GetUtcNow() - previousResync >= options.ResyncPeriod;
    }

    private async Task RunPassAsync(bool resync, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var hcnWrites = 0;
        try
        {
            if (networkId() is not { } network)
            {
                LogNoNetwork();
                return;
            }

            var input = BuildInput(network, resync);
            healthChecks?.Publish(input.Services);

            // Like winkernel at every sync, but only at the first pass, each resync and after a failure: event passes read nothing from HCN.
            if (sourceVipEndpoint is not null && (resync || !_sourceVipPresent))
            {
                _sourceVipPresent = await sourceVipEndpoint.EnsureAsync(network, cancellationToken).ConfigureAwait(false);
            }

            var report = await reconciler.ReconcileAsync(input, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _lastReport, report);
            hcnWrites = report.HcnWrites;
            var elapsed = time.GetElapsedTime(started);
            var finished = time.GetUtcNow();
            var desired = input.Services.Sum(s => s.LoadBalancers.Count);
            if (report.Changed || report.Failures.Count > 0)
            {
                LogPass(input.Services.Count, desired, report.Created, report.Modified, report.Recreated, report.Deleted, report.Unchanged,
                    report.RemoteEndpointsCreated, report.RemoteEndpointsDeleted, report.RemoteEndpointsReplaced, report.VipEndpointsCreated, report.VipEndpointsDeleted, report.Failures.Count, report.Listed, _translations.Translated, elapsed.TotalMilliseconds);
            }
            else
            {
                LogPassUnchanged(input.Services.Count, desired, report.Listed, _translations.Translated, elapsed.TotalMilliseconds);
            }

            if (failureReporter is not null)
            {
                foreach (var failure in report.Failures)
                {
                    if (failure.NeedsAction)
                    {
                        failureReporter.Report(failure);
                    }
                }
            }

            if (metrics is not null)
            {
                metrics.RecordPass(report.Listed, elapsed, report, input.Services.Count(s => s.Conditions.Any(c => c.Kind == ServiceConditionKind.NoEndpoints)), finished);
                RecordProgramming(finished);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The events this pass consumed may not have reached the translations: the next pass looks at everything.
            _lookAtEverything = true;
            LogPassFailed(e, e.Message);
            metrics?.RecordFailedPass(resync, time.GetElapsedTime(started));
        }
        finally
        {
            Interlocked.Increment(ref _passes);

            // After the pass is logged, measured and counted: the release's blocking collection pauses every thread,
            // and the pass's duration, its programming-latency figure and whoever waits for it should not carry it.
            _memory.AfterPass(hcnWrites);
        }
    }

    /// <summary>Keeps the slice index up to date with one event (idempotent: a full rebuild may already hold it).</summary>
    private void IndexSlice(CacheEvent<V1EndpointSlice> change)
    {
        if (change.OldObject is { } old && ServiceKeyOf(old) is { } before)
        {
            Unindex(before, ResourceCache<V1EndpointSlice>.KeyOf(old));
        }

        if (change.Type == CacheEventType.Deleted)
        {
            if (ServiceKeyOf(change.Object) is { } owner)
            {
                Unindex(owner, ResourceCache<V1EndpointSlice>.KeyOf(change.Object));
            }
        }
        else
        {
            Index(change.Object);
        }
    }

    private void Index(V1EndpointSlice slice)
    {
        if (ServiceKeyOf(slice) is not { } owner)
        {
            return;
        }

        if (!_slicesByService.TryGetValue(owner, out var own))
        {
            _slicesByService[owner] = own = new Dictionary<string, V1EndpointSlice>(StringComparer.Ordinal);
        }

        own[ResourceCache<V1EndpointSlice>.KeyOf(slice)] = slice;
        _dirty.Add(owner);
    }

    private void Unindex(string owner, string sliceKey)
    {
        if (_slicesByService.TryGetValue(owner, out var own) && own.Remove(sliceKey) && own.Count == 0)
        {
            _slicesByService.Remove(owner);
        }

        _dirty.Add(owner);
    }

    /// <summary>The key of the Service a slice belongs to (label kubernetes.io/service-name, same namespace), or null.</summary>
    private static string? ServiceKeyOf(V1EndpointSlice slice) =>
        slice.Metadata?.Labels?.TryGetValue(ServiceNameLabel, out var name) == true && !string.IsNullOrEmpty(name)
            ? ResourceCache<V1Service>.KeyOf(slice.Metadata.NamespaceProperty, name)
            : null;

    /// <summary>The programming latency of each EndpointSlice change this pass realized (kube-proxy measures it the same way).</summary>
    private void RecordProgramming(DateTimeOffset finished)
    {
        foreach (var slice in _translations.ChangedSlices)
        {
            if (slice.Metadata?.Annotations?.TryGetValue(LastChangeTriggerTimeAnnotation, out var text) == true
                && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var trigger)
                && trigger >= _started
                && trigger <= finished)
            {
                metrics!.RecordProgramming(finished - trigger);
            }
        }
    }

    private LoadBalancerPassInput BuildInput(Guid networkId, bool resync)
    {
        nodes.TryGet(null, node.NodeName, out var self);
        var facts = node with
        {
            Zone = self?.Metadata?.Labels?.TryGetValue(ZoneLabel, out var zone) == true && !string.IsNullOrEmpty(zone) ? zone : null,
            Dsr = node.Dsr && options.Dsr != DsrMode.Off,
        };

        List<ServiceTranslation> translations;
        if (resync || _lookAtEverything || !_translations.CanUpdate(facts))
        {
            Dictionary<string, List<V1EndpointSlice>> slicesByService;
            lock (_indexLock)
            {
                // The index is rebuilt from the cache, so an event it missed cannot outlive a resync; every Service is looked at.
                _slicesByService.Clear();
                foreach (var slice in slices.List())
                {
                    Index(slice);
                }

                _dirty.Clear();

                slicesByService = _slicesByService.ToDictionary(p => p.Key, p => p.Value.Values.ToList(), StringComparer.Ordinal);
            }

            translations = _translations.Translate(services.List(), slicesByService, facts);
            _lookAtEverything = false;
        }
        else
        {
            List<(string Key, List<V1EndpointSlice> Slices)> named;
            lock (_indexLock)
            {
                named = [.. _dirty.Select(key => (key, _slicesByService.TryGetValue(key, out var own) ? own.Values.ToList() : []))];
                _dirty.Clear();
            }

            _translations.BeginPass();
            foreach (var (key, own) in named)
            {
                var slash = key.IndexOf('/', StringComparison.Ordinal);
                services.TryGet(slash < 0 ? null : key[..slash], key[(slash + 1)..], out var service);
                _translations.Update(key, service, own);
            }

            translations = _translations.Current();
        }

        var overlay = facts.Mode == NetworkMode.Overlay;
        var providerAddresses = new Dictionary<string, IPAddress>(StringComparer.Ordinal);
        if (overlay)
        {
            foreach (var peer in nodes.List())
            {
                if (peer.Metadata?.Name is { Length: > 0 } name && annotations.TryGetPublicIp(peer) is { } address)
                {
                    providerAddresses[name] = address;
                }
            }
        }

        var local = overlay ? providerAddresses.GetValueOrDefault(facts.NodeName) ?? facts.NodeAddressOf(AddressFamily.InterNetwork) : null;
        return new LoadBalancerPassInput(translations, networkId, overlay, providerAddresses, local) { Resync = resync };
    }

    [LoggerMessage(EventId = 1210, Level = LogLevel.Information, Message = "service proxy caches synced ({Services} Services, {Slices} EndpointSlices, {Nodes} Nodes); first pass follows")]
    private partial void LogSynced(int services, int slices, int nodes);

    [LoggerMessage(EventId = 1211, Level = LogLevel.Information,
        Message = "service pass: {Services} Services, {Desired} load balancers; created {Created}, modified {Modified}, recreated {Recreated}, deleted {Deleted}, unchanged {Unchanged}; remote endpoints +{RemoteCreated} -{RemoteDeleted} replaced {RemoteReplaced}; ClusterIP endpoints +{VipCreated} -{VipDeleted}; {Failures} failures; listed HCN {Listed}, {Translated} Services translated; {ElapsedMs:F0} ms")]
    private partial void LogPass(int services, int desired, int created, int modified, int recreated, int deleted, int unchanged, int remoteCreated, int remoteDeleted, int remoteReplaced, int vipCreated, int vipDeleted, int failures, bool listed, int translated, double elapsedMs);

    [LoggerMessage(EventId = 1212, Level = LogLevel.Debug, Message = "service pass: {Services} Services, {Desired} load balancers, nothing changed; listed HCN {Listed}, {Translated} Services translated; {ElapsedMs:F0} ms")]
    private partial void LogPassUnchanged(int services, int desired, bool listed, int translated, double elapsedMs);

    [LoggerMessage(EventId = 1214, Level = LogLevel.Information, Message = "service pass skipped: the pod network does not exist yet; retried at the next event or resync")]
    private partial void LogNoNetwork();

    [LoggerMessage(EventId = 1213, Level = LogLevel.Warning, Message = "service pass failed, retried at the next event or resync: {Reason}")]
    private partial void LogPassFailed(Exception exception, string reason);
}
