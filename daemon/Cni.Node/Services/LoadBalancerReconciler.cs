using System.Collections.Concurrent;
using System.Net;
using Cni.Hcn;
using Cni.Hcn.Errors;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;
using Microsoft.Extensions.Logging;

namespace Cni.Node.Services;

/// <summary>
/// The service proxy's apply engine: level-triggered, like <c>PeerRouteReconciler</c>. Each pass reads the network's
/// endpoints and every load balancer from HCN once, resolves each desired load balancer's backends to endpoint IDs,
/// and writes only what differs from HCN: so an LB deleted out of band comes back on the next pass, and a restart
/// with nothing changed writes nothing (winkernel deletes every LB at start and never re-checks an applied one,
/// kubernetes pkg/proxy/winkernel/proxier.go).
/// </summary>
/// <remarks>
/// Ownership is by ID: load balancers under <see cref="LoadBalancerIds"/>, remote endpoints under
/// <see cref="RemoteEndpointIds"/>; everything else in HCN is read (a foreign endpoint with a backend's IP is used)
/// but never changed. Order within a pass, so no load balancer ever points at a deleted endpoint:
/// remote endpoints are created first; then load balancers nothing wants are deleted (freeing their frontends);
/// then load balancers are created or changed; last, owned remote endpoints no load balancer in HCN refers to and
/// no desired one needs are deleted. Writes run with bounded parallelism, each object isolated: a failure is
/// reported, backs off per key, and never stops the others.
/// </remarks>
public sealed partial class LoadBalancerReconciler
{
    private const string RemoteKeyPrefix = "remote-endpoint/";
    private const string OrphanKeyPrefix = "orphan-load-balancer/";

