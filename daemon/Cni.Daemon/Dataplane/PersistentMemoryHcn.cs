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
/// over a fresh <see cref="MemoryHcn"/> that re-creates the objects of <c>&lt;stateDir&gt;/memory-hcn.json</c> (with
/// their original IDs) when opened, and rewrites that snapshot after every successful mutating call. Without it a
/// restarted <c>wincnid --dataplane memory</c> would find no endpoints, and restart and crash tests would prove nothing.
/// </summary>
/// <remarks>
/// <para>Ordering per mutating call: the call completes in memory, then a snapshot that includes it is on disk (temp
/// file + rename, so a reader sees the old or the new document, never a torn one), then the call returns. A process
/// killed at any point therefore leaves a snapshot at least as new as every call that returned.</para>
/// <para>Cost: snapshot writes are serialized (one <see cref="SemaphoreSlim"/>) and each one enumerates and writes the
/// whole store, O(objects) per mutation. Concurrent callers coalesce: a caller whose change is already covered by a
/// snapshot written after it completed does not write again. Good enough for a test and development dataplane with
/// hundreds of endpoints; not a model of HNS performance. The enumerations go through the inner emulator, so they show
/// in its call counters (Enumerate*). No fsync: the snapshot survives a killed process (the page cache does), not a
/// host crash, which is also what HNS endpoints survive.</para>
/// </remarks>
public sealed class PersistentMemoryHcn : IHcn, IDisposable
{
    /// <summary>The snapshot's file name inside the state directory.</summary>
    public const string FileName = "memory-hcn.json";

    private const int FormatVersion = 1;

    private readonly MemoryHcn _inner;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private long _completedMutations;
    private long _snapshotCovers;

    private PersistentMemoryHcn(MemoryHcn inner, string snapshotPath)
    {
        _inner = inner;
        SnapshotPath = snapshotPath;
    }

    /// <summary>The emulator underneath (fault injection, latency and call counters for tests).</summary>
    public MemoryHcn Inner => _inner;

    /// <summary>Where the snapshot lives.</summary>
    public string SnapshotPath { get; }

    private string TempPath => SnapshotPath + ".tmp";

    /// <summary>
    /// Opens the dataplane of <paramref name="stateDirectory"/>: loads the snapshot into <paramref name="inner"/> (which
    /// must be empty) when there is one. A leftover temp file (a write cut short) is deleted and ignored.
    /// </summary>
    /// <param name="stateDirectory">The daemon's state directory.</param>
    /// <param name="inner">A fresh emulator.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The dataplane.</returns>
    /// <exception cref="DaemonStartupException">The snapshot cannot be read or re-created; the message names the file.</exception>
    public static async Task<PersistentMemoryHcn> OpenAsync(string stateDirectory, MemoryHcn inner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stateDirectory);
        ArgumentNullException.ThrowIfNull(inner);
        Directory.CreateDirectory(stateDirectory);
        var hcn = new PersistentMemoryHcn(inner, Path.Combine(stateDirectory, FileName));
        try
        {
            File.Delete(hcn.TempPath);
            if (File.Exists(hcn.SnapshotPath))
            {
                await hcn.RestoreAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is JsonException or HcnException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            hcn.Dispose();
            throw new DaemonStartupException(
                $"memory dataplane snapshot {hcn.SnapshotPath} cannot be loaded: {e.Message}. "
                + "Fix or delete the file (deleting it forgets every network and endpoint of the memory dataplane)",
                e);
        }

        // The restore's calls are not traffic anyone asked for.
        inner.ResetCallCounts();
        return hcn;
    }

    /// <inheritdoc/>
    public void Dispose() => _writeGate.Dispose();

    // ---- networks ----

    /// <inheritdoc/>
    public Task<HostComputeNetwork> CreateNetworkAsync(HostComputeNetwork network, CancellationToken cancellationToken) =>
        MutateAsync(() => _inner.CreateNetworkAsync(network, cancellationToken));

