using System.Text.Json;
using Cni.Hcn.Errors;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Requests;

namespace Cni.Hcn.Memory;

/// <summary>Persistence: every changed object is marked in the store, and <see cref="LoadAsync"/> re-creates them.</summary>
public sealed partial class MemoryHcn : IDisposable
{
    private readonly MemoryHcnStore? _store;

    /// <summary>True while <see cref="LoadAsync"/> re-creates objects: those are on disk already.</summary>
    private bool _restoring;

    /// <summary>
    /// Re-creates the objects of the store this emulator was constructed with (IDs, MACs, attachments as they were),
    /// then starts recording changes into it. Call once, on an empty emulator, before anything else. The restore's
    /// own work is not counted, delayed or failed by injected faults.
    /// </summary>
    /// <param name="onRestoreFailure">
    /// Told of each object that cannot be re-created (kind, ID, why), which is then skipped; null makes any such object
    /// fail the load with <see cref="HcnStateException"/>.
    /// </param>
    /// <exception cref="HcnStateException">A file cannot be read, or (without a callback) an object cannot be re-created.</exception>
    public async Task LoadAsync(Action<string, Guid, Exception>? onRestoreFailure, CancellationToken cancellationToken)
    {
        var store = _store ?? throw new InvalidOperationException("this emulator was constructed without a store");
        var state = await store.LoadAsync(cancellationToken).ConfigureAwait(false);
        var failed = onRestoreFailure ?? ((_, _, e) => throw store.LoadError(store.LoadedFiles, e));
        lock (_gate)
        {
            if (_networks.Count + _endpoints.Count + _namespaces.Count + _loadBalancers.Count + _routes.Count > 0)
            {
                throw new InvalidOperationException("LoadAsync needs an empty emulator");
            }

            _restoring = true;
            try
            {
                RestoreLocked(state, failed);
            }
            finally
            {
                _restoring = false;
            }
        }

        await store.AttachAsync(this, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads what a store directory holds into a fresh emulator without touching the directory (its files are copied
    /// first: opening a store trims a torn last line and starts a new log), e.g. to inspect a running daemon's
    /// persisted objects. An object that cannot be re-created is skipped and told to <paramref name="onRestoreFailure"/>.
    /// </summary>
    /// <param name="stateDirectory">A directory a <see cref="MemoryHcnStore"/> writes (the memory dataplane's state
    /// directory, or KernelHcn's).</param>
    /// <exception cref="HcnStateException">A file cannot be read.</exception>
    public static async Task<MemoryHcn> ReadPersistedAsync(string stateDirectory, Action<string, Guid, Exception> onRestoreFailure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onRestoreFailure);
        var copy = Directory.CreateTempSubdirectory("wincni-hcn-").FullName;
        try
        {
            foreach (var file in Directory.EnumerateFiles(stateDirectory, "memory-hcn*"))
            {
                File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
            }

            MemoryHcnStoredState state;
            using (var store = new MemoryHcnStore(copy))
            {
                state = await store.LoadAsync(cancellationToken).ConfigureAwait(false);
            }

            // No store: the emulator is a detached copy that may be changed without writing anywhere.
            var persisted = new MemoryHcn();
            lock (persisted._gate)
            {
                persisted._restoring = true;
                persisted.RestoreLocked(state, onRestoreFailure);
                persisted._restoring = false;
            }

            return persisted;
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    /// <summary>Closes the store's log, if there is a store.</summary>
    public void Dispose() => _store?.Dispose();

    /// <summary>The stored (immutable) state of each key, null when it is gone or not the emulator's kind.</summary>
    internal List<object?> ReadStored(List<(string Kind, Guid Id)> keys)
    {
        lock (_gate)
        {
            return keys.ConvertAll(key => key.Kind switch
            {
                MemoryHcnStore.NetworkKind => _networks.TryGetValue(key.Id, out var n) ? n.Network : null,
                MemoryHcnStore.EndpointKind => _endpoints.GetValueOrDefault(key.Id),
                MemoryHcnStore.NamespaceKind => _namespaces.GetValueOrDefault(key.Id),
                MemoryHcnStore.LoadBalancerKind => _loadBalancers.GetValueOrDefault(key.Id),
                MemoryHcnStore.SdnRouteKind => (object?)_routes.GetValueOrDefault(key.Id),
                _ => null,
            });
        }
    }

    /// <summary>Every stored object by kind, in one consistent cut (stored objects are never changed in place).</summary>
    internal List<(string Kind, List<object> Values)> CaptureStored()
    {
        lock (_gate)
        {
            return
            [
                (MemoryHcnStore.NetworkKind, [.. _networks.Values.Select(n => n.Network)]),
                (MemoryHcnStore.EndpointKind, [.. _endpoints.Values]),
                (MemoryHcnStore.NamespaceKind, [.. _namespaces.Values]),
                (MemoryHcnStore.LoadBalancerKind, [.. _loadBalancers.Values]),
                (MemoryHcnStore.SdnRouteKind, [.. _routes.Values]),
            ];
        }
    }

    /// <summary>Records that one object changed (called under the lock, wherever the emulator changes state).</summary>
    private void Changed(string kind, Guid id)
    {
        if (_store is not null && !_restoring)
        {
            _store.MarkChanged(kind, id);
        }
    }

    /// <summary>After a successful mutating call, outside the lock: in write-through mode, its changes go to disk now.</summary>
    private async Task PersistAsync()
    {
        if (_store is not { WriteThrough: true } store)
        {
            return;
        }

        try
        {
            // Not cancellable: the change is done, and returning before it is on disk would break the ordering promise.
            await store.WriteChangesAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw StateWriteFailure.Create(
                "MemoryHcn snapshot",
                store.DirectoryPath,
                e,
                $"the change was made in memory but {store.SnapshotPath} / {store.LogPath} could not be written");
        }
    }

    /// <summary>
    /// Re-creates the stored objects in dependency order: networks, namespaces, endpoints (created detached, since HNS
    /// attaches only through the namespace), attachments in the namespace's resource order, then load balancers and
    /// SDN routes, which refer to endpoints.
    /// </summary>
    private void RestoreLocked(MemoryHcnStoredState state, Action<string, Guid, Exception> failed)
    {
        const string Operation = "restore";
        foreach (var network in state.Networks.Values)
        {
            Restore(MemoryHcnStore.NetworkKind, network.Id, () => CreateNetworkLocked(network, Operation));
        }

        foreach (var ns in state.Namespaces.Values)
        {
            Restore(MemoryHcnStore.NamespaceKind, ns.Id, () => CreateNamespaceLocked(ns with { Resources = null }, Operation));
        }

        foreach (var endpoint in state.Endpoints.Values)
        {
            Restore(MemoryHcnStore.EndpointKind, endpoint.Id,
                () => CreateEndpointLocked(endpoint.HostComputeNetwork, endpoint with { HostComputeNamespace = Guid.Empty }, Operation));
        }

        foreach (var ns in state.Namespaces.Values.Where(n => _namespaces.ContainsKey(n.Id)))
        {
            foreach (var resource in ns.Resources ?? [])
            {
                Restore(MemoryHcnStore.NamespaceKind, ns.Id, () =>
                {
                    var stored = _namespaces[ns.Id];
                    _namespaces[ns.Id] = resource.GetEndpointId() is { } endpointId
                        ? ModifyNamespaceEndpointLocked(stored, ModifyNamespaceSettingRequest.ForEndpoint(RequestType.Add, endpointId), Operation)
                        : resource.Type == NamespaceResourceType.Container && resource.Data.Id is { } containerId
                            ? ModifyNamespaceContainerLocked(stored, ModifyNamespaceSettingRequest.ForContainer(RequestType.Add, containerId), Operation)
                            : throw new InvalidDataException($"namespace {ns.Id} has a resource of type '{resource.Type}' that cannot be restored");
                });
            }
        }

        foreach (var loadBalancer in state.LoadBalancers.Values)
        {
            Restore(MemoryHcnStore.LoadBalancerKind, loadBalancer.Id, () => StoreLoadBalancerLocked(loadBalancer.Id, loadBalancer, Operation));
        }

        foreach (var route in state.SdnRoutes.Values)
        {
            Restore(MemoryHcnStore.SdnRouteKind, route.Id, () => StoreRouteLocked(route.Id, route, Operation));
        }

        void Restore(string kind, Guid id, Action restore)
        {
            try
            {
                restore();
            }
            catch (Exception e) when (e is HcnException or InvalidDataException or JsonException)
            {
                failed(kind, id, e);
            }
        }
    }
}
