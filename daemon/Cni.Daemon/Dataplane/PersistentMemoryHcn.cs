using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Cni.Daemon.Hosting;
using Cni.Hcn;
using Cni.Hcn.Errors;
using Cni.Hcn.Json;
using Cni.Hcn.Memory;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Requests;
using Cni.Hcn.Versioning;

namespace Cni.Daemon.Dataplane;

/// <summary>
/// The memory dataplane made to outlive the daemon, as HNS outlives wincnid on Windows: an <see cref="IHcn"/> decorator
/// over a fresh <see cref="MemoryHcn"/> that re-creates the objects of <c>&lt;stateDir&gt;/memory-hcn.json</c> plus its
/// change log (with their original IDs) when opened, and appends one change record after every successful mutating call.
/// Without it a restarted <c>wincnid --dataplane memory</c> would find no endpoints, and restart and crash tests would
/// prove nothing.
/// </summary>
/// <remarks>
/// <para>Layout: a base snapshot <c>memory-hcn.json</c> (all objects, plus the log generation it starts) and an
/// append-only log <c>memory-hcn.&lt;generation&gt;.log</c>, one JSON record per line: <c>put</c> (the whole current
/// state of one object) or <c>delete</c>. Opening loads the snapshot, then replays its generation's log in order.</para>
/// <para>Ordering per mutating call: the call completes in memory, then its record is in the log (one unbuffered append
/// write), then the call returns. A process killed at any point therefore leaves snapshot + log at least as new as every
/// call that returned; a record cut short by the kill is the log's last line and is ignored (and trimmed) on open.</para>
/// <para>Records carry the affected object's state read back from the emulator inside the write gate, not the call's
/// result, so when concurrent calls touch one object the last record appended is also the newest state. Deleting an
/// endpoint or a namespace is one <c>delete</c> record whose cascade the replay applies as the emulator does (the
/// endpoint leaves its namespace's resources, SDN routes and load balancers; a namespace's endpoints are detached,
/// which the restore derives from namespace resources anyway), so a pod's DEL writes two lines, not a snapshot. Deleting
/// a network compacts instead: a full snapshot. Namespace attach/detach records the namespace only: the restore
/// derives each endpoint's attachment from its namespace's resources.</para>
/// <para>Compaction (log above a size threshold, a cascading call, <see cref="FlushAsync"/>): snapshot of generation
/// n+1 to a temp file, rename over the old one, then start log n+1 and delete log n. A crash before the rename leaves
/// snapshot n + log n; after it, snapshot n+1 and at most an empty log n+1 (a stale log n is deleted on open).</para>
/// <para>No fsync: the files survive a killed process (the page cache does), not a host crash, which is also what HNS
/// endpoints survive. The read-backs and compaction enumerations go through the inner emulator, so they show in its
/// call counters (Get*, Enumerate*).</para>
/// </remarks>
public sealed class PersistentMemoryHcn : IHcn, IDisposable
{
    /// <summary>The snapshot's file name inside the state directory.</summary>
    public const string FileName = "memory-hcn.json";

    /// <summary>Log size after which the next append compacts (1 MiB: replay stays well under a second).</summary>
    public const long DefaultCompactionThresholdBytes = 1 << 20;

    private const int FormatVersion = 1;
    private const string LogPrefix = "memory-hcn.";
    private const string LogSuffix = ".log";

    private readonly MemoryHcn _inner;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly string _stateDirectory;
    private readonly long _compactionThresholdBytes;
    private FileStream? _log;
    private long _logBytes;
    private long _generation;
    private long _completedMutations;
    private long _snapshotCovers;

    private PersistentMemoryHcn(MemoryHcn inner, string stateDirectory, long compactionThresholdBytes)
    {
        _inner = inner;
        _stateDirectory = stateDirectory;
        _compactionThresholdBytes = compactionThresholdBytes;
        SnapshotPath = Path.Combine(stateDirectory, FileName);
    }

    /// <summary>The emulator underneath (fault injection, latency and call counters for tests).</summary>
    public MemoryHcn Inner => _inner;

    /// <summary>Where the snapshot lives.</summary>
    public string SnapshotPath { get; }

