using System.Text.Json;
using Cni.Hcn.Errors;
using Cni.Hcn.Json;
using Cni.Hcn.Kernel.Layout;
using Cni.Hcn.Kernel.Naming;
using Cni.Hcn.Kernel.Nftables;
using Cni.Hcn.Kernel.State;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Requests;

namespace Cni.Hcn.Kernel;

/// <summary>Persistence, restore after a restart, and the level-triggered parts (nftables, full reconcile).</summary>
public sealed partial class KernelHcn
{
    private const string NetworksKind = "networks";
    private const string EndpointsKind = "endpoints";
    private const string NamespacesKind = "namespaces";
    private const string BindingsKind = "netns";
    private const string LoadBalancersKind = "loadbalancers";
    private const string RoutesKind = "routes";

    /// <summary>
    /// After every change: bring nftables in line with the objects (one atomic batch, only when a table's text
    /// changed), then persist them. Commits run one at a time; one that starts after a change covers it, so callers
    /// whose change an earlier commit already included return without doing it again.
    /// </summary>
    /// <param name="nftables">False for changes nftables does not depend on (namespaces and attachments), which then
    /// skip rendering unless another change still needs it.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <param name="touched">The only objects the change touched (kind, ID), which are then the only ones persisted;
    /// null persists everything.</param>
    private async Task CommitAsync(CancellationToken cancellationToken, bool nftables = true, IEnumerable<(string Kind, Guid Id)>? touched = null)
    {
        // Marked before the change is counted, so a commit that covers the change also sees the marks.
        if (nftables)
        {
            Interlocked.Exchange(ref _nftablesDirty, 1);
        }

        if (touched is null)
        {
            Interlocked.Exchange(ref _persistAll, 1);
        }
        else
        {
            foreach (var key in touched.Where(t => t.Id != Guid.Empty))
            {
                _unpersisted[key] = 0;
            }
        }

        var change = Interlocked.Increment(ref _changes);
        var time = TimeProvider.System;
        var started = time.GetTimestamp();
        await _commitGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Interlocked.Read(ref _committed) >= change)
            {
                return;
            }

