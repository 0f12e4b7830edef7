using System.Globalization;
using Cni.Hcn;
using Cni.Hcn.Attachments;
using Cni.Hcn.Errors;
using Cni.Hcn.HostRouting;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;
using Cni.Hcn.Versioning;
using Cni.Node.Concurrency;
using Cni.Node.Configuration;
using Cni.Node.Ipam;
using Microsoft.Extensions.Logging;

namespace Cni.Node.Networks;

/// <summary>
/// The node's pod network: ensures the HCN network exists with the config's deterministic spec (creating it, adopting a
/// matching one, or refusing to touch a differing one that still has endpoints), reconciles the IPAM journal against
/// the network's endpoints, and holds the readiness that /readyz and CNI STATUS report.
/// </summary>
/// <remarks>
/// A restarted daemon never disturbs running pods: a matching network is adopted as is, a differing one with endpoints
/// is left alone (not ready, with a message naming what differs), and reconciliation only removes what is provably
/// orphaned: a lease whose endpoint is gone, or a wincni endpoint whose lease is gone. Each lease-side removal holds the
/// attachment's lock and re-checks, so it cannot race an ADD or DEL of the same attachment. Endpoints are listed
/// before leases, so an endpoint created by a concurrent ADD always has its lease in the later list.
/// </remarks>
public sealed partial class PodNetwork
{
    private readonly IHcn _hcn;
    private readonly IIpamStore _ipam;
    private readonly INodeAddressingSource _nodeSource;
    private readonly NodeOptions _options;
    private readonly KeyedAsyncLock<LeaseKey> _attachmentLocks;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IAttachmentVerifier? _attachments;
    private readonly IHostRouting? _hostRouting;
    private readonly HostInterfaceWaits _waits;
    private readonly IHostAdapters _adapters;
    private readonly SemaphoreSlim _ensureGate = new(1, 1);
    private HcnFeatures? _features;
    private volatile State _state = State.Initial;

    /// <summary>Creates the service; nothing happens until <see cref="EnsureAsync"/>.</summary>
    /// <param name="hcn">The dataplane (wrap it in <see cref="Dataplane.BoundedHcn"/> to bound concurrency).</param>
    /// <param name="ipam">The IPAM store, opened with the node's pod CIDRs.</param>
    /// <param name="nodeSource">Where pod CIDRs and the node IP come from.</param>
    /// <param name="options">The node config.</param>
    /// <param name="attachmentLocks">The per-attachment locks shared with the CNI command handler.</param>
    /// <param name="attachments">Where the dataplane can show what it made of attachments (KernelHcn): reconciliation
    /// then looks at every kept attachment there and repairs it, and the status shows each pod's interface; null on HNS.</param>
    /// <param name="hostRouting">The host's routing (interfaces, forwarding): the bootstrap waits for the network's host
    /// interfaces and, on L2Bridge, turns forwarding on there; null where the dataplane has no host side to wait for.</param>
    /// <param name="waits">How long to wait for what HNS makes after a create; flannel's waits when null.</param>
    /// <param name="adapters">The host's adapters, for <c>adapters</c> chosen by MAC or subnet; this namespace's when null.</param>
    public PodNetwork(
        IHcn hcn,
        IIpamStore ipam,
        INodeAddressingSource nodeSource,
        NodeOptions options,
        KeyedAsyncLock<LeaseKey> attachmentLocks,
        TimeProvider timeProvider,
        ILogger<PodNetwork> logger,
        IAttachmentVerifier? attachments = null,
        IHostRouting? hostRouting = null,
        HostInterfaceWaits? waits = null,
        IHostAdapters? adapters = null)
    {
        ArgumentNullException.ThrowIfNull(hcn);
        ArgumentNullException.ThrowIfNull(ipam);
        ArgumentNullException.ThrowIfNull(nodeSource);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(attachmentLocks);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _hcn = hcn;
        _ipam = ipam;
        _nodeSource = nodeSource;
        _options = options;
        _attachmentLocks = attachmentLocks;
        _time = timeProvider;
        _logger = logger;
        _attachments = attachments;
        _hostRouting = hostRouting;
        _waits = waits ?? HostInterfaceWaits.Default;
        _adapters = adapters ?? new SystemHostAdapters();
    }

