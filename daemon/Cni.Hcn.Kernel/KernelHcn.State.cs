using System.Text.Json;
using Cni.Hcn.Errors;
using Cni.Hcn.Json;
using Cni.Hcn.Kernel.Conntrack;
using Cni.Hcn.Kernel.Layout;
using Cni.Hcn.Kernel.Naming;
using Cni.Hcn.Kernel.Nftables;
using Cni.Hcn.Kernel.State;
using Cni.Hcn.Memory;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Requests;
using Microsoft.Extensions.Logging;

namespace Cni.Hcn.Kernel;

/// <summary>Persistence, restore after a restart, and the level-triggered parts (nftables, full reconcile).</summary>
public sealed partial class KernelHcn
{
    /// <summary>
    /// The store's extension kind for <see cref="NamespaceBinding"/>s: kept in the object store's own lines (not a file
    /// of their own), so a namespace and its netns binding are written together and can never be restored apart.
    /// </summary>
    private const string BindingsKind = "netns";

    /// <summary>The object store (tests inject write failures into it, as a full disk would fail them).</summary>
    internal MemoryHcnStore Store => _store;

    /// <summary>
    /// After every change: bring nftables in line with the objects (one atomic batch, only when a table's text
    /// changed), then persist what changed. Commits run one at a time; one that starts after a change covers it, so
    /// callers whose change an earlier commit already included return without doing it again.
    /// </summary>
    /// <param name="nftables">False for changes nftables does not depend on (namespaces and attachments), which then
    /// skip rendering unless another change still needs it.</param>
    /// <param name="loadBalancer">A change to this load balancer only: the commit then renders just the load balancers
    /// changed since the last one (<see cref="SyncLoadBalancersAsync"/>), unless something else needs a full render.</param>
    /// <param name="servicesUnaffected">True for a change that alters network tables but no load balancer's rendering
    /// other than those in <paramref name="loadBalancers"/> (a local endpoint created, changed or deleted: no load
    /// balancer can name an endpoint that did not exist, and a deleted one leaves the load balancers the object layer
    /// marks); then the services table is synced for those alone instead of rendered whole.</param>
    private async Task CommitAsync(CancellationToken cancellationToken, bool nftables = true, Guid? loadBalancer = null, IReadOnlyList<Guid>? loadBalancers = null,
        bool servicesUnaffected = false)
    {
        // Released and marked before the change is counted, so a commit that covers the change also sees them. The
        // object layer marked every object the change touched (cascades included); until here they were held back
        // from other commits, since the kernel did not have the change yet.
        _store.ReleaseHeld();
        foreach (var id in loadBalancers ?? [])
        {
            _dirtyLoadBalancers[id] = 0;
        }

        if (loadBalancer is { } changedLoadBalancer)
        {
            _dirtyLoadBalancers[changedLoadBalancer] = 0;
        }
        else if (nftables)
        {
            Interlocked.Exchange(ref servicesUnaffected ? ref _networkTablesDirty : ref _nftablesDirty, 1);
        }

        var change = Interlocked.Increment(ref _changes);

        // Inside a write batch the change waits for the batch's commit (or for the one that makes it full).
        if (_writeBatch.Value is { } batch && batch.Hold(change))
        {
            return;
        }

        await CommitThroughAsync(change, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Commits unless a commit since <paramref name="change"/> was counted has covered it (one at a time).</summary>
    private async Task CommitThroughAsync(long change, CancellationToken cancellationToken)
    {
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
            var full = Interlocked.Exchange(ref _nftablesDirty, 0) == 1;
            var networkTables = Interlocked.Exchange(ref _networkTablesDirty, 0) == 1;
            if (full || networkTables || !_dirtyLoadBalancers.IsEmpty)
            {
                try
                {
                    await SyncNftablesAsync(full, networkTables, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    Interlocked.Exchange(ref _nftablesDirty, 1);
                    throw;
                }
            }

            var synced = time.GetTimestamp();
            await _store.WriteChangesAsync(CancellationToken.None).ConfigureAwait(false);
            Interlocked.Exchange(ref _committed, covered);
            LogCommit(time.GetElapsedTime(entered, synced).TotalMilliseconds, time.GetElapsedTime(synced).TotalMilliseconds,
                time.GetElapsedTime(started, entered).TotalMilliseconds);
        }
        finally
        {
            _commitGate.Release();
        }
    }

    /// <summary>A namespace binding as the store keeps it, null when there is none.</summary>
    private byte[]? ReadBinding(Guid namespaceId) =>
        _bindings.TryGetValue(namespaceId, out var binding) ? JsonSerializer.SerializeToUtf8Bytes(binding, KernelJsonContext.Default.NamespaceBinding) : null;

    /// <summary>
    /// Renders every network table and applies, in one nft batch, only the ones whose text changed, together with the
    /// services table's incremental transaction (only the load balancers that changed, <see cref="ServiceTableSync"/>).
    /// When that batch fails while the services part was incremental, the mirror is distrusted and the batch is retried
    /// once with the services table rendered whole (a table, chain or element changed outside wincni fails the
    /// incremental commands, so this is how drift in the services table is detected without listing it).
    /// </summary>
    /// <param name="full">False when only load balancers changed (those marked by <see cref="CommitAsync"/>), and
    /// network tables if <paramref name="networkTables"/>.</param>
    /// <param name="networkTables">Whether the network tables are rendered too, beside the marked load balancers.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    private async Task SyncNftablesAsync(bool full, bool networkTables, CancellationToken cancellationToken)
    {
        // Taken before reading the objects, so a load balancer marked meanwhile is read by this sync or the next.
        var dirty = _dirtyLoadBalancers.Keys.ToList();
        foreach (var id in dirty)
        {
            _dirtyLoadBalancers.TryRemove(id, out _);
        }

        if (!full && _services.Trusted && _services6.Trusted)
        {
            // Only load balancers changed (and maybe network tables): no other load balancer is read or rendered.
            await SyncLoadBalancersAsync(dirty, networkTables, cancellationToken).ConfigureAwait(false);
            return;
        }

        foreach (var id in dirty)
        {
            _prerendered.TryRemove(id, out _);
        }

        // Read without copies (the object layer's instances, only read here): a full render reads every object.
        var (networks, endpoints, loadBalancers) = _objects.PeekAll();
        Interlocked.Increment(ref _servicesFullRenders);
        var (changes, subnetNat) = RenderNetworkTables(networks, endpoints);
        var addresses = EndpointAddresses(endpoints, NftFamily.Ip);
        Dictionary<Guid, System.Net.IPAddress>? addresses6 = null;
        var localEndpoints = endpoints.Where(e => !IsRemote(e)).Select(e => e.Id).ToHashSet();
        var services = new Dictionary<Guid, LoadBalancerRendering>();
        var services6 = new Dictionary<Guid, LoadBalancerRendering>();
        foreach (var lb in loadBalancers)
        {
            var family = ServiceRenderer.FamilyOf(lb);
            if (family == NftFamily.Ip
                && ServiceRenderer.Render(lb, id => addresses.GetValueOrDefault(id), localEndpoints.Contains, family) is { } rendering)
            {
                services[lb.Id] = rendering;
            }
            else if (family == NftFamily.Ip6
                && ServiceRenderer.Render(lb, id => (addresses6 ??= EndpointAddresses(endpoints, family)).GetValueOrDefault(id), localEndpoints.Contains, family) is { } rendering6)
            {
                services6[lb.Id] = rendering6;
            }
        }

        var plan = _services.Plan(services);
        var plan6 = _services6.Plan(services6);
        var tables = changes.Count > 0 ? NftRunner.BuildBatch(changes) : string.Empty;
        if (tables.Length + plan.Text.Length + plan6.Text.Length > 0)
        {
            try
            {
                await ApplyNftAsync(tables + plan.Text + plan6.Text, cancellationToken).ConfigureAwait(false);
            }
            catch (NftException ex) when (!plan.Full || !plan6.Full)
            {
                LogServicesResync(ex.Message);
                Interlocked.Increment(ref _servicesResyncs);
                _services.Invalidate();
                _services6.Invalidate();
                plan = _services.Plan(services);
                plan6 = _services6.Plan(services6);
                await ApplyNftAsync(tables + plan.Text + plan6.Text, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                // Also when cancelled: the kernel may or may not have the batch, so the mirror is no longer known.
                _services.Invalidate();
                _services6.Invalidate();
                throw;
            }
        }

        // Only what the kernel now has: a failed batch leaves the previous choices in force. (Stale flows: IPv4 only,
        // the conntrack cleanup reads the IPv4 table.)
        var staleFlows = StaleFlowsOf(services);
        _services.Accept(plan);
        _services6.Accept(plan6);
        CountServicesTransaction(plan, plan6, overNetlink: false);
        _conntrack.Enqueue(staleFlows);
        if (plan.Text.Length > 0)
        {
            LogServicesApplied(plan.Full, plan.Added, plan.Changed, plan.Removed, plan.Elements);
        }

        if (plan6.Text.Length > 0)
        {
            LogServicesApplied(plan6.Full, plan6.Added, plan6.Changed, plan6.Removed, plan6.Elements);
        }

        AcceptNetworkTables(changes, subnetNat);
    }

    /// <summary>The network tables whose text differs from what the kernel has (null text: the table goes), and each network's subnet-NAT choice.</summary>
    /// <remarks>Each network has a table per family (<c>ip</c>, and <c>ip6</c> keyed <c>ip6 &lt;name&gt;</c>), each only when it holds a rule.</remarks>
    private (Dictionary<string, string?> Changes, Dictionary<(Guid, NftFamily), string?> SubnetNat) RenderNetworkTables(
        IReadOnlyList<HostComputeNetwork> networks, IReadOnlyList<HostComputeEndpoint> endpoints)
    {
        var desired = new Dictionary<string, string?>(StringComparer.Ordinal);
        var subnetNat = new Dictionary<(Guid, NftFamily), string?>();
        foreach (var network in networks)
        {
            var layout = NetworkLayout.From(network);
            var local = endpoints.Where(e => e.HostComputeNetwork == network.Id && !IsRemote(e)).ToList();
            var hostVnics = local.Where(e => e.HostComputeNamespace != Guid.Empty && _bindings.TryGetValue(e.HostComputeNamespace, out var b) && b.IsHost).ToList();
            foreach (var family in NftFamily.All)
            {
                if (family == NftFamily.Ip6 && !layout.HasIpv6)
                {
                    // An IPv4 network has no ip6 table (nothing to render on every pod ADD/DEL of an IPv4 node).
                    desired[family.Qualify(layout.Table)] = null;
                    continue;
                }

                var nat = NftRenderer.ChooseSubnetNat(layout, local, _subnetNat.GetValueOrDefault((network.Id, family)), family);
                subnetNat[(network.Id, family)] = nat;
                desired[family.Qualify(layout.Table)] = NftRenderer.RenderNetwork(layout, local, nat, family, hostVnics);
            }
        }

        foreach (var stale in _appliedTables.Keys.Where(k => !desired.ContainsKey(k)).ToList())
        {
            desired[stale] = null;
        }

        var changes = desired.Where(d => !_appliedTables.TryGetValue(d.Key, out var applied) ? d.Value is not null : !string.Equals(applied, d.Value, StringComparison.Ordinal))
            .ToDictionary(d => d.Key, d => d.Value, StringComparer.Ordinal);
        return (changes, subnetNat);
    }

    /// <summary>Records that the kernel now has <paramref name="changes"/> (after their batch was applied).</summary>
    private void AcceptNetworkTables(Dictionary<string, string?> changes, Dictionary<(Guid, NftFamily), string?> subnetNat)
    {
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

    /// <summary>
    /// The services table's transaction for a few load balancers only: each is read with its backends and rendered,
    /// and compared with the mirror alone, so the cost does not grow with the number of load balancers or endpoints.
    /// A failed transaction is retried once with the services table rendered whole.
    /// </summary>
    private async Task SyncLoadBalancersAsync(List<Guid> ids, bool networkTables, CancellationToken cancellationToken)
    {
        var changes = new Dictionary<Guid, LoadBalancerRendering?>();
        var changes6 = new Dictionary<Guid, LoadBalancerRendering?>();
        foreach (var id in ids)
        {
            var lb = _objects.PeekLoadBalancer(id);
            var prerendered = _prerendered.TryRemove(id, out var early) ? early : default;
            var ipv6 = lb is not null && ServiceRenderer.FamilyOf(lb) == NftFamily.Ip6;

            // The other family's table loses the load balancer if it had it (gone, or its family changed).
            if (ipv6 ? _services.Applied(id) is not null : _services6.Applied(id) is not null)
            {
                (ipv6 ? changes : changes6)[id] = null;
            }

            if (lb is null)
            {
                changes[id] = null;
                continue;
            }

            // Rendered by the call that made this very instance (outside the commit gate, in parallel with other
            // calls), unless the object changed since: a rendering only depends on the instance and its backends,
            // and a backend that goes replaces the instance.
            (ipv6 ? changes6 : changes)[id] = ReferenceEquals(prerendered.Instance, lb) ? prerendered.Rendering : RenderLoadBalancer(lb);
        }

        // Read before the mirror takes the change: what the kernel had is what decides which flows are stale.
        var stale = changes.SelectMany(c => StaleFlows.Between(_services.Applied(c.Key), c.Value)).ToList();

        var plan = _services.PlanChanges(changes);
        var plan6 = changes6.Count > 0 ? _services6.PlanChanges(changes6) : null;
        var (tableChanges, subnetNat) = networkTables && _objects.PeekAll() is var all
            ? RenderNetworkTables(all.Networks, all.Endpoints)
            : ([], []);
        var tables = tableChanges.Count > 0 ? NftRunner.BuildBatch(tableChanges) : string.Empty;
        var overNetlink = false;
        if (tables.Length > 0 || !plan.IsEmpty || plan6 is { IsEmpty: false })
        {
            try
            {
                // Element changes alone (the usual case) go over netlink as they are, both families' in one
                // transaction; anything else as nft text.
                if (tables.Length > 0 || !(overNetlink = TryApplyElementsOnly(plan, plan6)))
                {
                    await _nft.ApplyAsync(tables + plan.Text + (plan6?.Text ?? string.Empty), cancellationToken).ConfigureAwait(false);
                }

                _drift.Committed();
            }
            catch (NftException ex) when (!plan.Full || plan6 is { Full: false })
            {
                LogServicesResync(ex.Message);
                Interlocked.Increment(ref _servicesResyncs);
                _services.Invalidate();
                _services6.Invalidate();
                await SyncNftablesAsync(full: true, networkTables: true, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch
            {
                _services.Invalidate();
                _services6.Invalidate();
                throw;
            }

            if (!plan.IsEmpty)
            {
                LogServicesApplied(plan.Full, plan.Added, plan.Changed, plan.Removed, plan.Elements);
            }

            if (plan6 is { IsEmpty: false })
            {
                LogServicesApplied(plan6.Full, plan6.Added, plan6.Changed, plan6.Removed, plan6.Elements);
            }

            CountServicesTransaction(plan, plan6, overNetlink);
        }

        _services.Accept(plan);
        if (plan6 is not null)
        {
            _services6.Accept(plan6);
        }

        _conntrack.Enqueue(stale);
        if (networkTables)
        {
            AcceptNetworkTables(tableChanges, subnetNat);
        }
    }

    /// <summary>Counts a transaction that changed a services table (<see cref="ServicesTable"/>).</summary>
    private void CountServicesTransaction(ServiceTablePlan plan, ServiceTablePlan? plan6, bool overNetlink)
    {
        var changed = (plan.IsEmpty ? 0 : 1) + (plan6 is { IsEmpty: false } ? 1 : 0);
        if (changed == 0)
        {
            return;
        }

        var elements = (plan.IsEmpty ? 0 : plan.Elements) + (plan6 is { IsEmpty: false } ? plan6.Elements : 0);
        var full = (plan.Full && !plan.IsEmpty) || plan6 is { Full: true, IsEmpty: false };
        lock (_servicesCounterGate)
        {
            _servicesCounters = _servicesCounters with
            {
                Transactions = _servicesCounters.Transactions + 1,
                Elements = _servicesCounters.Elements + elements,
                OverNetlink = _servicesCounters.OverNetlink + (overNetlink ? 1 : 0),
                FullRenders = _servicesCounters.FullRenders + (full ? 1 : 0),
            };
        }
    }

    /// <summary>
    /// Sends the element changes of both services tables (ip, ip6) as one nf_tables transaction over netlink, when
    /// both plans are element changes only (or empty); false when either has other changes or the batch is too large,
    /// and nothing was sent (the caller sends text).
    /// </summary>
    private bool TryApplyElementsOnly(ServiceTablePlan plan, ServiceTablePlan? plan6)
    {
        var parts = new List<NftElementBatch.Part>(2);
        foreach (var (part, family) in new[] { (plan, NftFamily.Ip), (plan6, NftFamily.Ip6) })
        {
            if (part is null || part.IsEmpty)
            {
                continue;
            }

            if (part.ElementChanges is not { } elements)
            {
                return false;
            }

            parts.Add(new NftElementBatch.Part(family, ServiceRenderer.Table, elements.Delete, elements.Add));
        }

        return parts.Count == 0 || _nft.TryApplyElements(parts);
    }

    /// <summary>
    /// One load balancer's elements in its family's services table (<see cref="ServiceRenderer.FamilyOf"/>), from the
    /// object layer's instances of it and its backends.
    /// </summary>
    private LoadBalancerRendering? RenderLoadBalancer(HostComputeLoadBalancer lb)
    {
        if (ServiceRenderer.FamilyOf(lb) is not { } family)
        {
            return null;
        }

        var addresses = new Dictionary<Guid, System.Net.IPAddress>();
        var local = new HashSet<Guid>();
        foreach (var backend in lb.HostComputeEndpoints ?? [])
        {
            var endpoint = _objects.PeekEndpoint(backend);
            if (endpoint is not null && NftRenderer.AddressOf(endpoint, family) is { } address)
            {
                addresses[backend] = address;
                if (!IsRemote(endpoint))
                {
                    local.Add(backend);
                }
            }
        }

        return ServiceRenderer.Render(lb, b => addresses.GetValueOrDefault(b), local.Contains, family);
    }

    /// <summary>
    /// Renders the load balancer a call has just created or changed, before the call waits for the commit: the
    /// commit then only compares and applies (at 40,000 load balancers, rendering inside the one-at-a-time commit
    /// was a third of its C# work).
    /// </summary>
    private void Prerender(Guid loadBalancerId)
    {
        if (_objects.PeekLoadBalancer(loadBalancerId) is { } stored)
        {
            _prerendered[loadBalancerId] = (stored, RenderLoadBalancer(stored));
        }
    }

    /// <summary>
    /// The UDP/SCTP conntrack entries a full render leaves stale, comparing every load balancer with the mirror (only
    /// those whose rendering changed). Nothing when the mirror knows nothing (the first render after a start), so a
    /// restart never flushes the node's flows: every load balancer would look new.
    /// </summary>
    private List<ConntrackFilter> StaleFlowsOf(Dictionary<Guid, LoadBalancerRendering> desired)
    {
        var result = new List<ConntrackFilter>();
        if (!_services.Trusted && _services.LoadBalancers.Count == 0)
        {
            return result;
        }

        foreach (var id in _services.LoadBalancers.Where(id => !desired.ContainsKey(id)))
        {
            result.AddRange(StaleFlows.Between(_services.Applied(id), null));
        }

        foreach (var (id, rendering) in desired)
        {
            if (_services.Applied(id) is not { } old || !old.Equals(rendering))
            {
                result.AddRange(StaleFlows.Between(_services.Applied(id), rendering));
            }
        }

        return result;
    }

    /// <summary>Loads the persisted objects into the object layer (IDs, MACs and attachments as they were).</summary>
    private async Task RestoreAsync(CancellationToken cancellationToken)
    {
        DeleteLeftoverTempFiles();
        // An object that cannot be re-created is logged and skipped: the rest of the node's pods still come back.
        await _objects.LoadAsync((kind, id, ex) => LogRestoreFailed(kind, id, ex.Message), cancellationToken).ConfigureAwait(false);
        foreach (var (id, json) in _store.GetLoadedExtension(BindingsKind))
        {
            if (json.Deserialize(KernelJsonContext.Default.NamespaceBinding) is { } binding)
            {
                _bindings[id] = binding;
            }
        }

        var networks = await _objects.EnumerateNetworksAsync(null, cancellationToken).ConfigureAwait(false);
        var endpoints = await _objects.EnumerateEndpointsAsync(null, cancellationToken).ConfigureAwait(false);
        var namespaces = await _objects.EnumerateNamespacesAsync(null, cancellationToken).ConfigureAwait(false);
        var loadBalancers = await _objects.EnumerateLoadBalancersAsync(null, cancellationToken).ConfigureAwait(false);
        var routes = await _objects.EnumerateSdnRoutesAsync(null, cancellationToken).ConfigureAwait(false);
        foreach (var ns in namespaces.Where(n => !_bindings.ContainsKey(n.Id)))
        {
            _bindings[ns.Id] = new NamespaceBinding(HostNetnsPath, Owned: false, IsHost: true);
        }

        if (networks.Count + endpoints.Count + namespaces.Count + loadBalancers.Count + routes.Count > 0)
        {
            LogRestored(networks.Count, endpoints.Count, namespaces.Count, loadBalancers.Count, routes.Count, _options.StateDirectory);
        }
    }

    /// <summary>
    /// Deletes the <c>*.json.tmp</c> files a writer killed mid-write or stopped by a full disk left in the state
    /// directory (the store's snapshot temp file, the per-object layout's <c>&lt;kind&gt;/&lt;id&gt;.json.tmp</c>):
    /// nothing reads them, and on a full disk they hold the very space that ran out.
    /// </summary>
    private void DeleteLeftoverTempFiles()
    {
        if (!Directory.Exists(_options.StateDirectory))
        {
            return;
        }

        foreach (var file in Directory.EnumerateFiles(_options.StateDirectory, "*.json.tmp", SearchOption.AllDirectories))
        {
            try
            {
                File.Delete(file);
                LogTempFileDeleted(file);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogTempFileNotDeleted(file, ex.Message);
            }
        }
    }

    [LoggerMessage(EventId = 2690, Level = LogLevel.Information, Message = "Deleted {TempFile}, left by a write that did not finish (a kill or a full disk)")]
    private partial void LogTempFileDeleted(string tempFile);

    [LoggerMessage(EventId = 2691, Level = LogLevel.Warning, Message = "Could not delete the leftover {TempFile}: {Reason}")]
    private partial void LogTempFileNotDeleted(string tempFile, string reason);

    /// <summary>
    /// Makes the kernel match every object: networks (adopting existing devices), local endpoints (wincni veths no
    /// endpoint owns are deleted; each attachment is checked against the kernel, in the pod's namespace too, and
    /// repaired, or dropped when its namespace is gone; a detached endpoint keeps its pair in the host), SDN routes, and
    /// all nftables tables (stale wincni tables are dropped).
    /// </summary>
    private async Task RealizeAllAsync(CancellationToken cancellationToken)
    {
        var networks = await _objects.EnumerateNetworksAsync(null, cancellationToken).ConfigureAwait(false);
        foreach (var network in networks)
        {
            TryKernel("network", network.Id, () => RealizeNetwork(network));
        }

        var layouts = networks.ToDictionary(n => n.Id, NetworkLayout.From);
        var endpoints = (await _objects.EnumerateEndpointsAsync(null, cancellationToken).ConfigureAwait(false)).Where(e => !IsRemote(e)).ToList();

        // Pairs no endpoint owns first: one of them may hold the name an endpoint's interface needs in its pod.
        TryKernel("endpoint", Guid.Empty, () => RemoveStaleLinks(endpoints, layouts.Values));
        foreach (var endpoint in endpoints)
        {
            if (!layouts.TryGetValue(endpoint.HostComputeNetwork, out var layout))
            {
                continue;
            }

            if (endpoint.HostComputeNamespace != Guid.Empty && _bindings.TryGetValue(endpoint.HostComputeNamespace, out var attachedTo))
            {
                // The records are not trusted over the kernel: each attachment is checked and repaired (or dropped).
                await VerifyAttachmentAtStartAsync(endpoint, attachedTo, layout).ConfigureAwait(false);
            }
            else
            {
                TryKernel("endpoint", endpoint.Id, () => RealizeEndpoint(endpoint, layout));
            }
        }

        var routes = await AllRoutesAsync().ConfigureAwait(false);
        TryKernel("route", Guid.Empty, () => ApplyHostRoutes(new HashSet<Netlink.RouteSpec>(), HostRoutes(routes)));

        // Whatever is in the kernel now counts as stale: every wanted table is rewritten and every other wincni
        // table dropped, in one batch.
        _appliedTables.Clear();
        var existing = await _nft.ListTablesAsync(DeviceNames.TablePrefix, cancellationToken).ConfigureAwait(false);
        var existing6 = await _nft.ListTablesAsync(DeviceNames.TablePrefix, cancellationToken, NftFamily.Ip6).ConfigureAwait(false);
        foreach (var table in existing.Where(t => t != ServiceRenderer.Table))
        {
            _appliedTables[table] = string.Empty;
        }

        foreach (var table in existing6.Where(t => t != ServiceRenderer.Table))
        {
            _appliedTables[NftFamily.Ip6.Qualify(table)] = string.Empty;
        }

        // The services tables are rendered whole once here; from then on only load balancers that change are sent.
        _services.Invalidate(tableExists: existing.Contains(ServiceRenderer.Table));
        _services6.Invalidate(tableExists: existing6.Contains(ServiceRenderer.Table));

        await SyncNftablesAsync(full: true, networkTables: true, cancellationToken).ConfigureAwait(false);

        // A full snapshot: bindings defaulted on restore, and a node upgraded from per-object files is now in this format.
        await _store.CompactAsync(CancellationToken.None).ConfigureAwait(false);
    }
}