    private readonly IHcn _hcn;
    private readonly LoadBalancerReconcilerOptions _options;
    private readonly ILogger _logger;
    private readonly KeyedBackoff _backoff;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool? _modifyByVersion;
    private volatile bool _modifyRefused;

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
        finally
        {
            _gate.Release();
        }
    }

    private async Task<LoadBalancerPassReport> ReconcileCoreAsync(LoadBalancerPassInput input, CancellationToken cancellationToken)
    {
        // The version decides Modify vs delete + create; a NotImplemented answer later turns Modify off for good.
        _modifyByVersion ??= (await _hcn.GetFeaturesAsync(cancellationToken).ConfigureAwait(false)).ModifyLoadBalancer;
        var endpoints = await _hcn.EnumerateEndpointsAsync(HostComputeQuery.EndpointsOfNetwork(input.NetworkId), cancellationToken).ConfigureAwait(false);
        var loadBalancers = await _hcn.EnumerateLoadBalancersAsync(null, cancellationToken).ConfigureAwait(false);
        var inventory = EndpointInventory.From(endpoints);
        var owned = loadBalancers.Where(lb => LoadBalancerIds.IsOwned(lb.Id)).ToDictionary(lb => lb.Id);

        var plans = Plan(input, inventory, owned);
        var failures = new ConcurrentBag<ObjectFailure>();

        // 1. Remote endpoints the written load balancers need, before any load balancer refers to them.
        var toWrite = plans.Where(p => p.NeedsWrite).ToList();
        var missingRemotes = toWrite
            .SelectMany(p => p.Remotes)
            .Where(r => !inventory.OwnedRemote.ContainsKey(r.Key))
            .GroupBy(r => r.Key)
            .Select(g => g.First())
            .ToList();
        var unavailable = new ConcurrentDictionary<IPAddress, string>();
        var remotesCreated = 0;
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
                await _hcn.CreateEndpointAsync(input.NetworkId, RemoteEndpoint(remote.Key, remote.Value, input.NetworkId), ct).ConfigureAwait(false);
                _backoff.Succeeded(key);
                Interlocked.Increment(ref remotesCreated);
                Log.RemoteEndpointCreated(_logger, remote.Key.ToString(), remote.Value?.ToString() ?? "-");
            }
            catch (Exception ex) when (IsObjectFailure(ex, ct))
            {
                var message = $"remote endpoint {remote.Key} ({RemoteEndpointIds.IdOf(remote.Key):D}): {ex.Message}";
                unavailable[remote.Key] = message;
                failures.Add(Fail(key, message));
            }
        }, cancellationToken).ConfigureAwait(false);

        foreach (var plan in toWrite)
        {
            var missing = plan.Remotes.Where(r => unavailable.ContainsKey(r.Key)).Select(r => unavailable[r.Key]).ToList();
            if (missing.Count > 0)
            {
                // Not written without the endpoint: HCN keeps what it had (the backend set stays whole) until it exists.
                plan.Finish(LoadBalancerOutcome.Failed, string.Join("; ", missing), written: false);
            }
        }

        // 2. Owned load balancers nothing wants (any more, or as a load balancer): deleted first, freeing their frontends.
        var wanted = plans.Where(p => p.Target is not null).Select(p => p.Target!.Id).ToHashSet();
        var keysById = plans.ToDictionary(p => p.Desired.Key.Id, p => p.Desired.Key.Value);
        var undesired = owned.Values.Where(lb => !wanted.Contains(lb.Id)).ToList();
        var deletedIds = new ConcurrentDictionary<Guid, bool>();
        await RunAsync(undesired, async (lb, ct) =>
        {
            var key = keysById.GetValueOrDefault(lb.Id) ?? OrphanKeyPrefix + lb.Id.ToString("D");
            if (_backoff.NotBefore(key) is { } retryAt)
            {
                failures.Add(new ObjectFailure(key, $"deleting load balancer {key} ({lb.Id:D}) failed earlier; retried after {retryAt:O}", retryAt));
                return;
            }

            try
            {
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
                failures.Add(Fail(key, $"deleting load balancer {key} ({lb.Id:D}): {ex.Message}"));
            }
        }, cancellationToken).ConfigureAwait(false);

        // 3. Create or change each load balancer that differs from HCN.
        await RunAsync(toWrite.Where(p => p.Outcome is null).ToList(), (plan, ct) => WriteAsync(plan, failures, ct), cancellationToken).ConfigureAwait(false);

        // 4. Owned remote endpoints that no load balancer left in HCN refers to, and no desired one needs.
        var referenced = new HashSet<Guid>();
        var written = plans.Where(p => p.Written).Select(p => p.Desired.Key.Id).ToHashSet();
        foreach (var lb in loadBalancers)
        {
            var rewritten = owned.ContainsKey(lb.Id) && (deletedIds.ContainsKey(lb.Id) || written.Contains(lb.Id));
            if (!rewritten)
            {
                referenced.UnionWith(lb.HostComputeEndpoints ?? []);
            }
        }

        foreach (var plan in plans.Where(p => p.Target is not null))
        {
            referenced.UnionWith(plan.Target!.HostComputeEndpoints ?? []);
        }

        var unused = inventory.OwnedRemote.Where(r => !referenced.Contains(r.Value.Id)).ToList();
        var remotesDeleted = 0;
        await RunAsync(unused, async (remote, ct) =>
        {
            var key = RemoteKeyPrefix + remote.Key;
            try
            {
                await _hcn.DeleteEndpointIfExistsAsync(remote.Value.Id, ct).ConfigureAwait(false);
                _backoff.Succeeded(key);
                Interlocked.Increment(ref remotesDeleted);
                Log.RemoteEndpointDeleted(_logger, remote.Key.ToString());
            }
            catch (Exception ex) when (IsObjectFailure(ex, ct))
            {
                failures.Add(Fail(key, $"deleting remote endpoint {remote.Key} ({remote.Value.Id:D}): {ex.Message}"));
            }
        }, cancellationToken).ConfigureAwait(false);

        ForgetGone(plans, inventory, failures);
        return Report(input, plans, deletedIds.Count, remotesCreated, remotesDeleted, failures);
    }

    private List<LoadBalancerPlan> Plan(LoadBalancerPassInput input, EndpointInventory inventory, Dictionary<Guid, HostComputeLoadBalancer> owned)
    {
        var plans = new List<LoadBalancerPlan>();
        var seen = new HashSet<LoadBalancerKey>();
        foreach (var desired in input.Services.SelectMany(s => s.LoadBalancers))
        {
            if (!seen.Add(desired.Key))
            {
                continue;
            }

            var actual = owned.GetValueOrDefault(desired.Key.Id);
            var plan = new LoadBalancerPlan(desired, actual);
            plans.Add(plan);
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
                    continue;
                }
            }
            else
            {
                Resolve(plan, input, inventory);
                if (plan.EndpointIds.Count == 0)
                {
                    plan.Finish(LoadBalancerOutcome.NotProgrammed, "no backend has an HCN endpoint: " + string.Join("; ", plan.Notes), written: false);
                    continue;
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
        }

        return plans;
    }

    private static void Resolve(LoadBalancerPlan plan, LoadBalancerPassInput input, EndpointInventory inventory)
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
            plan.EndpointIds.Add(RemoteEndpointIds.IdOf(backend.Address));
        }
    }

    private async Task WriteAsync(LoadBalancerPlan plan, ConcurrentBag<ObjectFailure> failures, CancellationToken cancellationToken)
    {
        var key = plan.Desired.Key.Value;
        var target = plan.Target!;
        var step = "creating";
        try
        {
            LoadBalancerOutcome outcome;
            if (plan.Actual is null)
            {
                await _hcn.CreateLoadBalancerAsync(target, cancellationToken).ConfigureAwait(false);
                outcome = LoadBalancerOutcome.Created;
            }
            else if (_modifyByVersion == true && !_modifyRefused && await TryModifyAsync(target, cancellationToken).ConfigureAwait(false))
            {
                outcome = LoadBalancerOutcome.Modified;
            }
            else
            {
                // No Modify on this HNS: a short gap per change, as in winkernel without ModifyLoadBalancer.
                step = "deleting (to recreate)";
                await _hcn.DeleteLoadBalancerAsync(target.Id, cancellationToken).ConfigureAwait(false);
                step = "recreating";
                await _hcn.CreateLoadBalancerAsync(target, cancellationToken).ConfigureAwait(false);
                outcome = LoadBalancerOutcome.Recreated;
            }

            _backoff.Succeeded(key);
            plan.Finish(outcome, null, written: true);
            Log.LoadBalancerWritten(_logger, key, outcome, target.HostComputeEndpoints?.Count ?? 0);
        }
        catch (Exception ex) when (IsObjectFailure(ex, cancellationToken))
        {
            var failure = Fail(key, $"{step} load balancer {key} ({target.Id:D}): {ex.Message}");
            failures.Add(failure);

            // A failed recreate may have deleted it: then HCN no longer refers to the old backends.
            plan.Finish(LoadBalancerOutcome.Failed, failure.Message, written: step == "recreating");
        }
    }

    private async Task<bool> TryModifyAsync(HostComputeLoadBalancer target, CancellationToken cancellationToken)
    {
        try
        {
            await _hcn.ModifyLoadBalancerAsync(target.Id, target, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (HcnException ex) when (ex.IsNotImplemented)
        {
            // The version table said yes but HNS says no: believe HNS from now on (winkernel does the same).
            _modifyRefused = true;
            Log.ModifyUnsupported(_logger, ex.Message);
            return false;
        }
    }

    private ObjectFailure Fail(string key, string message)
    {
        var retryAt = _backoff.Failed(key);
        Log.ObjectFailed(_logger, key, retryAt, message);
        return new ObjectFailure(key, message, retryAt);
    }

    private void ForgetGone(List<LoadBalancerPlan> plans, EndpointInventory inventory, ConcurrentBag<ObjectFailure> failures)
    {
        var live = plans.Select(p => p.Desired.Key.Value)
            .Concat(plans.SelectMany(p => p.Remotes).Select(r => RemoteKeyPrefix + r.Key))
            .Concat(inventory.OwnedRemote.Keys.Select(ip => RemoteKeyPrefix + ip))
            .Concat(failures.Select(f => f.Key))
            .ToHashSet(StringComparer.Ordinal);
        _backoff.Retain(live);
    }

    private static LoadBalancerPassReport Report(LoadBalancerPassInput input, List<LoadBalancerPlan> plans, int deleted, int remotesCreated, int remotesDeleted, ConcurrentBag<ObjectFailure> failures)
    {
        var byKey = plans.ToDictionary(p => p.Desired.Key);
        var services = input.Services.Select(s => new ServiceProxyStatus(
            s.Service,
            s.Skipped,
            [.. s.LoadBalancers.Select(lb => byKey[lb.Key].Status())],
            s.Conditions)).ToList();
        var backingOff = plans.Where(p => p.Outcome == LoadBalancerOutcome.BackingOff)
            .Select(p => new ObjectFailure(p.Desired.Key.Value, p.Reason!, p.RetryAt!.Value));
        return new LoadBalancerPassReport(
            Count(plans, LoadBalancerOutcome.Created),
            Count(plans, LoadBalancerOutcome.Modified),
            Count(plans, LoadBalancerOutcome.Recreated),
            deleted,
            Count(plans, LoadBalancerOutcome.Unchanged),
            remotesCreated,
            remotesDeleted,
            [.. failures.OrderBy(f => f.Key, StringComparer.Ordinal), .. backingOff],
            services);
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

        [LoggerMessage(EventId = 1204, Level = LogLevel.Warning, Message = "{Key} failed, retried after {RetryAt:O}: {Message}")]
        public static partial void ObjectFailed(ILogger logger, string key, DateTimeOffset retryAt, string message);

        [LoggerMessage(EventId = 1205, Level = LogLevel.Warning, Message = "HNS refused ModifyLoadBalancer; changed load balancers are deleted and recreated from now on: {Message}")]
        public static partial void ModifyUnsupported(ILogger logger, string message);
    }
}