    /// <summary>Whether ADD can be served: the network is in place and the IPAM journal is healthy.</summary>
    public bool IsReady => _state.Ready && _ipam.JournalFault is null;

    /// <summary>Why not ready, with what to do; null when ready.</summary>
    public string? NotReadyReason =>
        !_state.Ready ? _state.Reason
        : _ipam.JournalProblem is { } problem ? problem + " (check the state directory's disk: space, read-only or immutable files)"
        : null;

    /// <summary>What kind of problem <see cref="NotReadyReason"/> is; <see cref="NodeNetworkProblem.None"/> when ready.</summary>
    public NodeNetworkProblem Problem =>
        !_state.Ready ? _state.Problem
        : _ipam.JournalProblem is not null ? NodeNetworkProblem.IpamJournalFailed
        : NodeNetworkProblem.None;

    /// <summary>The node network's ID once ensured, else null.</summary>
    public Guid? NetworkId => _state.Network?.Id;

    /// <summary>The node network as last read, else null.</summary>
    public HostComputeNetwork? Network => _state.Network;

    /// <summary>The node facts the network was built from, else null.</summary>
    public NodeAddressing? Node => _state.Node;

    /// <summary>The host side of the network (management interface, L2Bridge host endpoint interfaces) once ensured, else null.</summary>
    public HostInterfaces? HostInterfaces => _state.Host;

    /// <summary>When <see cref="EnsureAsync"/> last completed, else null.</summary>
    public DateTimeOffset? LastEnsuredAt => _state.EnsuredAt;

