using System.Collections.Concurrent;
using System.Net;
using Cni.Hcn;
using Cni.Hcn.Errors;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;
using Microsoft.Extensions.Logging;

namespace Cni.Node.Services;

/// <summary>
/// The service proxy's apply engine: level-triggered, like <c>PeerRouteReconciler</c>. A resync pass reads the
/// network's endpoints and every load balancer from HCN once, resolves each desired load balancer's backends to
/// endpoint IDs, and writes only what differs from HCN: so an LB deleted out of band comes back at the next resync,
/// and a restart with nothing changed writes nothing (winkernel deletes every LB at start and never re-checks an
/// applied one, kubernetes pkg/proxy/winkernel/proxier.go). An event-driven pass (<see cref="LoadBalancerPassInput.Resync"/>
/// false) lists nothing: it plans against the last listing plus its own writes since (<see cref="LoadBalancerHcnView"/>),
/// and only the Services whose translation is not the instance the last pass settled (<see cref="ServicePlanState"/>),
/// so one changed Service costs its own objects' writes and work in proportion to it, not a listing and a walk over
/// 40,000 load balancers.
/// </summary>
/// <remarks>
/// Ownership is by ID: load balancers under <see cref="LoadBalancerIds"/>, remote endpoints under
/// <see cref="RemoteEndpointIds"/>; everything else in HCN is read (a foreign endpoint with a backend's IP is used)
/// but never changed. Order within a pass, so no load balancer ever points at a deleted endpoint:
/// remote endpoints are created first; then load balancers nothing wants are deleted (freeing their frontends);
/// then owned remote endpoints whose provider address is wrong (the owning Node's address changed, the IP moved to
/// another node, the network is no longer Overlay) are deleted and created again under the same ID, which drops them
/// from every load balancer, so the load balancers that had them are planned again; then load balancers are created
/// or changed; last, owned remote endpoints no load balancer in HCN refers to and no desired one needs are deleted.
/// Writes run with bounded parallelism, each object isolated: a failure is reported, backs off per key, and never
/// stops the others.
/// </remarks>
public sealed partial class LoadBalancerReconciler
{
    /// <summary>How the key of a remote endpoint's <see cref="ObjectFailure"/> starts (then the backend's IP).</summary>
    public const string RemoteKeyPrefix = "remote-endpoint/";
    private const string OrphanKeyPrefix = "orphan-load-balancer/";
    private const string CommitKey = "dataplane-commit";

    /// <summary>Load balancers to plan below which one thread does it (fanning out costs more than it saves).</summary>
    private const int ParallelPlanningMinimum = 1024;

    private readonly IHcn _hcn;
    private readonly LoadBalancerReconcilerOptions _options;
    private readonly ILogger _logger;
    private readonly KeyedBackoff _backoff;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool? _modifyByVersion;
    private volatile bool _modifyRefused;

    // HCN as the engine last listed it plus its own writes since; null: the next pass lists (none yet, or a write or listing failed).
    private LoadBalancerHcnView? _view;

    // Per Service (by name), its plans as the last pass left them: reused as they are by an event-driven pass while
    // the Service's translation is the same instance. Valid only together with _view.
    private Dictionary<string, ServicePlanState> _states = new(StringComparer.Ordinal);

    // The last pass's input and its states, position by position: an unchanged Service is found without a lookup.
    private IReadOnlyList<ServiceTranslation> _previousInput = [];
    private ServicePlanState[] _previousStates = [];

    // What the backends were resolved against; a difference re-plans everything.
    private (Guid NetworkId, bool Overlay, IPAddress? LocalProviderAddress, Dictionary<string, IPAddress> ProviderAddresses)? _resolvedWith;