            // Every change counted so far happened before this read, so the commit below includes it.
            var covered = Interlocked.Read(ref _changes);
            var entered = time.GetTimestamp();
            if (Interlocked.Exchange(ref _nftablesDirty, 0) == 1)
            {
                try
                {
                    await SyncNftablesAsync(cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    Interlocked.Exchange(ref _nftablesDirty, 1);
                    throw;
                }
            }

            var synced = time.GetTimestamp();
            await PersistChangedAsync().ConfigureAwait(false);
            Interlocked.Exchange(ref _committed, covered);
            LogCommit(time.GetElapsedTime(entered, synced).TotalMilliseconds, time.GetElapsedTime(synced).TotalMilliseconds,
                time.GetElapsedTime(started, entered).TotalMilliseconds);
        }
        finally
        {
            _commitGate.Release();
        }
    }

    /// <summary>Persists what commits asked for: everything, or only the marked objects (put back if writing fails).</summary>
    private async Task PersistChangedAsync()
    {
        if (Interlocked.Exchange(ref _persistAll, 0) == 1)
        {
            _unpersisted.Clear();
            try
            {
                await PersistAsync().ConfigureAwait(false);
            }
            catch
            {
                Interlocked.Exchange(ref _persistAll, 1);
                throw;
            }

            return;
        }

        var keys = _unpersisted.Keys.ToList();
        foreach (var key in keys)
        {
            _unpersisted.TryRemove(key, out _);
        }

        try
        {
            foreach (var (kind, id) in keys)
            {
                if (await SerializeOneAsync(kind, id).ConfigureAwait(false) is { } json)
                {
                    _store.Write(kind, id, json);
                }
                else
                {
                    _store.Delete(kind, id);
                }
            }
        }
        catch
        {
            foreach (var key in keys)
            {
                _unpersisted[key] = 0;
            }

            throw;
        }
    }

    /// <summary>One object's JSON as persisted, null when it no longer exists.</summary>
    private async Task<string?> SerializeOneAsync(string kind, Guid id)
    {
        try
        {
            return kind switch
            {
                EndpointsKind => HcnJson.Serialize(await _objects.GetEndpointAsync(id, CancellationToken.None).ConfigureAwait(false)),
                NamespacesKind => HcnJson.Serialize(await _objects.GetNamespaceAsync(id, CancellationToken.None).ConfigureAwait(false)),
                BindingsKind => _bindings.TryGetValue(id, out var binding) ? JsonSerializer.Serialize(binding, KernelJsonContext.Default.NamespaceBinding) : null,
                _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "only endpoints, namespaces and bindings are persisted one by one"),
            };
        }
        catch (HcnException ex) when (ex.IsNotFound)
        {
            return null;
        }
    }

    private async Task PersistAsync()
    {
        var none = CancellationToken.None;
        _store.Sync(NetworksKind, (await _objects.EnumerateNetworksAsync(null, none).ConfigureAwait(false)).ToDictionary(n => n.Id, HcnJson.Serialize));
        _store.Sync(EndpointsKind, (await _objects.EnumerateEndpointsAsync(null, none).ConfigureAwait(false)).ToDictionary(e => e.Id, HcnJson.Serialize));
        _store.Sync(NamespacesKind, (await _objects.EnumerateNamespacesAsync(null, none).ConfigureAwait(false)).ToDictionary(n => n.Id, HcnJson.Serialize));
        _store.Sync(LoadBalancersKind, (await _objects.EnumerateLoadBalancersAsync(null, none).ConfigureAwait(false)).ToDictionary(l => l.Id, HcnJson.Serialize));
        _store.Sync(RoutesKind, (await _objects.EnumerateSdnRoutesAsync(null, none).ConfigureAwait(false)).ToDictionary(r => r.Id, HcnJson.Serialize));
        _store.Sync(BindingsKind, _bindings.ToDictionary(b => b.Key, b => JsonSerializer.Serialize(b.Value, KernelJsonContext.Default.NamespaceBinding)));
    }

    /// <summary>Renders every table and applies, in one nft batch, only the ones whose text changed.</summary>
    private async Task SyncNftablesAsync(CancellationToken cancellationToken)
    {
        var networks = await _objects.EnumerateNetworksAsync(null, CancellationToken.None).ConfigureAwait(false);
        var endpoints = await _objects.EnumerateEndpointsAsync(null, CancellationToken.None).ConfigureAwait(false);
        var loadBalancers = await _objects.EnumerateLoadBalancersAsync(null, CancellationToken.None).ConfigureAwait(false);
        var desired = new Dictionary<string, string?>(StringComparer.Ordinal);
        var subnetNat = new Dictionary<Guid, string?>();
        foreach (var network in networks)
        {
            var layout = NetworkLayout.From(network);
            var local = endpoints.Where(e => e.HostComputeNetwork == network.Id && !IsRemote(e)).ToList();
            var nat = NftRenderer.ChooseSubnetNat(layout, local, _subnetNat.GetValueOrDefault(network.Id));
            subnetNat[network.Id] = nat;
            desired[layout.Table] = NftRenderer.RenderNetwork(layout, local, nat);
        }

        var addresses = EndpointAddresses(endpoints);
        desired[DeviceNames.ServicesTable] = NftRenderer.RenderServices(loadBalancers, id => addresses.GetValueOrDefault(id));
        foreach (var stale in _appliedTables.Keys.Where(k => !desired.ContainsKey(k)).ToList())
        {
            desired[stale] = null;
        }

        var changes = desired.Where(d => !_appliedTables.TryGetValue(d.Key, out var applied) ? d.Value is not null : !string.Equals(applied, d.Value, StringComparison.Ordinal))
            .ToDictionary(d => d.Key, d => d.Value, StringComparer.Ordinal);
        if (changes.Count > 0)
        {
            await _nft.ApplyAsync(NftRunner.BuildBatch(changes), cancellationToken).ConfigureAwait(false);
        }

        // Only what the kernel now has: a failed batch leaves the previous choices in force.
        _subnetNat.Clear();
        foreach (var (id, nat) in subnetNat)
        {
            _subnetNat[id] = nat;
        }

        if (changes.Count == 0)
        {
            return;
        }

        foreach (var (table, text) in changes)
        {
            if (text is null)
            {
                _appliedTables.Remove(table);
            }
            else
            {
                _appliedTables[table] = text;
            }
        }

        LogNftApplied(string.Join(", ", changes.Keys));
    }

    /// <summary>Loads the persisted objects into the object layer (IDs, MACs and attachments as they were).</summary>
    private async Task RestoreAsync(CancellationToken cancellationToken)
    {
        foreach (var (id, json) in _store.Load(BindingsKind))
        {
            if (JsonSerializer.Deserialize(json, KernelJsonContext.Default.NamespaceBinding) is { } binding)
            {
                _bindings[id] = binding;
            }
        }

        var networks = await RestoreKindAsync<HostComputeNetwork>(NetworksKind, n => _objects.CreateNetworkAsync(n, cancellationToken)).ConfigureAwait(false);
        var endpoints = _store.Load(EndpointsKind).Select(p => (p.Id, Endpoint: HcnJson.Deserialize<HostComputeEndpoint>(p.Json))).ToList();
        var restoredEndpoints = 0;
        foreach (var (id, endpoint) in endpoints)
        {
            if (endpoint is null)
            {
                continue;
            }

            await RestoreOneAsync("endpoint", id, () => _objects.CreateEndpointAsync(endpoint.HostComputeNetwork, endpoint with { HostComputeNamespace = Guid.Empty }, cancellationToken))
                .ConfigureAwait(false);
            restoredEndpoints++;
        }

        var namespaces = 0;
        foreach (var (id, json) in _store.Load(NamespacesKind))
        {
            if (HcnJson.Deserialize<HostComputeNamespace>(json) is not { } ns)
            {
                continue;
            }

            if (await RestoreOneAsync("namespace", id, () => _objects.CreateNamespaceAsync(ns with { Resources = null }, cancellationToken)).ConfigureAwait(false))
            {
                namespaces++;
                foreach (var container in (ns.Resources ?? []).Where(r => r.Type == NamespaceResourceType.Container))
                {
                    await RestoreOneAsync("namespace", id, () => _objects.ModifyNamespaceAsync(id,
                        ModifyNamespaceSettingRequest.ForContainer(RequestType.Add, container.Data.Id), cancellationToken)).ConfigureAwait(false);
                }
            }

            if (!_bindings.ContainsKey(id))
            {
                _bindings[id] = new NamespaceBinding(HostNetnsPath, Owned: false, IsHost: true);
            }
        }

        foreach (var (id, endpoint) in endpoints)
        {
            if (endpoint is { HostComputeNamespace: var nsId } && nsId != Guid.Empty)
            {
                await RestoreOneAsync("endpoint", id, () => _objects.ModifyNamespaceAsync(nsId,
                    ModifyNamespaceSettingRequest.ForEndpoint(RequestType.Add, id), cancellationToken)).ConfigureAwait(false);
            }
        }

        var loadBalancers = await RestoreKindAsync<HostComputeLoadBalancer>(LoadBalancersKind, l => _objects.CreateLoadBalancerAsync(l, cancellationToken)).ConfigureAwait(false);
        var routes = await RestoreKindAsync<HostComputeRoute>(RoutesKind, r => _objects.CreateSdnRouteAsync(r, cancellationToken)).ConfigureAwait(false);
        if (networks + restoredEndpoints + namespaces + loadBalancers + routes > 0)
        {
            LogRestored(networks, restoredEndpoints, namespaces, loadBalancers, routes, _options.StateDirectory);
        }
    }

    private async Task<int> RestoreKindAsync<T>(string kind, Func<T, Task> create)
        where T : class
    {
        var count = 0;
        foreach (var (id, json) in _store.Load(kind))
        {
            if (HcnJson.Deserialize<T>(json) is { } value && await RestoreOneAsync(kind, id, () => create(value)).ConfigureAwait(false))
            {
                count++;
            }
        }

        return count;
    }

    private async Task<bool> RestoreOneAsync(string kind, Guid id, Func<Task> restore)
    {
        try
        {
            await restore().ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is HcnException or JsonException)
        {
            LogRestoreFailed(kind, id, ex.Message);
            return false;
        }
    }

    /// <summary>
    /// Makes the kernel match every object: networks (adopting existing devices), local endpoints (a missing veth is
    /// recreated and re-attached when its namespace still exists; an existing one is left alone), SDN routes, and all
    /// nftables tables (stale wincni tables are dropped).
    /// </summary>
    private async Task RealizeAllAsync(CancellationToken cancellationToken)
    {
        var networks = await _objects.EnumerateNetworksAsync(null, cancellationToken).ConfigureAwait(false);
        foreach (var network in networks)
        {
            TryKernel("network", network.Id, () => RealizeNetwork(network));
        }

        var layouts = networks.ToDictionary(n => n.Id, NetworkLayout.From);
        foreach (var endpoint in (await _objects.EnumerateEndpointsAsync(null, cancellationToken).ConfigureAwait(false)).Where(e => !IsRemote(e)))
        {
            if (!layouts.TryGetValue(endpoint.HostComputeNetwork, out var layout))
            {
                continue;
            }

            var attachedTo = endpoint.HostComputeNamespace != Guid.Empty && _bindings.TryGetValue(endpoint.HostComputeNamespace, out var b) ? b : null;
            var missing = _host.GetLink(DeviceNames.HostVeth(endpoint.Id)) is null;
            if (missing && attachedTo is { IsHost: false } && !File.Exists(attachedTo.Path))
            {
                // The pod's namespace is gone: nothing to plug back in; the daemon's GC deletes the endpoint.
                continue;
            }

            TryKernel("endpoint", endpoint.Id, () =>
            {
                if (missing && attachedTo is not null)
                {
                    // Attach makes the veth (into the pod's namespace, or in the host for the host vNIC).
                    AttachEndpoint(endpoint, attachedTo, layout);
                }
                else
                {
                    RealizeEndpoint(endpoint, layout);
                }
            });
        }

        var routes = await AllRoutesAsync().ConfigureAwait(false);
        TryKernel("route", Guid.Empty, () => ApplyHostRoutes(new HashSet<Netlink.RouteSpec>(), HostRoutes(routes)));

        // Whatever is in the kernel now counts as stale: every wanted table is rewritten and every other wincni
        // table dropped, in one batch.
        _appliedTables.Clear();
        foreach (var table in await _nft.ListTablesAsync(DeviceNames.TablePrefix, cancellationToken).ConfigureAwait(false))
        {
            _appliedTables[table] = string.Empty;
        }

        await SyncNftablesAsync(cancellationToken).ConfigureAwait(false);
        await PersistAsync().ConfigureAwait(false);
    }
}