    /// <summary>
    /// Ensures the network, then reconciles. Safe to call periodically (level-triggered); concurrent calls run one after
    /// the other. Never throws for HNS or node-source failures: they leave the node not ready with the reason.
    /// </summary>
    /// <returns>What was done.</returns>
    public async Task<NetworkEnsureReport> EnsureAsync(CancellationToken cancellationToken)
    {
        await _ensureGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await EnsureCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _ensureGate.Release();
        }
    }

    /// <summary>
    /// Marks the network as gone (an ADD found HCN_E_NETWORK_NOT_FOUND): not ready until the next
    /// <see cref="EnsureAsync"/> recreates it.
    /// </summary>
    /// <param name="detail">What was observed.</param>
    public void ReportNetworkMissing(string detail)
    {
        var state = _state;
        _state = state with
        {
            Ready = false,
            Network = null,
            Problem = NodeNetworkProblem.NetworkMissing,
            Reason = $"HCN network '{_options.NetworkName}' disappeared ({detail}); wincnid recreates it on its next reconcile",
        };
        Log.NetworkMissing(_logger, _options.NetworkName, detail);
    }

    /// <summary>
    /// Reconciles the IPAM journal against the endpoints of the node network: frees leases with no endpoint, deletes
    /// wincni endpoints with no lease, leaves foreign endpoints alone. Goes on past individual failures.
    /// </summary>
    /// <returns>What was done; <see cref="ReconcileReport.Empty"/> when the network is not in place.</returns>
    public async Task<ReconcileReport> ReconcileAsync(CancellationToken cancellationToken)
    {
        if (_state.Network is not { } network)
        {
            return ReconcileReport.Empty;
        }

        var name = _options.NetworkName;
        var errors = new List<string>();
        var released = new List<string>();
        var deleted = new List<string>();

        // Endpoints first, then leases: an endpoint in the first list always has its lease in the second (ADD leases
        // before it creates; DEL deletes before it releases). Leases still being fsynced are listed too.
        IReadOnlyList<HostComputeEndpoint> endpoints;
        IReadOnlyList<IpLease> leases;
        try
        {
            endpoints = await _hcn.EnumerateEndpointsAsync(HostComputeQuery.EndpointsOfNetwork(network.Id), cancellationToken).ConfigureAwait(false);
            leases = [.. (await _ipam.ListAsync(cancellationToken).ConfigureAwait(false)).Where(l => l.Owner.NetworkName == name)];
        }
        catch (HcnException ex)
        {
            Log.ReconcileFailed(_logger, ex, name);
            return new ReconcileReport([], [], 0, 0, [ex.Message]);
        }

        var owned = endpoints.Where(e => EndpointNames.IsOwned(e.Name, name)).ToList();
        var foreign = endpoints.Count - owned.Count;
        var expected = leases.ToDictionary(l => EndpointNames.For(name, l.Key.ContainerId, l.Key.IfName), StringComparer.Ordinal);
        var present = owned.Select(e => e.Name!).ToHashSet(StringComparer.Ordinal);
        var ownedByName = owned.GroupBy(e => e.Name!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

        foreach (var endpoint in owned.Where(e => !expected.ContainsKey(e.Name!)))
        {
            try
            {
                await _hcn.DeleteEndpointAsync(endpoint.Id, cancellationToken).ConfigureAwait(false);
                deleted.Add(endpoint.Name!);
                Log.OrphanEndpointDeleted(_logger, endpoint.Name!, endpoint.Id);
            }
            catch (HcnException ex) when (ex.IsNotFound)
            {
                // A DEL got there first.
            }
            catch (HcnException ex)
            {
                errors.Add($"delete endpoint {endpoint.Name} ({endpoint.Id}): {ex.Message}");
            }
        }

        var kept = 0;
        var repaired = new List<string>();
        var broken = new List<string>();
        var abandoned = _ipam.AbandonedReservations.ToHashSet();
        foreach (var (endpointName, lease) in expected)
        {
            if (abandoned.Contains(lease.Key))
            {
                // A failed ADD whose rollback could not finish (its journal write failed): its endpoint, if any, and
                // then the addresses it held go now.
                try
                {
                    if (await FinishAbandonedAddAsync(network.Id, endpointName, lease.Key, cancellationToken).ConfigureAwait(false) is { } freed)
                    {
                        released.Add($"{freed.Key}: {string.Join(",", freed.Addresses)}");
                        Log.AbandonedReservationReleased(_logger, freed.Key.ContainerId, freed.Key.IfName, string.Join(",", freed.Addresses));
                    }
                }
                catch (Exception ex) when (ex is HcnException or IOException)
                {
                    errors.Add($"finish the rollback of {lease.Key}: {ex.Message}");
                }

                continue;
            }

            if (present.Contains(endpointName))
            {
                kept++;
                if (_attachments is not null && ownedByName[endpointName] is { HostComputeNamespace: var ns } endpoint && ns != Guid.Empty)
                {
                    await VerifyAttachmentAsync(endpoint, lease.Key, repaired, broken, errors, cancellationToken).ConfigureAwait(false);
                }

                continue;
            }

            try
            {
                if (await ReleaseIfStillOrphanedAsync(network.Id, endpointName, lease.Key, cancellationToken).ConfigureAwait(false) is { } freed)
                {
                    released.Add($"{freed.Key}: {string.Join(",", freed.Addresses)}");
                    Log.OrphanLeaseReleased(_logger, freed.Key.ContainerId, freed.Key.IfName, string.Join(",", freed.Addresses));
                }
                else
                {
                    kept++;
                }
            }
            catch (Exception ex) when (ex is HcnException or IOException)
            {
                errors.Add($"release lease {lease.Key}: {ex.Message}");
            }
        }

        var report = new ReconcileReport(released, deleted, kept, foreign, errors) { AttachmentsRepaired = repaired, AttachmentsBroken = broken };
        Log.Reconciled(_logger, name, released.Count, deleted.Count, kept, foreign, errors.Count);
        return report;
    }

    /// <summary>
    /// A kept attachment as the dataplane has it: when it differs from its endpoint, it is looked at again under the
    /// attachment's lock (an ADD or DEL may be changing it) and repaired; what stays broken is reported, never called fine.
    /// </summary>
    private async Task VerifyAttachmentAsync(HostComputeEndpoint endpoint, LeaseKey key, List<string> repaired, List<string> broken, List<string> errors, CancellationToken cancellationToken)
    {
        try
        {
            if ((await _attachments!.VerifyAsync(endpoint.Id, cancellationToken).ConfigureAwait(false)).IsIntact)
            {
                return;
            }

            using var held = await _attachmentLocks.AcquireAsync(key, cancellationToken).ConfigureAwait(false);
            var state = await _attachments.VerifyAsync(endpoint.Id, cancellationToken).ConfigureAwait(false);
            if (state.IsIntact || state.NamespaceId == Guid.Empty)
            {
                return;
            }

            var problems = string.Join("; ", state.Problems);
            var after = await _attachments.RepairAsync(endpoint.Id, cancellationToken).ConfigureAwait(false);
            if (after.IsIntact)
            {
                repaired.Add($"{endpoint.Name}: {problems}");
                Log.AttachmentRepaired(_logger, endpoint.Name!, endpoint.Id, problems);
            }
            else
            {
                var left = string.Join("; ", after.Problems);
                broken.Add($"{endpoint.Name}: {left}");
                Log.AttachmentBroken(_logger, endpoint.Name!, endpoint.Id, left);
            }
        }
        catch (HcnException ex) when (ex.IsNotFound)
        {
            // A DEL got there first.
        }
        catch (HcnException ex)
        {
            errors.Add($"verify attachment {endpoint.Name} ({endpoint.Id}): {ex.Message}");
        }
    }

    /// <summary>Desired beside actual for <c>wincnid status</c>.</summary>
    /// <returns>The snapshot; HNS failures are reported in it, not thrown.</returns>
    public async Task<NodeStatusSnapshot> GetSnapshotAsync(CancellationToken cancellationToken)
    {
        var state = _state;
        var name = _options.NetworkName;
        HostComputeNetwork? actual = null;
        IReadOnlyList<HostComputeEndpoint> endpoints = [];
        string? error = null;
        try
        {
            actual = (await _hcn.EnumerateNetworksAsync(HostComputeQuery.ByName(name), cancellationToken).ConfigureAwait(false)).FirstOrDefault();
            if (actual is not null)
            {
                endpoints = await _hcn.EnumerateEndpointsAsync(HostComputeQuery.EndpointsOfNetwork(actual.Id), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (HcnException ex)
        {
            error = ex.Message;
        }

        var leases = (await _ipam.ListAsync(cancellationToken).ConfigureAwait(false)).Where(l => l.Owner.NetworkName == name).ToList();
        var leaseNames = leases.Select(l => EndpointNames.For(name, l.Key.ContainerId, l.Key.IfName)).ToHashSet(StringComparer.Ordinal);
        var endpointNames = endpoints.Where(e => e.Name is not null).Select(e => e.Name!).ToHashSet(StringComparer.Ordinal);

        var endpointStatus = new List<EndpointStatus>();
        foreach (var e in endpoints)
        {
            var owned = EndpointNames.IsOwned(e.Name, name);
            endpointStatus.Add(new EndpointStatus(
                e.Id,
                e.Name,
                [.. (e.IpConfigurations ?? []).Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.IpAddress}/{c.PrefixLength}"))],
                e.MacAddress,
                e.HostComputeNamespace == Guid.Empty ? null : e.HostComputeNamespace,
                owned,
                owned && leaseNames.Contains(e.Name!))
            {
                Interface = e.HostComputeNamespace == Guid.Empty ? null : await DescribeInterfaceAsync(e.Id, cancellationToken).ConfigureAwait(false),
            });
        }

        endpointStatus.Sort((a, b) => StringComparer.Ordinal.Compare(a.Name, b.Name));
        var leaseStatus = leases
            .Select(l =>
            {
                var endpointName = EndpointNames.For(name, l.Key.ContainerId, l.Key.IfName);
                return new LeaseStatus(
                    l.Key.ContainerId,
                    l.Key.IfName,
                    [.. l.Addresses.Select(a => a.ToString())],
                    l.Owner.Netns,
                    l.Owner.PodNamespace,
                    l.Owner.PodName,
                    l.AllocatedAt,
                    endpointName,
                    endpointNames.Contains(endpointName));
            })
            .OrderBy(l => l.ContainerId, StringComparer.Ordinal)
            .ThenBy(l => l.IfName, StringComparer.Ordinal)
            .ToList();

        var differences = state.Desired is { } desired && actual is not null ? PodNetworkSpec.Compare(desired, actual) : [];
        return new NodeStatusSnapshot(
            IsReady, NotReadyReason, name, state.Desired, actual, differences, endpointStatus, leaseStatus, _ipam.GetUsage(), _ipam.StaleLeases, error);
    }

    /// <summary>The attachment's interface as the dataplane has it, for the status ("eth0: ok" or what differs); null when nothing can be seen.</summary>
    private async Task<string?> DescribeInterfaceAsync(Guid endpointId, CancellationToken cancellationToken)
    {
        if (_attachments is null)
        {
            return null;
        }

        try
        {
            var state = await _attachments.VerifyAsync(endpointId, cancellationToken).ConfigureAwait(false);
            return state.IsIntact ? $"{state.InterfaceName}: ok" : $"{state.InterfaceName}: {string.Join("; ", state.Problems)}";
        }
        catch (HcnException ex)
        {
            return "not verified: " + ex.Message;
        }
    }

    private async Task<NetworkEnsureReport> EnsureCoreAsync(CancellationToken cancellationToken)
    {
        var name = _options.NetworkName;
        NodeAddressing? node;
        try
        {
            node = await _nodeSource.GetAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return NotReady(NodeNetworkProblem.NodeFactsUnavailable, NetworkAction.None, null, [], null, null, "the node's pod CIDRs could not be read: " + ex.Message);
        }

        if (node is null || node.PodCidrs.Count == 0)
        {
            // The source says what it waits for where it can tell (the API server, the Node, its podCIDRs).
            var (problem, waiting) = _nodeSource.Waiting is { } known
                ? known
                : (NodeNetworkProblem.PodCidrMissing, "the node's pod CIDRs are not known yet (podCIDRs is empty and the Node object has none); ADD waits for them");
            return NotReady(problem, NetworkAction.None, null, [], node, null, waiting);
        }

        var poolCidrs = _ipam.Pools.Select(p => p.Cidr.ToString()).Order(StringComparer.Ordinal).ToList();
        var nodeCidrs = node.PodCidrs.Select(c => c.ToString()).Order(StringComparer.Ordinal).ToList();
        if (!poolCidrs.SequenceEqual(nodeCidrs, StringComparer.Ordinal))
        {
            return NotReady(
                NodeNetworkProblem.PodCidrChanged, NetworkAction.None, null, [], node, null,
                $"podCIDRs: the node's pod CIDRs [{string.Join(", ", nodeCidrs)}] differ from the IPAM pools [{string.Join(", ", poolCidrs)}] wincnid opened; restart wincnid so IPAM reopens with the node's CIDRs (leases outside them are kept as stale until DEL or GC)");
        }

        IReadOnlyList<string> adapters;
        try
        {
            adapters = AdapterSelection.Resolve(_options, _adapters);
        }
        catch (ArgumentException ex)
        {
            return NotReady(NodeNetworkProblem.AdapterMissing, NetworkAction.None, null, [], node, null, ex.Message);
        }

        HostComputeNetwork desired;
        try
        {
            desired = PodNetworkSpec.Build(_options, node, adapters);
        }
        catch (ArgumentException ex)
        {
            return NotReady(NodeNetworkProblem.ConfigInvalid, NetworkAction.None, null, [], node, null, ex.Message);
        }

        try
        {
            var features = await FeaturesAsync(cancellationToken).ConfigureAwait(false);
            if (HnsFeatureGates.Check(_options, node, features) is { } missing)
            {
                return NotReady(NodeNetworkProblem.HnsFeatureMissing, NetworkAction.None, null, [], node, desired, missing);
            }

            var existing = await _hcn.EnumerateNetworksAsync(HostComputeQuery.ByName(name), cancellationToken).ConfigureAwait(false);
            if (existing.Count > 1)
            {
                return NotReady(
                    NodeNetworkProblem.NetworkConflict, NetworkAction.Conflict, null, [], node, desired,
                    $"{existing.Count} HCN networks are named '{name}' ({string.Join(", ", existing.Select(n => n.Id))}); wincnid cannot tell which one is the node network. Fix: delete the stale ones (Get-HnsNetwork | ? Name -eq '{name}'), then wincnid adopts or recreates the remaining one");
            }

            HostComputeNetwork network;
            NetworkAction action;
            IReadOnlyList<NetworkDifference> differences = [];
            if (existing.Count == 0)
            {
                network = await _hcn.CreateNetworkAsync(desired, cancellationToken).ConfigureAwait(false);
                action = NetworkAction.Created;
            }
            else
            {
                differences = PodNetworkSpec.Compare(desired, existing[0]);
                if (differences.Count == 0)
                {
                    network = existing[0];
                    action = NetworkAction.Adopted;
                }
                else
                {
                    // wincni's own host endpoint goes with the network; any other endpoint is a pod (or someone else's).
                    var hostEndpoint = EndpointNames.HostEndpointFor(name);
                    var endpoints = (await _hcn.EnumerateEndpointsAsync(HostComputeQuery.EndpointsOfNetwork(existing[0].Id), cancellationToken).ConfigureAwait(false))
                        .Where(e => e.Name != hostEndpoint)
                        .ToList();
                    if (endpoints.Count > 0)
                    {
                        var reason = $"HCN network '{name}' ({existing[0].Id}) differs from the config: {string.Join("; ", differences)}. "
                            + $"It still has {endpoints.Count} endpoint(s), so wincnid will not delete it. "
                            + $"Fix: restore the previous value of {string.Join(", ", differences.Select(d => d.Field).Distinct())} in the node config, "
                            + $"or drain the node's pods and delete the network (Get-HnsNetwork | ? Name -eq '{name}' | Remove-HnsNetwork), then restart wincnid";
                        Log.NetworkConflict(_logger, name, existing[0].Id, string.Join("; ", differences), endpoints.Count);
                        return NotReady(NodeNetworkProblem.NetworkConflict, NetworkAction.Conflict, existing[0], differences, node, desired, reason);
                    }

                    await _hcn.DeleteNetworkAsync(existing[0].Id, cancellationToken).ConfigureAwait(false);
                    network = await _hcn.CreateNetworkAsync(desired, cancellationToken).ConfigureAwait(false);
                    action = NetworkAction.Recreated;
                }
            }

            // What HNS makes after the create (ProviderAddress, vNICs) is waited for before anything uses the network,
            // so the first ADDs and peer passes never race it (flannel waits the same way).
            var prepared = await PrepareHostAsync(network, node, features, cancellationToken).ConfigureAwait(false);
            if (prepared.NotReadyReason is { } waiting)
            {
                return NotReady(prepared.Problem, action, prepared.Network, differences, node, desired, waiting);
            }

            network = prepared.Network;
            Log.NetworkEnsured(_logger, name, network.Id, action);
            // A node that was not ready (the daemon's start, or after HNS lost the network) serves ADDs only once the
            // journal and the endpoints agree: an ADD killed between creating its endpoint and writing its lease leaves
            // an endpoint holding an address the pool calls free, and an ADD served before this reconcile deleted it
            // would be handed that address and refused by HCN (found by the SIGKILL-under-parallel-ADD campaign).
            var wasReady = _state.Ready;
            _state = new State(wasReady, wasReady ? null : "reconciling the IPAM journal with the network's endpoints", network, node, desired, _time.GetUtcNow())
            {
                Host = prepared.Host,
                Problem = wasReady ? NodeNetworkProblem.None : NodeNetworkProblem.Starting,
            };
            var reconcile = await ReconcileAsync(cancellationToken).ConfigureAwait(false);
            if (!wasReady)
            {
                _state = _state with { Ready = true, Reason = null, Problem = NodeNetworkProblem.None };
            }

            return new NetworkEnsureReport(action, network.Id, differences, reconcile, IsReady, NotReadyReason) { Problem = Problem };
        }
        catch (HcnException ex)
        {
            Log.EnsureFailed(_logger, ex, name);
            return NotReady(
                ex.IsTransient ? NodeNetworkProblem.HnsUnavailable : NodeNetworkProblem.HcnError,
                NetworkAction.None, null, [], node, desired, $"HCN network '{name}' could not be ensured: {ex.Message} ({ex.Facts})");
        }
        catch (HostRoutingException ex)
        {
            Log.EnsureFailed(_logger, ex, name);
            // An interface that vanished under the setup is HNS still making (or remaking) it; anything else needs a person.
            return NotReady(
                ex.Kind == HostRoutingErrorKind.InterfaceNotFound ? NodeNetworkProblem.HostInterfaceMissing : NodeNetworkProblem.HostSetupFailed,
                NetworkAction.None, null, [], node, desired, $"the host side of HCN network '{name}' could not be set up: {ex.Message} ({ex.Facts})");
        }
    }

    /// <summary>
    /// L2Bridge: the host endpoint holding each pool's <see cref="IpPool.HostEndpoint"/> (.2), attached to the host's
    /// default namespace, is the pods' gateway and the host's door into the bridge (flannel host-gw's <c>cbr0_ep</c>).
    /// Kept when intact; otherwise replaced.
    /// </summary>
    private async Task EnsureHostEndpointAsync(HostComputeNetwork network, NodeAddressing node, CancellationToken cancellationToken)
    {
        if (_options.Mode != NetworkMode.L2Bridge)
        {
            return;
        }

        var name = EndpointNames.HostEndpointFor(_options.NetworkName);
        var wanted = node.PodCidrs
            .Select((cidr, i) => IpPool.Create(cidr.ToString(), NetworkMode.L2Bridge, string.Create(CultureInfo.InvariantCulture, $"podCIDRs[{i}]")))
            .Select(pool => new IpConfig { IpAddress = pool.HostEndpoint!.ToString(), PrefixLength = (byte)pool.Cidr.PrefixLength })
            .ToList();
        var wantedText = wanted.Select(c => c.IpAddress!).Order(StringComparer.Ordinal).ToList();

        // Selected by its v2 Type, never by the v1 IsDefault filter (hcsshim cmd/ncproxy/hcn.go does the same): a filter
        // HNS ignored would hand back a pod's namespace, and the gateway of every pod would land inside that pod.
        var hostDefault = await _hcn.FindHostDefaultNamespaceAsync(cancellationToken).ConfigureAwait(false);
        var existing = await _hcn.EnumerateEndpointsAsync(HostComputeQuery.ByName(name), cancellationToken).ConfigureAwait(false);
        if (existing.Count == 1
            && existing[0].HostComputeNetwork == network.Id
            && hostDefault is not null
            && existing[0].HostComputeNamespace == hostDefault.Id
            && (existing[0].IpConfigurations ?? []).Select(c => c.IpAddress ?? string.Empty).Order(StringComparer.Ordinal).SequenceEqual(wantedText, StringComparer.Ordinal))
        {
            return;
        }

        foreach (var stale in existing)
        {
            try
            {
                await _hcn.DeleteEndpointAsync(stale.Id, cancellationToken).ConfigureAwait(false);
            }
            catch (HcnException ex) when (ex.IsNotFound)
            {
                // Already gone.
            }
        }

        var created = await _hcn.CreateEndpointAsync(network.Id, new HostComputeEndpoint { Name = name, IpConfigurations = wanted }, cancellationToken).ConfigureAwait(false);
        // A host without one gets it created, as hcsshim's own test does (cmd/ncproxy/hcn_networking_test.go).
        var hostNamespace = hostDefault?.Id
            ?? (await _hcn.CreateNamespaceAsync(new HostComputeNamespace { Type = NamespaceType.HostDefault }, cancellationToken).ConfigureAwait(false)).Id;
        await _hcn.AddNamespaceEndpointAsync(hostNamespace, created.Id, cancellationToken).ConfigureAwait(false);
        Log.HostEndpointEnsured(_logger, name, created.Id, string.Join(",", wantedText));
    }

    private async Task<IpLease?> FinishAbandonedAddAsync(Guid networkId, string endpointName, LeaseKey key, CancellationToken cancellationToken)
    {
        using var held = await _attachmentLocks.AcquireAsync(key, cancellationToken).ConfigureAwait(false);
        if (!_ipam.AbandonedReservations.Contains(key))
        {
            return null; // a retried ADD wrote it after all, or its rollback finished meanwhile
        }

        foreach (var endpoint in await _hcn.EnumerateEndpointsAsync(HostComputeQuery.ByName(endpointName), cancellationToken).ConfigureAwait(false))
        {
            if (endpoint.HostComputeNetwork == networkId)
            {
                await _hcn.DeleteEndpointIfExistsAsync(endpoint.Id, cancellationToken).ConfigureAwait(false);
            }
        }

        return await _ipam.ReleaseAsync(key, cancellationToken).ConfigureAwait(false);
    }

    private async Task<IpLease?> ReleaseIfStillOrphanedAsync(Guid networkId, string endpointName, LeaseKey key, CancellationToken cancellationToken)
    {
        using var held = await _attachmentLocks.AcquireAsync(key, cancellationToken).ConfigureAwait(false);
        if (await _ipam.GetAsync(key, cancellationToken).ConfigureAwait(false) is null)
        {
            return null;
        }

        var current = await _hcn.EnumerateEndpointsAsync(HostComputeQuery.ByName(endpointName), cancellationToken).ConfigureAwait(false);
        if (current.Any(e => e.HostComputeNetwork == networkId))
        {
            return null;
        }

        return await _ipam.ReleaseAsync(key, cancellationToken).ConfigureAwait(false);
    }

    private NetworkEnsureReport NotReady(
        NodeNetworkProblem problem, NetworkAction action, HostComputeNetwork? network, IReadOnlyList<NetworkDifference> differences, NodeAddressing? node, HostComputeNetwork? desired, string reason)
    {
        _state = new State(false, reason, null, node, desired, _time.GetUtcNow()) { Problem = problem };
        Log.NotReady(_logger, reason);
        return new NetworkEnsureReport(action, network?.Id, differences, ReconcileReport.Empty, false, reason) { Problem = problem };
    }

    private sealed record State(bool Ready, string? Reason, HostComputeNetwork? Network, NodeAddressing? Node, HostComputeNetwork? Desired, DateTimeOffset? EnsuredAt)
    {
        /// <summary>The host side found by the bootstrap; null while not ready.</summary>
        public HostInterfaces? Host { get; init; }

        /// <summary>What kind of problem <see cref="Reason"/> is.</summary>
        public NodeNetworkProblem Problem { get; init; }

        public static State Initial { get; } = new(false, "the node network has not been ensured yet (wincnid is starting)", null, null, null, null) { Problem = NodeNetworkProblem.Starting };
    }
}