    /// <summary>Creates the engine.</summary>
    /// <param name="hcn">The dataplane.</param>
    /// <param name="options">Parallelism, backoff, and whether the dataplane takes load balancers without backends.</param>
    /// <param name="time">The clock for backoff.</param>
    /// <param name="logger">The log.</param>
    public LoadBalancerReconciler(IHcn hcn, LoadBalancerReconcilerOptions options, TimeProvider time, ILogger<LoadBalancerReconciler> logger)
    {
        ArgumentNullException.ThrowIfNull(hcn);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxParallelWrites);
        _hcn = hcn;
        _options = options;
        _logger = logger;
        _backoff = new KeyedBackoff(time, options.InitialBackoff, options.MaxBackoff);
    }

    /// <summary>Makes HCN's load balancers and remote endpoints match <paramref name="input"/>.</summary>
    /// <returns>What the pass did, per object and per Service.</returns>
    /// <exception cref="HcnException">Listing HCN's endpoints or load balancers failed: nothing was written; the caller retries the pass.</exception>
    public async Task<LoadBalancerPassReport> ReconcileAsync(LoadBalancerPassInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await ReconcileCoreAsync(input, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // A pass that did not finish leaves HCN in a state the view may not match: the next one lists.
            _view = null;
            throw;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<LoadBalancerPassReport> ReconcileCoreAsync(LoadBalancerPassInput input, CancellationToken cancellationToken)
    {
        var reads = 0;
        var writes = 0;
        var writeFailed = false;

        // The version decides Modify vs delete + create; a NotImplemented answer later turns Modify off for good.
        if (_modifyByVersion is null)
        {
            reads++;
            _modifyByVersion = (await _hcn.GetFeaturesAsync(cancellationToken).ConfigureAwait(false)).ModifyLoadBalancer;
        }

        // Provider addresses or the network changed: every backend may resolve differently, so everything is planned.
        var planAll = !SameResolution(input);
        var listed = input.Resync || _view is null || _view.NetworkId != input.NetworkId;
        if (listed)
        {
            _view = null;
            var endpoints = await _hcn.EnumerateEndpointsAsync(HostComputeQuery.EndpointsOfNetwork(input.NetworkId), cancellationToken).ConfigureAwait(false);
            var listing = await _hcn.EnumerateLoadBalancersAsync(null, cancellationToken).ConfigureAwait(false);
            reads += 2;

            // Everything is compared with what HCN holds now: nothing planned earlier is taken on trust.
            _view = LoadBalancerHcnView.From(input.NetworkId, endpoints, listing);
            _states = new(StringComparer.Ordinal);
            planAll = true;
        }

        var view = _view!;
        var work = Changed(input, planAll, out var states, out var previous, out var removed);
        if (!listed && NeedsEndpointListing(input, work, view))
        {
            // A local backend the view does not know: its pod's endpoint was made since the last listing (the CNI
            // creates it before the pod can be ready). Services that resolved a changed address are planned again.
            var endpoints = await _hcn.EnumerateEndpointsAsync(HostComputeQuery.EndpointsOfNetwork(input.NetworkId), cancellationToken).ConfigureAwait(false);
            reads++;
            AddResolvedAgainst(view.ReplaceEndpoints(endpoints), input, states, work);
        }

        var (vipEnsure, vipDelete) = PlanVips(input, CountVips(input, planAll, work, removed, view), view);
        var (plans, servicePlans, byId) = Plan(input, work, view);
        var failures = new ConcurrentBag<ObjectFailure>();

        // One dataplane transaction for the pass where the dataplane can make one (KernelHcn: one nftables transaction
        // per sync, as kube-proxy's nftables mode; HNS has none, and each write is real when it returns).
        using var batch = _hcn.BeginWriteBatch();

        // Owned remote endpoints whose provider address is not what their backend resolves to now: replaced in step 3.
        var stale = StaleRemotes(plans, view);

        // 1. Remote endpoints the written load balancers need, before any load balancer refers to them.
        List<LoadBalancerPlan> toWrite = [.. plans.Where(p => p.NeedsWrite)];
        var missingRemotes = toWrite
            .SelectMany(p => p.Remotes)
            .Where(r => !view.OwnedRemote.ContainsKey(r.Key))
            .GroupBy(r => r.Key)
            .Select(g => g.First())
            .ToList();
        var unavailable = new ConcurrentDictionary<IPAddress, string>();
        var createdRemotes = new ConcurrentBag<(IPAddress Address, Guid Id, IPAddress? ProviderAddress)>();
        await RunAsync(missingRemotes, async (remote, ct) =>
        {
            var key = RemoteKeyPrefix + remote.Key;
            if (_backoff.NotBefore(key) is { } retryAt)
            {
                unavailable[remote.Key] = $"remote endpoint {remote.Key} failed earlier; retried after {retryAt:O}";
                failures.Add(new ObjectFailure(key, unavailable[remote.Key], retryAt));
                return;
            }

            try
            {
                var endpoint = RemoteEndpoint(remote.Key, remote.Value, input.NetworkId);
                Interlocked.Increment(ref writes);
                await _hcn.CreateEndpointAsync(input.NetworkId, endpoint, ct).ConfigureAwait(false);
                createdRemotes.Add((remote.Key, endpoint.Id, remote.Value));
                _backoff.Succeeded(key);
                Log.RemoteEndpointCreated(_logger, remote.Key.ToString(), remote.Value?.ToString() ?? "-");
            }
            catch (Exception ex) when (IsObjectFailure(ex, ct))
            {
                var message = $"remote endpoint {remote.Key} ({RemoteEndpointIds.IdOf(remote.Key):D}): {ex.Message}";
                unavailable[remote.Key] = message;
                failures.Add(Fail(key, message, ex));
                writeFailed = true;
            }
        }, cancellationToken).ConfigureAwait(false);

        // Overlay: each cluster IP's VIP endpoint, before its load balancers (as winkernel orders them).
        var vipsCreated = 0;
        if (vipEnsure.Count > 0)
        {
            var (created, vipWrites, vipFailed) = await EnsureVipsAsync(vipEnsure, input, view, failures, cancellationToken).ConfigureAwait(false);
            vipsCreated = created;
            writes += vipWrites;
            writeFailed |= vipFailed;
        }

        // Endpoints whose last reference may go this pass: candidates for deletion at the end.
        var released = new HashSet<Guid>();
        foreach (var (address, id, providerAddress) in createdRemotes)
        {
            view.SetRemote(address, id, providerAddress);
            released.Add(id);
        }

        MarkUnavailable(toWrite, unavailable);

        // 2. Owned load balancers nothing wants (any more, or as a load balancer): deleted first, freeing their frontends.
        var undesired = Undesired(view, byId, listed, previous, removed);
        var deletedIds = new ConcurrentDictionary<Guid, bool>();
        await RunAsync(undesired, async (item, ct) =>
        {
            var (lb, key) = item;
            if (_backoff.NotBefore(key) is { } retryAt)
            {
                failures.Add(new ObjectFailure(key, $"deleting load balancer {key} ({lb.Id:D}) failed earlier; retried after {retryAt:O}", retryAt));
                return;
            }

            try
            {
                Interlocked.Increment(ref writes);
                await _hcn.DeleteLoadBalancerAsync(lb.Id, ct).ConfigureAwait(false);
                deletedIds[lb.Id] = true;
                _backoff.Succeeded(key);

                Log.LoadBalancerDeleted(_logger, key, lb.Id);
            }
            catch (HcnException ex) when (ex.IsNotFound)
            {
                deletedIds[lb.Id] = true;
            }
            catch (Exception ex) when (IsObjectFailure(ex, ct))
            {
                failures.Add(Fail(key, $"deleting load balancer {key} ({lb.Id:D}): {ex.Message}", ex));
                writeFailed = true;
            }
        }, cancellationToken).ConfigureAwait(false);

        foreach (var id in deletedIds.Keys)
        {
            Release(released, view.RemoveLoadBalancer(id));
        }

        // 3. Owned remote endpoints with the wrong provider address: HCN cannot change that policy of an endpoint, so
        //    each is deleted and created again under its ID, right before the load balancers are written, because
        //    the delete drops it from every load balancer: the Services that referred to it are planned again, so
        //    step 4 puts it back into each of them.
        var replaced = 0;
        if (stale.Count > 0)
        {
            var outcome = await ReplaceRemotesAsync(stale, input.NetworkId, view, failures, unavailable, cancellationToken).ConfigureAwait(false);
            replaced = outcome.Replaced;
            writes += outcome.Writes;
            writeFailed |= outcome.Failed;
            if (outcome.Deleted.Count > 0)
            {
                AddResolvedAgainst(outcome.Deleted, input, states, work);
                (plans, servicePlans, byId) = Plan(input, work, view);
                toWrite = [.. plans.Where(p => p.NeedsWrite)];
                MarkUnavailable(toWrite, unavailable);
            }

            foreach (var plan in plans)
            {
                if ((plan.Outcome is null or LoadBalancerOutcome.Unchanged)
                    && plan.Remotes.Where(r => outcome.Kept.ContainsKey(r.Key)).Select(r => outcome.Kept[r.Key]).ToList() is { Count: > 0 } kept)
                {
                    // Left as HCN has it (the endpoint with its old provider address) and planned again by every pass until replaced.
                    plan.Finish(LoadBalancerOutcome.Failed, string.Join("; ", kept), written: false);
                }
            }
        }

        // 4. Create or change each load balancer that differs from HCN.
        await RunAsync(toWrite.Where(p => p.Outcome is null).ToList(), async (plan, ct) =>
        {
            Interlocked.Add(ref writes, await WriteAsync(plan, failures, ct).ConfigureAwait(false));
            if (plan.Outcome == LoadBalancerOutcome.Failed)
            {
                writeFailed = true;
            }
        }, cancellationToken).ConfigureAwait(false);

        if (listed)
        {
            // The listed object and the target are equal; keep one (the target, which the settled plan holds too).
            foreach (var plan in plans)
            {
                if (plan.Outcome == LoadBalancerOutcome.Unchanged && plan.Target is not null)
                {
                    view.SetLoadBalancer(plan.Target);
                }
            }
        }

        foreach (var plan in toWrite)
        {
            if (plan.Outcome is LoadBalancerOutcome.Created or LoadBalancerOutcome.Modified or LoadBalancerOutcome.Recreated)
            {
                Release(released, view.SetLoadBalancer(plan.Target!));
            }
            else if (plan.Outcome == LoadBalancerOutcome.Failed && plan.Written)
            {
                // A failed recreate deleted it (and the next pass lists anyway).
                Release(released, view.RemoveLoadBalancer(plan.Desired.Id));
            }
        }

        // 5. Owned remote endpoints that no load balancer left in HCN refers to, and no desired one not yet in HCN
        //    needs: on a resync every one, otherwise those whose references this pass removed (nothing else changed).
        var pending = new HashSet<Guid>();
        foreach (var plan in plans)
        {
            if (plan.Outcome is LoadBalancerOutcome.Failed or LoadBalancerOutcome.BackingOff && plan.Target is not null)
            {
                pending.UnionWith(plan.Target.HostComputeEndpoints ?? []);
            }
        }

        var unused = new List<KeyValuePair<IPAddress, Guid>>();
        if (listed)
        {
            unused.AddRange(view.OwnedRemote.Where(r => !view.IsReferenced(r.Value) && !pending.Contains(r.Value)));
        }
        else
        {
            foreach (var id in released)
            {
                if (!view.IsReferenced(id) && !pending.Contains(id) && view.TryGetRemoteAddress(id, out var address))
                {
                    unused.Add(KeyValuePair.Create(address, id));
                }
            }
        }

        var deletedRemotes = new ConcurrentBag<IPAddress>();
        await RunAsync(unused, async (remote, ct) =>
        {
            var key = RemoteKeyPrefix + remote.Key;
            try
            {
                Interlocked.Increment(ref writes);
                await _hcn.DeleteEndpointIfExistsAsync(remote.Value, ct).ConfigureAwait(false);
                deletedRemotes.Add(remote.Key);
                _backoff.Succeeded(key);
                Log.RemoteEndpointDeleted(_logger, remote.Key.ToString());
            }
            catch (Exception ex) when (IsObjectFailure(ex, ct))
            {
                failures.Add(Fail(key, $"deleting remote endpoint {remote.Key} ({remote.Value:D}): {ex.Message}", ex));
                writeFailed = true;
            }
        }, cancellationToken).ConfigureAwait(false);

        foreach (var address in deletedRemotes)
        {
            view.RemoveRemote(address);
        }

        var vipsDeleted = 0;
        if (vipDelete.Count > 0)
        {
            var (deleted, vipWrites, vipFailed) = await DeleteVipsAsync(vipDelete, view, failures, cancellationToken).ConfigureAwait(false);
            vipsDeleted = deleted;
            writes += vipWrites;
            writeFailed |= vipFailed;
        }

        try
        {
            await batch.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsObjectFailure(ex, cancellationToken))
        {
            // The objects are in HCN's model; the dataplane realizes them with its next commit, and the next pass lists.
            failures.Add(Fail(CommitKey, "realizing this pass's writes in the dataplane: " + ex.Message, ex));
            writeFailed = true;
        }

        var report = Report(input, servicePlans, states, plans, deletedIds.Count, createdRemotes.Count, deletedRemotes.Count, failures) with
        {
            RemoteEndpointsReplaced = replaced,
            VipEndpointsCreated = vipsCreated,
            VipEndpointsDeleted = vipsDeleted,
            Listed = listed,
            HcnReads = reads,
            HcnWrites = writes,
        };
        Settle(input, work, servicePlans, states, removed);
        if (writeFailed)
        {
            // HCN may hold part of a failed write: the next pass lists rather than trusting the view.
            _view = null;
        }

        if (!_backoff.IsEmpty)
        {
            ForgetGone(view, failures);
        }

        return report;
    }

    private static void Release(HashSet<Guid> released, HostComputeLoadBalancer? old) => released.UnionWith(old?.HostComputeEndpoints ?? []);

    /// <summary>Fails every plan to write that needs a remote endpoint HCN does not have: HCN keeps what it had (the backend set stays whole) until it exists.</summary>
    private static void MarkUnavailable(List<LoadBalancerPlan> toWrite, ConcurrentDictionary<IPAddress, string> unavailable)
    {
        if (unavailable.IsEmpty)
        {
            return;
        }

        foreach (var plan in toWrite)
        {
            var missing = plan.Remotes.Where(r => unavailable.ContainsKey(r.Key)).Select(r => unavailable[r.Key]).ToList();
            if (missing.Count > 0)
            {
                plan.Finish(LoadBalancerOutcome.Failed, string.Join("; ", missing), written: false);
            }
        }
    }

    /// <summary>
    /// Owned remote endpoints of the planned backends whose provider address in HCN is not the one resolved now
    /// (overlay: the owning Node's; l2bridge: none), by address, with the wanted one. Backends of several Services
    /// that disagree (their slices name different nodes for a moment) get the first; the next pass settles it.
    /// </summary>
    private static Dictionary<IPAddress, IPAddress?> StaleRemotes(List<LoadBalancerPlan> plans, LoadBalancerHcnView view)
    {
        var stale = new Dictionary<IPAddress, IPAddress?>();
        foreach (var plan in plans)
        {
            foreach (var (address, providerAddress) in plan.Remotes)
            {
                if (view.OwnedRemote.ContainsKey(address) && !Equals(view.RemoteProviderAddress(address), providerAddress))
                {
                    stale.TryAdd(address, providerAddress);
                }
            }
        }

        return stale;
    }

    /// <summary>
    /// Deletes and creates again each remote endpoint of <paramref name="stale"/> with its new provider address, and
    /// records in <paramref name="view"/> what HCN did: the deleted ones left every load balancer.
    /// </summary>
    private async Task<RemoteReplacement> ReplaceRemotesAsync(
        Dictionary<IPAddress, IPAddress?> stale,
        Guid networkId,
        LoadBalancerHcnView view,
        ConcurrentBag<ObjectFailure> failures,
        ConcurrentDictionary<IPAddress, string> unavailable,
        CancellationToken cancellationToken)
    {
        var kept = new ConcurrentDictionary<IPAddress, string>();
        var deleted = new ConcurrentDictionary<IPAddress, Guid>();
        var created = new ConcurrentBag<(IPAddress Address, Guid Id, IPAddress? ProviderAddress)>();
        var writes = 0;
        var failed = false;
        await RunAsync(stale.ToList(), async (remote, ct) =>
        {
            var (address, wanted) = remote;
            var key = RemoteKeyPrefix + address;
            var id = view.OwnedRemote[address];
            var had = view.RemoteProviderAddress(address);
            var change = $"remote endpoint {address} ({id:D}) has provider address {had?.ToString() ?? "none"}, wants {wanted?.ToString() ?? "none"}";
            if (_backoff.NotBefore(key) is { } retryAt)
            {
                kept[address] = $"{change}; replacing it failed earlier, retried after {retryAt:O}";
                failures.Add(new ObjectFailure(key, kept[address], retryAt));
                return;
            }

            try
            {
                Interlocked.Increment(ref writes);
                await _hcn.DeleteEndpointIfExistsAsync(id, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsObjectFailure(ex, ct))
            {
                kept[address] = $"{change}; deleting it: {ex.Message}";
                failures.Add(Fail(key, kept[address], ex));
                failed = true;
                return;
            }

            deleted[address] = id;
            try
            {
                var endpoint = RemoteEndpoint(address, wanted, networkId);
                Interlocked.Increment(ref writes);
                await _hcn.CreateEndpointAsync(networkId, endpoint, ct).ConfigureAwait(false);
                created.Add((address, endpoint.Id, wanted));
                _backoff.Succeeded(key);
                Log.RemoteEndpointReplaced(_logger, address.ToString(), had?.ToString() ?? "-", wanted?.ToString() ?? "-");
            }
            catch (Exception ex) when (IsObjectFailure(ex, ct))
            {
                // Deleted but not back: the load balancers that had it are not written without it (step 4 leaves them as HCN has them now).
                unavailable[address] = $"{change}; deleted, creating it again: {ex.Message}";
                failures.Add(Fail(key, unavailable[address], ex));
                failed = true;
            }
        }, cancellationToken).ConfigureAwait(false);

        if (!deleted.IsEmpty)
        {
            view.DropBackends(deleted.Values.ToHashSet());
            foreach (var address in deleted.Keys)
            {
                view.RemoveRemote(address);
            }

            foreach (var (address, id, providerAddress) in created)
            {
                view.SetRemote(address, id, providerAddress);
            }
        }

        return new RemoteReplacement(created.Count, [.. deleted.Keys], new Dictionary<IPAddress, string>(kept), writes, failed);
    }

    /// <summary>Whether the backends would resolve as they did last pass (same network, mode and provider addresses).</summary>
    private bool SameResolution(LoadBalancerPassInput input)
    {
        var same = _resolvedWith is { } last
            && last.NetworkId == input.NetworkId
            && last.Overlay == input.Overlay
            && Equals(last.LocalProviderAddress, input.LocalProviderAddress)
            && last.ProviderAddresses.Count == input.ProviderAddresses.Count
            && input.ProviderAddresses.All(p => last.ProviderAddresses.TryGetValue(p.Key, out var address) && address.Equals(p.Value));
        if (!same)
        {
            _resolvedWith = (input.NetworkId, input.Overlay, input.LocalProviderAddress, new Dictionary<string, IPAddress>(input.ProviderAddresses, StringComparer.Ordinal));
        }

        return same;
    }

    /// <summary>
    /// The positions of the Services to plan: all of them, or those whose translation is not the instance the last
    /// pass settled (or did not settle). <paramref name="states"/> gets the reusable state of every other one;
    /// <paramref name="removed"/> the states of Services no longer in the input.
    /// </summary>
    private List<int> Changed(
        LoadBalancerPassInput input, bool planAll, out ServicePlanState?[] states, out List<ServicePlanState> previous, out List<ServicePlanState> removed)
    {
        var services = input.Services;
        states = new ServicePlanState?[services.Count];
        previous = [];
        removed = [];
        var work = new List<int>();
        var known = 0;
        for (var i = 0; i < services.Count; i++)
        {
            var translation = services[i];
            var state = i < _previousStates.Length && ReferenceEquals(_previousInput[i], translation)
                ? _previousStates[i]
                : _states.GetValueOrDefault(translation.Service);
            known += state is null ? 0 : 1;
            if (!planAll && state is not null && state.Settled && ReferenceEquals(state.Translation, translation))
            {
                states[i] = state;
            }
            else
            {
                work.Add(i);
                if (state is not null)
                {
                    previous.Add(state);
                }
            }
        }

        if (known < _states.Count)
        {
            // Some Service is gone (rare): find which, by name.
            var names = services.Select(s => s.Service).ToHashSet(StringComparer.Ordinal);
            removed.AddRange(_states.Values.Where(s => !names.Contains(s.Translation.Service)));
        }

        return work;
    }

    /// <summary>Whether a load balancer to be planned has a local backend the view has no endpoint for.</summary>
    private static bool NeedsEndpointListing(LoadBalancerPassInput input, List<int> work, LoadBalancerHcnView view)
    {
        foreach (var i in work)
        {
            foreach (var desired in input.Services[i].LoadBalancers)
            {
                foreach (var backend in desired.Backends)
                {
                    if (backend.IsLocal && !view.Foreign.ContainsKey(backend.Address))
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    /// <summary>Adds to <paramref name="work"/> every reused Service with a backend among <paramref name="addresses"/> (its endpoint appeared, vanished or changed).</summary>
    private static void AddResolvedAgainst(HashSet<IPAddress> addresses, LoadBalancerPassInput input, ServicePlanState?[] states, List<int> work)
    {
        if (addresses.Count == 0)
        {
            return;
        }

        for (var i = 0; i < states.Length; i++)
        {
            if (states[i] is not null && input.Services[i].LoadBalancers.Any(lb => lb.Backends.Any(b => addresses.Contains(b.Address))))
            {
                states[i] = null;
                work.Add(i);
            }
        }
    }

    /// <summary>Plans the load balancers of the Services at <paramref name="work"/>.</summary>
    private (List<LoadBalancerPlan> Plans, Dictionary<int, LoadBalancerPlan[]> ByService, Dictionary<Guid, LoadBalancerPlan> ById) Plan(
        LoadBalancerPassInput input, List<int> work, LoadBalancerHcnView view)
    {
        // Each distinct load balancer once (two Services can want the same one), in the order the Services give them.
        var unique = new List<DesiredLoadBalancer>();
        var seen = new HashSet<Guid>();
        foreach (var i in work)
        {
            foreach (var desired in input.Services[i].LoadBalancers)
            {
                if (seen.Add(desired.Id))
                {
                    unique.Add(desired);
                }
            }
        }

        // Planning one reads only the view and the translation: the first pass (40,000 load balancers at 10,000
        // Services) plans on every core. Remote endpoint IDs are SHA-256s of the address, and a backend is in every
        // load balancer of its Service: each is computed once per pass.
        var planned = new LoadBalancerPlan[unique.Count];
        var remoteIds = new ConcurrentDictionary<IPAddress, Guid>();
        if (unique.Count >= ParallelPlanningMinimum)
        {
            Parallel.For(0, unique.Count, j => planned[j] = PlanOne(unique[j], view.OwnedLoadBalancers.GetValueOrDefault(unique[j].Id), input, view, remoteIds));
        }
        else
        {
            for (var j = 0; j < unique.Count; j++)
            {
                planned[j] = PlanOne(unique[j], view.OwnedLoadBalancers.GetValueOrDefault(unique[j].Id), input, view, remoteIds);
            }
        }

        var plans = new List<LoadBalancerPlan>(planned);
        var byId = new Dictionary<Guid, LoadBalancerPlan>(planned.Length);
        foreach (var plan in planned)
        {
            byId[plan.Desired.Id] = plan;
        }

        var byService = new Dictionary<int, LoadBalancerPlan[]>(work.Count);
        foreach (var i in work)
        {
            var desiredSet = input.Services[i].LoadBalancers;
            var servicePlans = new LoadBalancerPlan[desiredSet.Count];
            for (var d = 0; d < servicePlans.Length; d++)
            {
                servicePlans[d] = byId[desiredSet[d].Id];
            }

            byService[i] = servicePlans;
        }

        return (plans, byService, byId);
    }

    /// <summary>
    /// Owned load balancers in the view that no plan wants as a load balancer: on a resync every such one (orphans
    /// included); otherwise those of the planned and removed Services (nothing else in the view changed since).
    /// </summary>
    private List<(HostComputeLoadBalancer LoadBalancer, string Key)> Undesired(
        LoadBalancerHcnView view, Dictionary<Guid, LoadBalancerPlan> byId, bool listed, List<ServicePlanState> previous, List<ServicePlanState> removed)
    {
        bool Wanted(Guid id) => byId.TryGetValue(id, out var plan) && plan.Target is not null;
        if (listed)
        {
            return [.. view.OwnedLoadBalancers.Values
                .Where(lb => !Wanted(lb.Id))
                .Select(lb => (lb, byId.TryGetValue(lb.Id, out var plan) ? plan.Desired.Key.Value : OrphanKeyPrefix + lb.Id.ToString("D")))];
        }

        var candidates = new Dictionary<Guid, string>();
        foreach (var plan in byId.Values.Concat(previous.Concat(removed).SelectMany(s => s.Plans)))
        {
            candidates.TryAdd(plan.Desired.Id, plan.Desired.Key.Value);
        }

        return [.. candidates
            .Where(c => !Wanted(c.Key) && view.OwnedLoadBalancers.ContainsKey(c.Key))
            .Select(c => (view.OwnedLoadBalancers[c.Key], c.Value))];
    }

    /// <summary>Keeps each Service's plans for the next pass, written ones settled to Unchanged.</summary>
    private void Settle(LoadBalancerPassInput input, List<int> work, Dictionary<int, LoadBalancerPlan[]> servicePlans, ServicePlanState?[] states, List<ServicePlanState> removed)
    {
        foreach (var state in removed)
        {
            _states.Remove(state.Translation.Service);
        }

        foreach (var i in work)
        {
            var translation = input.Services[i];
            var settled = servicePlans[i]
                .Select(p => p.Outcome is LoadBalancerOutcome.Created or LoadBalancerOutcome.Modified or LoadBalancerOutcome.Recreated or LoadBalancerOutcome.Unchanged && p.Target is not null ? p.Settled() : p)
                .ToArray();
            var state = new ServicePlanState(translation, settled);
            _states[translation.Service] = state;
            states[i] = state;
        }

        _previousInput = input.Services;
        _previousStates = states!;
    }

    private LoadBalancerPlan PlanOne(
        DesiredLoadBalancer desired, HostComputeLoadBalancer? actual, LoadBalancerPassInput input, LoadBalancerHcnView view, ConcurrentDictionary<IPAddress, Guid> remoteIds)
    {
        var plan = new LoadBalancerPlan(desired, actual);
        if (desired.Verdict != LoadBalancerVerdict.Forward)
        {
            if (_options.AcceptsLoadBalancersWithoutBackends)
            {
                plan.Target = HcnLoadBalancerMapper.ToHcnWithoutBackends(desired, input.NetworkId);
            }
            else
            {
                plan.Finish(LoadBalancerOutcome.NotProgrammed,
                    $"{desired.Verdict}: {desired.VerdictReason ?? "no usable endpoint"}; the dataplane cannot hold a load balancer without backends, so none is programmed",
                    written: false);
                return plan;
            }
        }
        else
        {
            Resolve(plan, input, view, remoteIds);
            if (plan.EndpointIds.Count == 0)
            {
                plan.Finish(LoadBalancerOutcome.NotProgrammed, "no backend has an HCN endpoint: " + string.Join("; ", plan.Notes), written: false);
                return plan;
            }

            plan.Target = HcnLoadBalancerMapper.ToHcn(desired, plan.EndpointIds, input.NetworkId);
        }

        if (actual is not null && HcnLoadBalancerMapper.IsCurrent(actual, plan.Target))
        {
            _backoff.Succeeded(desired.Key.Value);
            plan.Finish(LoadBalancerOutcome.Unchanged, null, written: false);
        }
        else if (_backoff.NotBefore(desired.Key.Value) is { } retryAt)
        {
            plan.Finish(LoadBalancerOutcome.BackingOff, $"failed earlier; retried after {retryAt:O}", written: false);
            plan.RetryAt = retryAt;
        }

        return plan;
    }

    private static void Resolve(LoadBalancerPlan plan, LoadBalancerPassInput input, LoadBalancerHcnView inventory, ConcurrentDictionary<IPAddress, Guid> remoteIds)
    {
        foreach (var backend in plan.Desired.Backends)
        {
            // An IP HCN already has (a pod here, or another agent's remote endpoint) is used as is: a remote endpoint
            // beside a local one with the same IP would shadow it (kubernetes pkg/proxy/winkernel/proxier.go, #101358).
            if (inventory.Foreign.TryGetValue(backend.Address, out var existing))
            {
                plan.EndpointIds.Add(existing);
                continue;
            }

            if (backend.IsLocal)
            {
                // The CNI makes local endpoints; one not there yet is left out, as winkernel does (#101680).
                plan.Notes.Add($"local endpoint {backend.Address} is not in HCN");
                continue;
            }

            IPAddress? providerAddress = null;
            if (input.Overlay)
            {
                providerAddress = backend.NodeName is { } node
                    ? input.ProviderAddresses.GetValueOrDefault(node)
                    : input.LocalProviderAddress;
                if (providerAddress is null)
                {
                    plan.Notes.Add(backend.NodeName is null
                        ? $"backend {backend.Address} has no node and this node's provider address is unknown"
                        : $"backend {backend.Address}: the provider address of Node '{backend.NodeName}' is unknown");
                    continue;
                }
            }

            plan.Remotes.Add(KeyValuePair.Create(backend.Address, providerAddress));
            plan.EndpointIds.Add(remoteIds.GetOrAdd(backend.Address, RemoteEndpointIds.IdOf));
        }
    }

    /// <summary>Creates or changes one load balancer; returns the HCN writes attempted.</summary>
    private async Task<int> WriteAsync(LoadBalancerPlan plan, ConcurrentBag<ObjectFailure> failures, CancellationToken cancellationToken)
    {
        var key = plan.Desired.Key.Value;
        var target = plan.Target!;
        var step = "creating";
        var attempted = 1;
        try
        {
            LoadBalancerOutcome outcome;
            if (plan.Actual is null)
            {
                await _hcn.CreateLoadBalancerAsync(target, cancellationToken).ConfigureAwait(false);
                outcome = LoadBalancerOutcome.Created;
            }
            else if (_modifyByVersion == true && !_modifyRefused && await TryModifyAsync(plan, target, cancellationToken).ConfigureAwait(false))
            {
                outcome = LoadBalancerOutcome.Modified;
            }
            else
            {
                // No Modify on this HNS: a short gap per change, as in winkernel without ModifyLoadBalancer.
                step = "deleting (to recreate)";
                attempted += plan.ModifyRefused ? 1 : 0;
                await _hcn.DeleteLoadBalancerAsync(target.Id, cancellationToken).ConfigureAwait(false);
                step = "recreating";
                attempted++;
                await _hcn.CreateLoadBalancerAsync(target, cancellationToken).ConfigureAwait(false);
                outcome = LoadBalancerOutcome.Recreated;
            }

            _backoff.Succeeded(key);
            plan.Finish(outcome, null, written: true);
            Log.LoadBalancerWritten(_logger, key, outcome, target.HostComputeEndpoints?.Count ?? 0);
        }
        catch (Exception ex) when (IsObjectFailure(ex, cancellationToken))
        {
            var failure = Fail(key, $"{step} load balancer {key} ({target.Id:D}): {ex.Message}", ex);
            failures.Add(failure);

            // A failed recreate may have deleted it: then HCN no longer refers to the old backends.
            plan.Finish(LoadBalancerOutcome.Failed, failure.Message, written: step == "recreating");
        }

        return attempted;
    }

    private async Task<bool> TryModifyAsync(LoadBalancerPlan refused, HostComputeLoadBalancer target, CancellationToken cancellationToken)
    {
        try
        {
            await _hcn.ModifyLoadBalancerAsync(target.Id, target, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (HcnException ex) when (ex.IsNotImplemented)
        {
            refused.ModifyRefused = true;
            // The version table said yes but HNS says no: believe HNS from now on (winkernel does the same).
            _modifyRefused = true;
            Log.ModifyUnsupported(_logger, ex.Message);
            return false;
        }
    }

    private ObjectFailure Fail(string key, string message, Exception error)
    {
        var retryAt = _backoff.Failed(key, out var attempts);
        Log.ObjectFailed(_logger, key, retryAt, message);
        return new ObjectFailure(key, message, retryAt) { Attempts = attempts, IsHcnRefusal = error is HcnException { IsTransient: false } };
    }

    /// <summary>Forgets the backoff of objects nothing wants any more (after <see cref="Settle"/>: every Service's plans are in the states).</summary>
    private void ForgetGone(LoadBalancerHcnView inventory, ConcurrentBag<ObjectFailure> failures)
    {
        var plans = _states.Values.SelectMany(s => s.Plans).ToList();
        var live = plans.Select(p => p.Desired.Key.Value)
            .Concat(plans.SelectMany(p => p.Remotes).Select(r => RemoteKeyPrefix + r.Key))
            .Concat(inventory.OwnedRemote.Keys.Select(ip => RemoteKeyPrefix + ip))
            .Concat(inventory.OwnedVip.Keys.Concat(_vipPending).Select(ip => VipKeyPrefix + ip))
            .Concat(failures.Select(f => f.Key))
            .ToHashSet(StringComparer.Ordinal);
        _backoff.Retain(live);
    }

    /// <summary>The pass's report: planned Services from this pass's plans, reused ones from their states.</summary>
    private static LoadBalancerPassReport Report(
        LoadBalancerPassInput input,
        Dictionary<int, LoadBalancerPlan[]> servicePlans,
        ServicePlanState?[] states,
        List<LoadBalancerPlan> plans,
        int deleted,
        int remotesCreated,
        int remotesDeleted,
        ConcurrentBag<ObjectFailure> failures)
    {
        var services = new ServiceProxyStatus[input.Services.Count];
        var unchanged = Count(plans, LoadBalancerOutcome.Unchanged);
        for (var i = 0; i < services.Length; i++)
        {
            if (servicePlans.TryGetValue(i, out var planned))
            {
                services[i] = ServicePlanState.StatusOf(input.Services[i], planned);
            }
            else
            {
                var state = states[i]!;
                services[i] = state.Status();
                unchanged += state.Unchanged;
            }
        }

        var backingOff = plans.Where(p => p.Outcome == LoadBalancerOutcome.BackingOff)
            .Select(p => new ObjectFailure(p.Desired.Key.Value, p.Reason!, p.RetryAt!.Value));
        return new LoadBalancerPassReport(
            Count(plans, LoadBalancerOutcome.Created),
            Count(plans, LoadBalancerOutcome.Modified),
            Count(plans, LoadBalancerOutcome.Recreated),
            deleted,
            unchanged,
            remotesCreated,
            remotesDeleted,
            [.. WithServices(failures, plans).OrderBy(f => f.Key, StringComparer.Ordinal), .. backingOff],
            services);
    }

    /// <summary>
    /// Each HCN refusal with the Services this pass wanted its object for (a remote endpoint: every Service with that
    /// backend). Only refusals are looked up (they become Events), and only their keys are indexed: a pass over 40,000
    /// load balancers with one failure must not build an index of all of them.
    /// </summary>
    private static IEnumerable<ObjectFailure> WithServices(ConcurrentBag<ObjectFailure> failures, List<LoadBalancerPlan> plans)
    {
        var wanted = failures.Where(f => f.IsHcnRefusal).Select(f => f.Key).ToHashSet(StringComparer.Ordinal);
        if (wanted.Count == 0)
        {
            return failures;
        }

        var byKey = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        void Add(string key, ServicePortName port)
        {
            if (!wanted.Contains(key))
            {
                return;
            }

            if (!byKey.TryGetValue(key, out var set))
            {
                byKey[key] = set = new SortedSet<string>(StringComparer.Ordinal);
            }

            set.Add(port.Namespace + "/" + port.Name);
        }

        foreach (var plan in plans)
        {
            Add(plan.Desired.Key.Value, plan.Desired.Port);
            foreach (var remote in plan.Remotes)
            {
                Add(RemoteKeyPrefix + remote.Key, plan.Desired.Port);
            }
        }

        return failures.Select(f => byKey.TryGetValue(f.Key, out var set) ? f with { Services = [.. set] } : f);
    }

    private static int Count(List<LoadBalancerPlan> plans, LoadBalancerOutcome outcome) => plans.Count(p => p.Outcome == outcome);

    private static HostComputeEndpoint RemoteEndpoint(IPAddress address, IPAddress? providerAddress, Guid networkId) => new()
    {
        Id = RemoteEndpointIds.IdOf(address),
        Name = RemoteEndpointIds.NameOf(address),
        HostComputeNetwork = networkId,
        Flags = EndpointFlags.RemoteEndpoint,
        MacAddress = RemoteEndpointIds.MacOf(address),
        IpConfigurations = [new IpConfig { IpAddress = address.ToString() }],
        Policies = providerAddress is null
            ? null
            : [EndpointPolicy.Create(new ProviderAddressPolicySetting { ProviderAddress = providerAddress.ToString() })],
    };

    /// <summary>An error that belongs to one object, not to the pass (cancellation of the pass propagates).</summary>
    private static bool IsObjectFailure(Exception ex, CancellationToken cancellationToken) =>
        ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested;

    private Task RunAsync<T>(IReadOnlyList<T> items, Func<T, CancellationToken, Task> action, CancellationToken cancellationToken) =>
        items.Count == 0
            ? Task.CompletedTask
            : Parallel.ForEachAsync(
                items,
                new ParallelOptions { MaxDegreeOfParallelism = _options.MaxParallelWrites, CancellationToken = cancellationToken },
                async (item, ct) => await action(item, ct).ConfigureAwait(false));

    private static partial class Log
    {
        [LoggerMessage(EventId = 1200, Level = LogLevel.Debug, Message = "load balancer {Key}: {Outcome} with {Backends} backends")]
        public static partial void LoadBalancerWritten(ILogger logger, string key, LoadBalancerOutcome outcome, int backends);

        [LoggerMessage(EventId = 1201, Level = LogLevel.Debug, Message = "load balancer {Key} ({Id}) deleted")]
        public static partial void LoadBalancerDeleted(ILogger logger, string key, Guid id);

        [LoggerMessage(EventId = 1202, Level = LogLevel.Debug, Message = "remote endpoint {Address} created (provider address {ProviderAddress})")]
        public static partial void RemoteEndpointCreated(ILogger logger, string address, string providerAddress);

        [LoggerMessage(EventId = 1203, Level = LogLevel.Debug, Message = "remote endpoint {Address} deleted")]
        public static partial void RemoteEndpointDeleted(ILogger logger, string address);

        [LoggerMessage(EventId = 1206, Level = LogLevel.Information, Message = "remote endpoint {Address} replaced: provider address {OldProviderAddress} -> {ProviderAddress}")]
        public static partial void RemoteEndpointReplaced(ILogger logger, string address, string oldProviderAddress, string providerAddress);

        [LoggerMessage(EventId = 1207, Level = LogLevel.Debug, Message = "ClusterIP endpoint {Address} created (provider address {ProviderAddress})")]
        public static partial void VipEndpointCreated(ILogger logger, string address, string providerAddress);

        [LoggerMessage(EventId = 1208, Level = LogLevel.Debug, Message = "ClusterIP endpoint {Address} deleted")]
        public static partial void VipEndpointDeleted(ILogger logger, string address);

        [LoggerMessage(EventId = 1204, Level = LogLevel.Warning, Message = "{Key} failed, retried after {RetryAt:O}: {Message}")]
        public static partial void ObjectFailed(ILogger logger, string key, DateTimeOffset retryAt, string message);

        [LoggerMessage(EventId = 1205, Level = LogLevel.Warning, Message = "HNS refused ModifyLoadBalancer; changed load balancers are deleted and recreated from now on: {Message}")]
        public static partial void ModifyUnsupported(ILogger logger, string message);
    }
}