    /// <inheritdoc/>
    public Task<HostComputeNetwork> GetNetworkAsync(Guid networkId, CancellationToken cancellationToken) =>
        _inner.GetNetworkAsync(networkId, cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<HostComputeNetwork>> EnumerateNetworksAsync(HostComputeQuery? query, CancellationToken cancellationToken) =>
        _inner.EnumerateNetworksAsync(query, cancellationToken);

    /// <inheritdoc/>
    public Task<HostComputeNetwork> ModifyNetworkAsync(Guid networkId, ModifyNetworkSettingRequest request, CancellationToken cancellationToken) =>
        MutateAsync(() => _inner.ModifyNetworkAsync(networkId, request, cancellationToken));

    /// <inheritdoc/>
    public Task DeleteNetworkAsync(Guid networkId, CancellationToken cancellationToken) =>
        MutateAsync(() => _inner.DeleteNetworkAsync(networkId, cancellationToken));

    // ---- endpoints ----

    /// <inheritdoc/>
    public Task<HostComputeEndpoint> CreateEndpointAsync(Guid networkId, HostComputeEndpoint endpoint, CancellationToken cancellationToken) =>
        MutateAsync(() => _inner.CreateEndpointAsync(networkId, endpoint, cancellationToken));

    /// <inheritdoc/>
    public Task<HostComputeEndpoint> GetEndpointAsync(Guid endpointId, CancellationToken cancellationToken) =>
        _inner.GetEndpointAsync(endpointId, cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<HostComputeEndpoint>> EnumerateEndpointsAsync(HostComputeQuery? query, CancellationToken cancellationToken) =>
        _inner.EnumerateEndpointsAsync(query, cancellationToken);

    /// <inheritdoc/>
    public Task<HostComputeEndpoint> ModifyEndpointAsync(Guid endpointId, ModifyEndpointSettingRequest request, CancellationToken cancellationToken) =>
        MutateAsync(() => _inner.ModifyEndpointAsync(endpointId, request, cancellationToken));

    /// <inheritdoc/>
    public Task DeleteEndpointAsync(Guid endpointId, CancellationToken cancellationToken) =>
        MutateAsync(() => _inner.DeleteEndpointAsync(endpointId, cancellationToken));

    // ---- namespaces ----

    /// <inheritdoc/>
    public Task<HostComputeNamespace> CreateNamespaceAsync(HostComputeNamespace hostComputeNamespace, CancellationToken cancellationToken) =>
        MutateAsync(() => _inner.CreateNamespaceAsync(hostComputeNamespace, cancellationToken));

    /// <inheritdoc/>
    public Task<HostComputeNamespace> GetNamespaceAsync(Guid namespaceId, CancellationToken cancellationToken) =>
        _inner.GetNamespaceAsync(namespaceId, cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<HostComputeNamespace>> EnumerateNamespacesAsync(HostComputeQuery? query, CancellationToken cancellationToken) =>
        _inner.EnumerateNamespacesAsync(query, cancellationToken);

    /// <inheritdoc/>
    public Task<HostComputeNamespace> ModifyNamespaceAsync(Guid namespaceId, ModifyNamespaceSettingRequest request, CancellationToken cancellationToken) =>
        MutateAsync(() => _inner.ModifyNamespaceAsync(namespaceId, request, cancellationToken));

    /// <inheritdoc/>
    public Task DeleteNamespaceAsync(Guid namespaceId, CancellationToken cancellationToken) =>
        MutateAsync(() => _inner.DeleteNamespaceAsync(namespaceId, cancellationToken));

    // ---- load balancers ----

    /// <inheritdoc/>
    public Task<HostComputeLoadBalancer> CreateLoadBalancerAsync(HostComputeLoadBalancer loadBalancer, CancellationToken cancellationToken) =>
        MutateAsync(() => _inner.CreateLoadBalancerAsync(loadBalancer, cancellationToken));

    /// <inheritdoc/>
    public Task<HostComputeLoadBalancer> GetLoadBalancerAsync(Guid loadBalancerId, CancellationToken cancellationToken) =>
        _inner.GetLoadBalancerAsync(loadBalancerId, cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<HostComputeLoadBalancer>> EnumerateLoadBalancersAsync(HostComputeQuery? query, CancellationToken cancellationToken) =>
        _inner.EnumerateLoadBalancersAsync(query, cancellationToken);

    /// <inheritdoc/>
    public Task<HostComputeLoadBalancer> ModifyLoadBalancerAsync(Guid loadBalancerId, HostComputeLoadBalancer loadBalancer, CancellationToken cancellationToken) =>
        MutateAsync(() => _inner.ModifyLoadBalancerAsync(loadBalancerId, loadBalancer, cancellationToken));

    /// <inheritdoc/>
    public Task DeleteLoadBalancerAsync(Guid loadBalancerId, CancellationToken cancellationToken) =>
        MutateAsync(() => _inner.DeleteLoadBalancerAsync(loadBalancerId, cancellationToken));

    // ---- SDN routes ----

    /// <inheritdoc/>
    public Task<HostComputeRoute> CreateSdnRouteAsync(HostComputeRoute route, CancellationToken cancellationToken) =>
        MutateAsync(() => _inner.CreateSdnRouteAsync(route, cancellationToken));

    /// <inheritdoc/>
    public Task<HostComputeRoute> GetSdnRouteAsync(Guid routeId, CancellationToken cancellationToken) =>
        _inner.GetSdnRouteAsync(routeId, cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<HostComputeRoute>> EnumerateSdnRoutesAsync(HostComputeQuery? query, CancellationToken cancellationToken) =>
        _inner.EnumerateSdnRoutesAsync(query, cancellationToken);

    /// <inheritdoc/>
    public Task<HostComputeRoute> ModifySdnRouteAsync(Guid routeId, HostComputeRoute route, CancellationToken cancellationToken) =>
        MutateAsync(() => _inner.ModifySdnRouteAsync(routeId, route, cancellationToken));

    /// <inheritdoc/>
    public Task DeleteSdnRouteAsync(Guid routeId, CancellationToken cancellationToken) =>
        MutateAsync(() => _inner.DeleteSdnRouteAsync(routeId, cancellationToken));

    /// <inheritdoc/>
    public Task<HcnVersion> GetVersionAsync(CancellationToken cancellationToken) => _inner.GetVersionAsync(cancellationToken);

    /// <summary>Writes a snapshot of the current state now (tests; a mutating call does this itself).</summary>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task.</returns>
    public Task FlushAsync(CancellationToken cancellationToken) => PersistAsync(Interlocked.Read(ref _completedMutations), cancellationToken);

    private async Task MutateAsync(Func<Task> call) =>
        await MutateAsync(async () =>
        {
            await call().ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);

    private async Task<T> MutateAsync<T>(Func<Task<T>> call)
    {
        // A failed call changed nothing (the emulator validates before it commits), so it needs no snapshot.
        var result = await call().ConfigureAwait(false);
        var generation = Interlocked.Increment(ref _completedMutations);

        // Not cancellable: the change is done, and returning before it is on disk would break the ordering promise.
        await PersistAsync(generation, CancellationToken.None).ConfigureAwait(false);
        return result;
    }

    private async Task PersistAsync(long generation, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Interlocked.Read(ref _snapshotCovers) >= generation)
            {
                return; // a snapshot started after this change completed is already on disk
            }

            // Everything completed up to here is in the state read below.
            var covers = Interlocked.Read(ref _completedMutations);
            var document = await CaptureAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                // Synchronous on purpose: a small file, and an async write costs thread-pool hops that dominate an
                // ADD's latency on a busy node (three snapshots per ADD).
                File.WriteAllBytes(TempPath, document);
                File.Move(TempPath, SnapshotPath, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new HcnException(
                    "MemoryHcn snapshot",
                    HcnErrorCodes.Fail,
                    detail: $"the change was made in memory but {SnapshotPath} could not be written: {e.Message}",
                    innerException: e);
            }

            Interlocked.Exchange(ref _snapshotCovers, covers);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private async Task<byte[]> CaptureAsync(CancellationToken cancellationToken)
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
            HcnJson.SerializeToElement(value).WriteTo(writer);
        }

        writer.WriteEndArray();
    }

    /// <summary>
    /// Re-creates the snapshot's objects in the empty inner emulator, in dependency order: networks, namespaces,
    /// endpoints (created detached, since HNS attaches only through the namespace), attachments in the namespace's
    /// resource order, then load balancers and SDN routes, which refer to endpoints.
    /// </summary>
    private async Task RestoreAsync(CancellationToken cancellationToken)
    {
        var bytes = await File.ReadAllBytesAsync(SnapshotPath, cancellationToken).ConfigureAwait(false);
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

        var networks = ReadAll<HostComputeNetwork>(root, "networks");
        var endpoints = ReadAll<HostComputeEndpoint>(root, "endpoints");
        var namespaces = ReadAll<HostComputeNamespace>(root, "namespaces");
        var loadBalancers = ReadAll<HostComputeLoadBalancer>(root, "loadBalancers");
        var routes = ReadAll<HostComputeRoute>(root, "sdnRoutes");

        foreach (var network in networks)
        {
            await _inner.CreateNetworkAsync(network, cancellationToken).ConfigureAwait(false);
        }

        foreach (var ns in namespaces)
        {
            await _inner.CreateNamespaceAsync(ns with { Resources = null }, cancellationToken).ConfigureAwait(false);
        }

        foreach (var endpoint in endpoints)
        {
            await _inner.CreateEndpointAsync(endpoint.HostComputeNetwork, endpoint with { HostComputeNamespace = Guid.Empty }, cancellationToken)
                .ConfigureAwait(false);
        }

        foreach (var ns in namespaces)
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

        foreach (var loadBalancer in loadBalancers)
        {
            await _inner.CreateLoadBalancerAsync(loadBalancer, cancellationToken).ConfigureAwait(false);
        }

        foreach (var route in routes)
        {
            await _inner.CreateSdnRouteAsync(route, cancellationToken).ConfigureAwait(false);
        }
    }

    private static List<T> ReadAll<T>(JsonElement root, string name)
        where T : class
    {
        if (!root.TryGetProperty(name, out var array) || array.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException($"\"{name}\" must be an array");
        }

        var values = new List<T>();
        var index = 0;
        foreach (var element in array.EnumerateArray())
        {
            values.Add(HcnJson.Deserialize<T>(element) ?? throw new InvalidDataException($"\"{name}\"[{index}] is null"));
            index++;
        }

        return values;
    }
}