    /// <summary>The change log of the current generation (follows the snapshot; replaced by each compaction).</summary>
    public string LogPath => LogPathOf(Interlocked.Read(ref _generation));

    private string TempPath => SnapshotPath + ".tmp";

    private string LogPathOf(long generation) =>
        Path.Combine(_stateDirectory, LogPrefix + generation.ToString(CultureInfo.InvariantCulture) + LogSuffix);

    /// <summary>
    /// Opens the dataplane of <paramref name="stateDirectory"/>: loads the snapshot and replays its log into
    /// <paramref name="inner"/> (which must be empty). A leftover temp file (a write cut short) is deleted and ignored.
    /// </summary>
    /// <param name="stateDirectory">The daemon's state directory.</param>
    /// <param name="inner">A fresh emulator.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The dataplane.</returns>
    /// <exception cref="DaemonStartupException">The snapshot or log cannot be read or re-created; the message names the file.</exception>
    public static Task<PersistentMemoryHcn> OpenAsync(string stateDirectory, MemoryHcn inner, CancellationToken cancellationToken) =>
        OpenAsync(stateDirectory, inner, DefaultCompactionThresholdBytes, cancellationToken);

    /// <summary>As <see cref="OpenAsync(string, MemoryHcn, CancellationToken)"/>, with the log size that triggers compaction.</summary>
    /// <param name="stateDirectory">The daemon's state directory.</param>
    /// <param name="inner">A fresh emulator.</param>
    /// <param name="compactionThresholdBytes">Log size after which the next append compacts.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The dataplane.</returns>
    /// <exception cref="DaemonStartupException">The snapshot or log cannot be read or re-created; the message names the file.</exception>
    public static async Task<PersistentMemoryHcn> OpenAsync(string stateDirectory, MemoryHcn inner, long compactionThresholdBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stateDirectory);
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(compactionThresholdBytes);
        Directory.CreateDirectory(stateDirectory);
        var hcn = new PersistentMemoryHcn(inner, stateDirectory, compactionThresholdBytes);
        var failing = hcn.SnapshotPath;
        try
        {
            File.Delete(hcn.TempPath);
            var state = new StoreState();
            if (File.Exists(hcn.SnapshotPath))
            {
                var bytes = await File.ReadAllBytesAsync(hcn.SnapshotPath, cancellationToken).ConfigureAwait(false);
                hcn._generation = state.LoadSnapshot(bytes);
            }

            hcn.DeleteStaleLogs();
            failing = hcn.LogPath;
            hcn._logBytes = await hcn.ReplayLogAsync(state, cancellationToken).ConfigureAwait(false);
            failing = hcn.SnapshotPath + " + " + hcn.LogPath;
            await hcn.RestoreAsync(state, cancellationToken).ConfigureAwait(false);
            hcn._log = OpenLogForAppend(hcn.LogPath);
        }
        catch (Exception e) when (e is JsonException or HcnException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            hcn.Dispose();
            throw new DaemonStartupException(
                $"memory dataplane state {failing} cannot be loaded: {e.Message}. "
                + $"Fix or delete the file (deleting {hcn.SnapshotPath} and its {LogPrefix}*{LogSuffix} forgets every network and endpoint of the memory dataplane)",
                e);
        }

        // The restore's calls are not traffic anyone asked for.
        inner.ResetCallCounts();
        return hcn;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _log?.Dispose();
        _writeGate.Dispose();
    }

    // ---- networks ----

    /// <inheritdoc/>
    public Task<HostComputeNetwork> CreateNetworkAsync(HostComputeNetwork network, CancellationToken cancellationToken) =>
        MutateAsync(() => _inner.CreateNetworkAsync(network, cancellationToken), static n => Change.Of(ObjectKind.Network, n.Id));

    /// <inheritdoc/>
    public Task<HostComputeNetwork> GetNetworkAsync(Guid networkId, CancellationToken cancellationToken) =>
        _inner.GetNetworkAsync(networkId, cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<HostComputeNetwork>> EnumerateNetworksAsync(HostComputeQuery? query, CancellationToken cancellationToken) =>
        _inner.EnumerateNetworksAsync(query, cancellationToken);

    /// <inheritdoc/>
    public Task<HostComputeNetwork> ModifyNetworkAsync(Guid networkId, ModifyNetworkSettingRequest request, CancellationToken cancellationToken) =>
        MutateAsync(() => _inner.ModifyNetworkAsync(networkId, request, cancellationToken), _ => Change.Of(ObjectKind.Network, networkId));

    /// <inheritdoc/>
    public Task DeleteNetworkAsync(Guid networkId, CancellationToken cancellationToken) =>
        MutateAsync(() => _inner.DeleteNetworkAsync(networkId, cancellationToken), Change.Cascade);

    // ---- endpoints ----

    /// <inheritdoc/>
    public Task<HostComputeEndpoint> CreateEndpointAsync(Guid networkId, HostComputeEndpoint endpoint, CancellationToken cancellationToken) =>
        MutateAsync(() => _inner.CreateEndpointAsync(networkId, endpoint, cancellationToken), static e => Change.Created(ObjectKind.Endpoint, e.Id, e));

    /// <inheritdoc/>
    public Task<HostComputeEndpoint> GetEndpointAsync(Guid endpointId, CancellationToken cancellationToken) =>
        _inner.GetEndpointAsync(endpointId, cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<HostComputeEndpoint>> EnumerateEndpointsAsync(HostComputeQuery? query, CancellationToken cancellationToken) =>
        _inner.EnumerateEndpointsAsync(query, cancellationToken);

    /// <inheritdoc/>
    public Task<HostComputeEndpoint> ModifyEndpointAsync(Guid endpointId, ModifyEndpointSettingRequest request, CancellationToken cancellationToken) =>
        MutateAsync(() => _inner.ModifyEndpointAsync(endpointId, request, cancellationToken), _ => Change.Of(ObjectKind.Endpoint, endpointId));

    /// <inheritdoc/>
    public Task DeleteEndpointAsync(Guid endpointId, CancellationToken cancellationToken) =>
        MutateAsync(() => _inner.DeleteEndpointAsync(endpointId, cancellationToken), Change.Deleted(ObjectKind.Endpoint, endpointId));

    // ---- namespaces ----

    /// <inheritdoc/>
    public Task<HostComputeNamespace> CreateNamespaceAsync(HostComputeNamespace hostComputeNamespace, CancellationToken cancellationToken) =>
        MutateAsync(() => _inner.CreateNamespaceAsync(hostComputeNamespace, cancellationToken), static n => Change.Created(ObjectKind.Namespace, n.Id, n));

    /// <inheritdoc/>
    public Task<HostComputeNamespace> GetNamespaceAsync(Guid namespaceId, CancellationToken cancellationToken) =>
        _inner.GetNamespaceAsync(namespaceId, cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<HostComputeNamespace>> EnumerateNamespacesAsync(HostComputeQuery? query, CancellationToken cancellationToken) =>
        _inner.EnumerateNamespacesAsync(query, cancellationToken);

    /// <inheritdoc/>
    public Task<HostComputeNamespace> ModifyNamespaceAsync(Guid namespaceId, ModifyNamespaceSettingRequest request, CancellationToken cancellationToken) =>
        MutateAsync(() => _inner.ModifyNamespaceAsync(namespaceId, request, cancellationToken), _ => Change.Of(ObjectKind.Namespace, namespaceId));

    /// <inheritdoc/>
    public Task DeleteNamespaceAsync(Guid namespaceId, CancellationToken cancellationToken) =>
        MutateAsync(() => _inner.DeleteNamespaceAsync(namespaceId, cancellationToken), Change.Deleted(ObjectKind.Namespace, namespaceId));

    // ---- load balancers ----

    /// <inheritdoc/>
    public Task<HostComputeLoadBalancer> CreateLoadBalancerAsync(HostComputeLoadBalancer loadBalancer, CancellationToken cancellationToken) =>
        MutateAsync(() => _inner.CreateLoadBalancerAsync(loadBalancer, cancellationToken), static l => Change.Of(ObjectKind.LoadBalancer, l.Id));

    /// <inheritdoc/>
    public Task<HostComputeLoadBalancer> GetLoadBalancerAsync(Guid loadBalancerId, CancellationToken cancellationToken) =>
        _inner.GetLoadBalancerAsync(loadBalancerId, cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<HostComputeLoadBalancer>> EnumerateLoadBalancersAsync(HostComputeQuery? query, CancellationToken cancellationToken) =>
        _inner.EnumerateLoadBalancersAsync(query, cancellationToken);

    /// <inheritdoc/>
    public Task<HostComputeLoadBalancer> ModifyLoadBalancerAsync(Guid loadBalancerId, HostComputeLoadBalancer loadBalancer, CancellationToken cancellationToken) =>
        MutateAsync(() => _inner.ModifyLoadBalancerAsync(loadBalancerId, loadBalancer, cancellationToken), _ => Change.Of(ObjectKind.LoadBalancer, loadBalancerId));

    /// <inheritdoc/>
    public Task DeleteLoadBalancerAsync(Guid loadBalancerId, CancellationToken cancellationToken) =>
        MutateAsync(() => _inner.DeleteLoadBalancerAsync(loadBalancerId, cancellationToken), Change.Deleted(ObjectKind.LoadBalancer, loadBalancerId));

    // ---- SDN routes ----

    /// <inheritdoc/>
    public Task<HostComputeRoute> CreateSdnRouteAsync(HostComputeRoute route, CancellationToken cancellationToken) =>
        MutateAsync(() => _inner.CreateSdnRouteAsync(route, cancellationToken), static r => Change.Of(ObjectKind.SdnRoute, r.Id));

    /// <inheritdoc/>
    public Task<HostComputeRoute> GetSdnRouteAsync(Guid routeId, CancellationToken cancellationToken) =>
        _inner.GetSdnRouteAsync(routeId, cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<HostComputeRoute>> EnumerateSdnRoutesAsync(HostComputeQuery? query, CancellationToken cancellationToken) =>
        _inner.EnumerateSdnRoutesAsync(query, cancellationToken);

    /// <inheritdoc/>
    public Task<HostComputeRoute> ModifySdnRouteAsync(Guid routeId, HostComputeRoute route, CancellationToken cancellationToken) =>
        MutateAsync(() => _inner.ModifySdnRouteAsync(routeId, route, cancellationToken), _ => Change.Of(ObjectKind.SdnRoute, routeId));

    /// <inheritdoc/>
    public Task DeleteSdnRouteAsync(Guid routeId, CancellationToken cancellationToken) =>
        MutateAsync(() => _inner.DeleteSdnRouteAsync(routeId, cancellationToken), Change.Deleted(ObjectKind.SdnRoute, routeId));

    /// <inheritdoc/>
    public Task<HcnVersion> GetVersionAsync(CancellationToken cancellationToken) => _inner.GetVersionAsync(cancellationToken);

    /// <summary>
    /// Compacts now: a full snapshot of the current state and a fresh, empty log (tests; the log does this itself). A
    /// no-op when no call completed since the last compaction.
    /// </summary>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task.</returns>
    public Task FlushAsync(CancellationToken cancellationToken) =>
        PersistAsync(Change.Cascade, Interlocked.Read(ref _completedMutations), cancellationToken);

    private async Task MutateAsync(Func<Task> call, Change change) =>
        await MutateAsync(
            async () =>
            {
                await call().ConfigureAwait(false);
                return true;
            },
            _ => change).ConfigureAwait(false);

    private async Task<T> MutateAsync<T>(Func<Task<T>> call, Func<T, Change> affected)
    {
        // A failed call changed nothing (the emulator validates before it commits), so it needs no record.
        var result = await call().ConfigureAwait(false);
        var mutation = Interlocked.Increment(ref _completedMutations);

        // Not cancellable: the change is done, and returning before it is on disk would break the ordering promise.
        await PersistAsync(affected(result), mutation, CancellationToken.None).ConfigureAwait(false);
        return result;
    }

    private async Task PersistAsync(Change change, long mutation, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Interlocked.Read(ref _snapshotCovers) >= mutation)
            {
                return; // a snapshot captured after this change completed is already on disk
            }

            var record = change.IsCascade ? null : await ReadRecordAsync(change, cancellationToken).ConfigureAwait(false);
            try
            {
                if (record is null || _logBytes + record.Length > _compactionThresholdBytes)
                {
                    await CompactAsync(cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    // One unbuffered write per record: a kill leaves it whole or as a torn last line.
                    _log!.Write(record);
                    _logBytes += record.Length;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new HcnException(
                    "MemoryHcn snapshot",
                    HcnErrorCodes.Fail,
                    detail: $"the change was made in memory but {SnapshotPath} / {LogPath} could not be written: {e.Message}",
                    innerException: e);
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>
    /// The log line for <paramref name="change"/>: the object's state now (read inside the gate, so records of one object
    /// are appended in the order their states were read), or a delete when it is gone. Null: compact instead.
    /// </summary>
    private async Task<byte[]?> ReadRecordAsync(Change change, CancellationToken cancellationToken)
    {
        object? current;
        try
        {
            current = change.CreatedObject ?? change.Kind switch
            {
                ObjectKind.Network => await _inner.GetNetworkAsync(change.Id, cancellationToken).ConfigureAwait(false),
                ObjectKind.Endpoint => await _inner.GetEndpointAsync(change.Id, cancellationToken).ConfigureAwait(false),
                ObjectKind.Namespace => await _inner.GetNamespaceAsync(change.Id, cancellationToken).ConfigureAwait(false),
                ObjectKind.LoadBalancer => await _inner.GetLoadBalancerAsync(change.Id, cancellationToken).ConfigureAwait(false),
                ObjectKind.SdnRoute => await _inner.GetSdnRouteAsync(change.Id, cancellationToken).ConfigureAwait(false),
                _ => throw new InvalidOperationException($"unknown kind {change.Kind}"),
            };
        }
        catch (HcnException)
        {
            // Gone (deleted meanwhile) or an injected read fault: either way a full snapshot is exact.
            if (change.IsDelete)
            {
                current = null;
            }
            else
            {
                return null;
            }
        }

        if (change.IsDelete && current is not null)
        {
            return null; // re-created with the same ID meanwhile; let a snapshot sort it out
        }

        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("op", current is null ? "delete" : "put");
            writer.WriteString("kind", KindName(change.Kind));
            writer.WriteString("id", change.Id);
            switch (current)
            {
                case HostComputeNetwork network:
                    writer.WritePropertyName("object");
                    JsonSerializer.Serialize(writer, network, HcnJson.GetTypeInfo<HostComputeNetwork>());
                    break;
                case HostComputeEndpoint endpoint:
                    writer.WritePropertyName("object");
                    JsonSerializer.Serialize(writer, endpoint, HcnJson.GetTypeInfo<HostComputeEndpoint>());
                    break;
                case HostComputeNamespace ns:
                    writer.WritePropertyName("object");
                    JsonSerializer.Serialize(writer, ns, HcnJson.GetTypeInfo<HostComputeNamespace>());
                    break;
                case HostComputeLoadBalancer loadBalancer:
                    writer.WritePropertyName("object");
                    JsonSerializer.Serialize(writer, loadBalancer, HcnJson.GetTypeInfo<HostComputeLoadBalancer>());
                    break;
                case HostComputeRoute route:
                    writer.WritePropertyName("object");
                    JsonSerializer.Serialize(writer, route, HcnJson.GetTypeInfo<HostComputeRoute>());
                    break;
                default:
                    break;
            }

            writer.WriteEndObject();
        }

        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Snapshot of generation n+1 (temp + rename), then log n+1, then log n goes. Caller holds the gate.</summary>
    private async Task CompactAsync(CancellationToken cancellationToken)
    {
        // Everything completed up to here is in the state read below.
        var covers = Interlocked.Read(ref _completedMutations);
        var next = _generation + 1;
        var document = await CaptureAsync(next, cancellationToken).ConfigureAwait(false);

        // Synchronous on purpose: a small file, and async writes cost thread-pool hops on a busy node.
        File.WriteAllBytes(TempPath, document);
        File.Move(TempPath, SnapshotPath, overwrite: true);

        // From here on the snapshot no longer reads log n; a crash before the next lines leaves it stale, not needed.
        var oldLog = LogPath;
        var newLog = OpenLogForAppend(LogPathOf(next));
        newLog.SetLength(0);
        _log?.Dispose();
        _log = newLog;
        _logBytes = 0;
        Interlocked.Exchange(ref _generation, next);
        File.Delete(oldLog);
        Interlocked.Exchange(ref _snapshotCovers, covers);
    }

    private static FileStream OpenLogForAppend(string path) =>
        new(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);

    private void DeleteStaleLogs()
    {
        var current = Path.GetFileName(LogPath);
        foreach (var path in Directory.EnumerateFiles(_stateDirectory, LogPrefix + "*" + LogSuffix))
        {
            if (!string.Equals(Path.GetFileName(path), current, StringComparison.Ordinal))
            {
                File.Delete(path); // the log of a generation a finished snapshot already covers
            }
        }
    }

    /// <summary>
    /// Applies the current generation's log to <paramref name="state"/> and trims a torn last line (a write cut short
    /// by a kill) so the next append starts a line of its own. Returns the log's length after trimming.
    /// </summary>
    private async Task<long> ReplayLogAsync(StoreState state, CancellationToken cancellationToken)
    {
        if (!File.Exists(LogPath))
        {
            return 0;
        }

        var bytes = await File.ReadAllBytesAsync(LogPath, cancellationToken).ConfigureAwait(false);
        var good = 0;
        var lineNumber = 0;
        while (good < bytes.Length)
        {
            var newline = Array.IndexOf(bytes, (byte)'\n', good);
            if (newline < 0)
            {
                break; // no newline: the last record was cut short
            }

            lineNumber++;
            var line = new ReadOnlyMemory<byte>(bytes, good, newline - good);
            try
            {
                if (!line.IsEmpty)
                {
                    state.Apply(line);
                }
            }
            catch (Exception e) when (e is JsonException or InvalidDataException)
            {
                if (newline + 1 < bytes.Length)
                {
                    throw new InvalidDataException($"line {lineNumber} of {LogPath} is corrupt: {e.Message}", e);
                }

                break; // an unreadable last line is a torn write as well
            }

            good = newline + 1;
        }

        if (good < bytes.Length)
        {
            using var log = new FileStream(LogPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            log.SetLength(good);
        }

        return good;
    }

    private async Task<byte[]> CaptureAsync(long generation, CancellationToken cancellationToken)
    {
        var networks = await _inner.EnumerateNetworksAsync(null, cancellationToken).ConfigureAwait(false);
        var endpoints = await _inner.EnumerateEndpointsAsync(null, cancellationToken).ConfigureAwait(false);
        var namespaces = await _inner.EnumerateNamespacesAsync(null, cancellationToken).ConfigureAwait(false);
        var loadBalancers = await _inner.EnumerateLoadBalancersAsync(null, cancellationToken).ConfigureAwait(false);
        var routes = await _inner.EnumerateSdnRoutesAsync(null, cancellationToken).ConfigureAwait(false);

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("version", FormatVersion);
            writer.WriteNumber("generation", generation);
            WriteAll(writer, "networks", networks);
            WriteAll(writer, "endpoints", endpoints);
            WriteAll(writer, "namespaces", namespaces);
            WriteAll(writer, "loadBalancers", loadBalancers);
            WriteAll(writer, "sdnRoutes", routes);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteAll<T>(Utf8JsonWriter writer, string name, IReadOnlyList<T> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            JsonSerializer.Serialize(writer, value, HcnJson.GetTypeInfo<T>());
        }

        writer.WriteEndArray();
    }

    /// <summary>
    /// Re-creates the objects of snapshot + log in the empty inner emulator, in dependency order: networks, namespaces,
    /// endpoints (created detached, since HNS attaches only through the namespace), attachments in the namespace's
    /// resource order, then load balancers and SDN routes, which refer to endpoints.
    /// </summary>
    private async Task RestoreAsync(StoreState state, CancellationToken cancellationToken)
    {
        foreach (var network in state.Networks.Values)
        {
            await _inner.CreateNetworkAsync(network, cancellationToken).ConfigureAwait(false);
        }

        foreach (var ns in state.Namespaces.Values)
        {
            await _inner.CreateNamespaceAsync(ns with { Resources = null }, cancellationToken).ConfigureAwait(false);
        }

        foreach (var endpoint in state.Endpoints.Values)
        {
            await _inner.CreateEndpointAsync(endpoint.HostComputeNetwork, endpoint with { HostComputeNamespace = Guid.Empty }, cancellationToken)
                .ConfigureAwait(false);
        }

        foreach (var ns in state.Namespaces.Values)
        {
            foreach (var resource in ns.Resources ?? [])
            {
                var request = resource.GetEndpointId() is { } endpointId
                    ? ModifyNamespaceSettingRequest.ForEndpoint(RequestType.Add, endpointId)
                    : resource.Type == NamespaceResourceType.Container && resource.Data.Id is { } containerId
                        ? ModifyNamespaceSettingRequest.ForContainer(RequestType.Add, containerId)
                        : throw new InvalidDataException($"namespace {ns.Id} has a resource of type '{resource.Type}' that cannot be restored");
                await _inner.ModifyNamespaceAsync(ns.Id, request, cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var loadBalancer in state.LoadBalancers.Values)
        {
            await _inner.CreateLoadBalancerAsync(loadBalancer, cancellationToken).ConfigureAwait(false);
        }

        foreach (var route in state.SdnRoutes.Values)
        {
            await _inner.CreateSdnRouteAsync(route, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string KindName(ObjectKind kind) => kind switch
    {
        ObjectKind.Network => "network",
        ObjectKind.Endpoint => "endpoint",
        ObjectKind.Namespace => "namespace",
        ObjectKind.LoadBalancer => "loadBalancer",
        ObjectKind.SdnRoute => "sdnRoute",
        _ => throw new InvalidOperationException($"unknown kind {kind}"),
    };

    private enum ObjectKind
    {
        Network,
        Endpoint,
        Namespace,
        LoadBalancer,
        SdnRoute,
    }

    /// <summary>What one mutating call changed: one object (put its state or, for a delete, drop it), or too much to say.</summary>
    private readonly record struct Change(ObjectKind Kind, Guid Id, bool IsDelete, bool IsCascade, object? CreatedObject = null)
    {
        public static Change Cascade => new(default, Guid.Empty, false, true);

        public static Change Of(ObjectKind kind, Guid id) => new(kind, id, false, false);

        public static Change Deleted(ObjectKind kind, Guid id) => new(kind, id, true, false);

        /// <summary>
        /// A create's record carries the call's result (already a copy): nobody else knows the new ID before the call
        /// returns, which is after this record is written, so no read-back can see a newer state.
        /// </summary>
        public static Change Created(ObjectKind kind, Guid id, object created) => new(kind, id, false, false, created);
    }

    /// <summary>The objects of snapshot + log, folded by ID before anything is re-created.</summary>
    private sealed class StoreState
    {
        public Dictionary<Guid, HostComputeNetwork> Networks { get; } = [];

        public Dictionary<Guid, HostComputeEndpoint> Endpoints { get; } = [];

        public Dictionary<Guid, HostComputeNamespace> Namespaces { get; } = [];

        public Dictionary<Guid, HostComputeLoadBalancer> LoadBalancers { get; } = [];

        public Dictionary<Guid, HostComputeRoute> SdnRoutes { get; } = [];

        /// <summary>Loads a snapshot; returns the log generation it starts (0 for snapshots from before the log).</summary>
        public long LoadSnapshot(byte[] bytes)
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException("the document is not a JSON object");
            }

            if (!root.TryGetProperty("version", out var version) || !version.TryGetInt32(out var v) || v != FormatVersion)
            {
                throw new InvalidDataException($"\"version\" must be {FormatVersion}");
            }

            long generation = 0;
            if (root.TryGetProperty("generation", out var g) && (!g.TryGetInt64(out generation) || generation < 0))
            {
                throw new InvalidDataException("\"generation\" must be a non-negative integer");
            }

            ReadAll(root, "networks", Networks, static n => n.Id);
            ReadAll(root, "endpoints", Endpoints, static e => e.Id);
            ReadAll(root, "namespaces", Namespaces, static n => n.Id);
            ReadAll(root, "loadBalancers", LoadBalancers, static l => l.Id);
            ReadAll(root, "sdnRoutes", SdnRoutes, static r => r.Id);
            return generation;
        }

        /// <summary>Applies one log record.</summary>
        public void Apply(ReadOnlyMemory<byte> line)
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("op", out var opElement) || opElement.GetString() is not { } op
                || !root.TryGetProperty("kind", out var kindElement) || kindElement.GetString() is not { } kind
                || !root.TryGetProperty("id", out var idElement) || !idElement.TryGetGuid(out var id))
            {
                throw new InvalidDataException("a record needs \"op\", \"kind\" and \"id\"");
            }

            var put = op switch
            {
                "put" => true,
                "delete" => false,
                _ => throw new InvalidDataException($"unknown op '{op}'"),
            };
            var value = put
                ? root.TryGetProperty("object", out var o) && o.ValueKind == JsonValueKind.Object ? o : throw new InvalidDataException("a put needs an \"object\"")
                : default;
            switch (kind)
            {
                case "network":
                    Set(Networks, id, put, value);
                    break;
                case "endpoint":
                    Set(Endpoints, id, put, value);
                    if (!put)
                    {
                        DropEndpointReferences(id);
                    }

                    break;
                case "namespace":
                    Set(Namespaces, id, put, value);
                    break;
                case "loadBalancer":
                    Set(LoadBalancers, id, put, value);
                    break;
                case "sdnRoute":
                    Set(SdnRoutes, id, put, value);
                    break;
                default:
                    throw new InvalidDataException($"unknown kind '{kind}'");
            }
        }

        /// <summary>The emulator's cascade of an endpoint delete (MemoryHcn.DeleteEndpointLocked), applied to the state.</summary>
        private void DropEndpointReferences(Guid endpointId)
        {
            foreach (var ns in Namespaces.Values.Where(n => (n.Resources ?? []).Any(r => r.GetEndpointId() == endpointId)).ToList())
            {
                var rest = ns.Resources!.Where(r => r.GetEndpointId() != endpointId).ToList();
                Namespaces[ns.Id] = ns with { Resources = rest.Count == 0 ? null : rest };
            }

            foreach (var route in SdnRoutes.Values.Where(r => r.HostComputeEndpoints?.Contains(endpointId) == true).ToList())
            {
                var rest = route.HostComputeEndpoints!.Where(e => e != endpointId).ToList();
                SdnRoutes[route.Id] = route with { HostComputeEndpoints = rest.Count == 0 ? null : rest };
            }

            foreach (var lb in LoadBalancers.Values.Where(l => l.HostComputeEndpoints?.Contains(endpointId) == true).ToList())
            {
                var rest = lb.HostComputeEndpoints!.Where(e => e != endpointId).ToList();
                LoadBalancers[lb.Id] = lb with { HostComputeEndpoints = rest.Count == 0 ? null : rest };
            }
        }

        private static void Set<T>(Dictionary<Guid, T> values, Guid id, bool put, JsonElement value)
            where T : class
        {
            if (put)
            {
                values[id] = HcnJson.Deserialize<T>(value) ?? throw new InvalidDataException("\"object\" is null");
            }
            else
            {
                values.Remove(id);
            }
        }

        private static void ReadAll<T>(JsonElement root, string name, Dictionary<Guid, T> into, Func<T, Guid> idOf)
            where T : class
        {
            if (!root.TryGetProperty(name, out var array) || array.ValueKind != JsonValueKind.Array)
            {
                throw new InvalidDataException($"\"{name}\" must be an array");
            }

            var index = 0;
            foreach (var element in array.EnumerateArray())
            {
                var value = HcnJson.Deserialize<T>(element) ?? throw new InvalidDataException($"\"{name}\"[{index}] is null");
                into[idOf(value)] = value;
                index++;
            }
        }
    }
}
