using Cni.Hcn;
using Cni.Hcn.Attachments;
using Cni.Hcn.Errors;
using Cni.Hcn.Model;
using Cni.Node.Configuration;
using Cni.Node.Dataplane;
using Cni.Node.Ipam;
using Cni.Node.Policies;
using Cni.Spec;
using Microsoft.Extensions.Logging;

namespace Cni.Node.Pods;

/// <summary>
/// CNI ADD: validate everything (config, port mappings) → look up the endpoint by its deterministic name → if the
/// lease, the endpoint, its network, namespace and addresses all agree, answer with the same result (idempotent,
/// 1 HCN call) → else remove the stale endpoint, lease the address, create the endpoint, attach it (3 HCN calls
/// fresh). Any failure rolls back what this ADD created: the endpoint (also one whose create call failed after HCN made
/// it), the lease (the address goes to quarantine), a namespace the resolver created. Each rollback step is retried;
/// one that still fails leaves the addresses held, never free beside an endpoint that still carries them.
/// </summary>
internal sealed partial class AddCommand(CniCommandContext context, CniResultBuilder results)
{
    /// <summary>Attempts per rollback step, 50 ms apart then four times longer each (50, 200 ms).</summary>
    private const int RollbackAttempts = 3;

    private static readonly TimeSpan RollbackBackoff = TimeSpan.FromMilliseconds(50);

    private ILogger Logger => context.Logger;

    public async Task<byte[]?> RunAsync(PluginRequest request, CancellationToken cancellationToken)
    {
        context.EnsureOurNetwork(request);
        var networkId = context.RequireReady();
        ValidatePortMappings(request);
        _ = EndpointVlan(request, context.Options.Mode);
        var key = CniCommandContext.KeyOf(request);
        var netns = request.NetnsReference;
        var endpointName = CniCommandContext.EndpointNameOf(request);

        // The step lives in the state machine the await already allocates: free to track on the hot path.
        var step = CniStep.WaitingForAttachmentLock;
        try
        {
            using var held = await context.Locks.AcquireAsync(key, cancellationToken).ConfigureAwait(false);
            IpLease? existingLease = null;
            Task<ResolvedNamespace>? namespaceTask = null;
            HostComputeEndpoint? created = null;
            var creating = false;
            IpLease? lease = null;
            var durable = Task.CompletedTask;
            ResolvedNamespace? ns = null;
            try
            {
                step = CniStep.ReadingLease;
                existingLease = await context.Ipam.GetAsync(key, cancellationToken).ConfigureAwait(false);
                step = CniStep.LookingUpEndpoint;
                var existing = await context.Hcn.EnumerateEndpointsAsync(HostComputeQuery.ByName(endpointName), cancellationToken).ConfigureAwait(false);
                if (existingLease is not null && existing.Count == 1)
                {
                    step = CniStep.ResolvingNamespace;
                    var resolved = await context.Namespaces.ResolveForAttachAsync(netns, cancellationToken).ConfigureAwait(false);
                    if (IsIntact(existing[0], networkId, resolved.Id, existingLease))
                    {
                        // The records agree; where the dataplane can show the pod's interface, that must agree too
                        // (repaired when it does not): a result is never given for an interface that is not there.
                        var realized = true;
                        if (context.Attachments is { } attachments)
                        {
                            step = CniStep.VerifyingInterface;
                            var state = await attachments.VerifyAsync(existing[0].Id, cancellationToken).ConfigureAwait(false);
                            if (!IsRealized(state, request))
                            {
                                Log.InterfaceBroken(Logger, request.ContainerId, request.IfName, existing[0].Id, Problems(state, request));
                                step = CniStep.RepairingInterface;
                                state = await RepairOrNullAsync(attachments, existing[0].Id, request, cancellationToken).ConfigureAwait(false);
                                realized = state is not null && IsRealized(state, request);
                            }
                        }

                        if (realized)
                        {
                            Log.AddRepeated(Logger, request.ContainerId, request.IfName, existing[0].Id);
                            return CniJson.Serialize(results.Build(request, existingLease, existing[0]));
                        }

                        // Not repairable in place: the endpoint is replaced below, which makes its interface anew.
                    }

                    namespaceTask = Task.FromResult(resolved);
                }
                else
                {
                    // A fresh attachment: the namespace is resolved (on a kernel node, created) while the address is
                    // leased and the endpoint created; only the attach needs both.
                    namespaceTask = Task.Run(() => context.Namespaces.ResolveForAttachAsync(netns, cancellationToken), CancellationToken.None);
                }

                // Whatever carries this attachment's name but does not match is stale (a half-finished ADD, an endpoint
                // left after an HNS restart): remove it so the address and the name are never used twice.
                step = CniStep.RemovingStaleEndpoint;
                foreach (var stale in existing)
                {
                    await context.Hcn.DeleteEndpointIfExistsAsync(stale.Id, cancellationToken).ConfigureAwait(false);
                    Log.StaleEndpointReplaced(Logger, stale.Name ?? endpointName, stale.Id);
                }

                // The lease's fsync runs while the endpoint is created and attached; the answer waits for both. A crash
                // in between leaves at worst an endpoint without a durable lease, which reconciliation deletes.
                step = CniStep.ReservingAddress;
                var reservation = await context.Ipam.ReserveAsync(key, OwnerOf(request), cancellationToken).ConfigureAwait(false);
                lease = reservation.Lease;
                durable = reservation.Durable;

                step = CniStep.CreatingEndpoint;
                creating = true;
                created = await CreateEndpointAsync(request, endpointName, networkId, lease, cancellationToken).ConfigureAwait(false);
                EnsureCarriesLease(created, lease);

                step = CniStep.ResolvingNamespace;
                ns = await namespaceTask.ConfigureAwait(false);

                step = CniStep.AttachingToNamespace;
                await AttachAsync(ns.Id, created.Id, cancellationToken).ConfigureAwait(false);

                step = CniStep.WritingLease;
                await durable.ConfigureAwait(false);
                Log.Added(Logger, request.ContainerId, request.IfName, created.Id, string.Join(",", lease.Addresses));
                return CniJson.Serialize(results.Build(request, lease, created));
            }
            catch (Exception failure) when (failure is not OutOfMemoryException)
            {
                // The namespace resolution may still be running (or be what failed): its outcome decides what to release.
                ns ??= await OutcomeOrNullAsync(namespaceTask).ConfigureAwait(false);

                // A failed fsync leaves its reservation abandoned but holding the addresses; the release below lets it go.
                await SettledAsync(durable).ConfigureAwait(false);

                // Not cancellable: a rollback cut short would leak exactly what it exists to remove.
                var endpoint = created is not null ? new RollbackEndpoint(created.Id, null)
                    : creating ? new RollbackEndpoint(null, endpointName)
                    : null;
                await RollbackAsync(request, networkId, endpoint, existingLease is null ? lease : null, ns?.Created == true ? netns : null, failure).ConfigureAwait(false);
                throw;
            }
        }
        catch (OperationCanceledException cancelled) when (cancellationToken.IsCancellationRequested)
        {
            throw new CniCommandCancelledException(step, cancelled);
        }
    }

    private static LeaseOwner OwnerOf(PluginRequest request) =>
        new(request.Config.Name, request.Netns, request.Args.K8sPodNamespace, request.Args.K8sPodName);

    /// <summary>The dataplane has the attachment as its endpoint says, under the interface name the request asks for.</summary>
    private static bool IsRealized(RealizedAttachment state, PluginRequest request) =>
        state.IsIntact && string.Equals(state.InterfaceName, request.IfName, StringComparison.Ordinal);

    private static string Problems(RealizedAttachment state, PluginRequest request) =>
        string.Join("; ", string.Equals(state.InterfaceName, request.IfName, StringComparison.Ordinal)
            ? state.Problems
            : [.. state.Problems, $"its interface is named {state.InterfaceName}, not {request.IfName} (CNI_IFNAME)"]);

    /// <summary>Repairs in place; null when the dataplane refused (the endpoint is then replaced).</summary>
    private async Task<RealizedAttachment?> RepairOrNullAsync(IAttachmentVerifier attachments, Guid endpointId, PluginRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var state = await attachments.RepairAsync(endpointId, cancellationToken).ConfigureAwait(false);
            if (IsRealized(state, request))
            {
                Log.InterfaceRepaired(Logger, request.ContainerId, request.IfName, endpointId);
            }

            return state;
        }
        catch (HcnException ex)
        {
            Log.InterfaceRepairFailed(Logger, ex, request.ContainerId, request.IfName, endpointId);
            return null;
        }
    }

    private static bool IsIntact(HostComputeEndpoint endpoint, Guid networkId, Guid namespaceId, IpLease lease) =>
        endpoint.HostComputeNetwork == networkId
        && endpoint.HostComputeNamespace == namespaceId
        && CniCommandContext.AddressesOf(endpoint).SetEquals(lease.Addresses.Select(a => a.Address));

    private static async Task SettledAsync(Task durable)
    {
        try
        {
            await durable.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Observed only: it is the failure being rolled back, or was logged and rolled back by the IPAM store.
        }
    }

    private static async Task<ResolvedNamespace?> OutcomeOrNullAsync(Task<ResolvedNamespace>? resolution)
    {
        if (resolution is null)
        {
            return null;
        }

        try
        {
            return await resolution.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Whatever the failure, a failed resolution created nothing (resolvers undo their own half-made namespace);
            // the rollback of the rest must still run.
            return null;
        }
    }

    /// <summary>Bad port mappings name their field before anything changes (the families are the pools').</summary>
    private void ValidatePortMappings(PluginRequest request)
    {
        if (request.Config.RuntimeConfig?.PortMappings is { Count: > 0 } mappings)
        {
            EndpointPolicyBuilder.ValidatePortMappings(mappings, [.. context.Ipam.Pools.Select(p => p.Gateway.AddressFamily).Distinct()]);
        }
    }

    /// <summary>
    /// The endpoint's own VLAN from CNI_ARGS <c>VLAN</c> (1-4094), or null. Checked before anything is leased, so a
    /// bad value costs nothing; an overlay network isolates by VNI and takes no VLAN (HNS: l2bridge and transparent).
    /// </summary>
    internal static int? EndpointVlan(PluginRequest request, NetworkMode mode)
    {
        if (request.Args.Get(CniArgs.VlanKey) is not { } text)
        {
            return null;
        }

        if (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var vlan) || vlan is < 1 or > 4094)
        {
            throw new CniException(CniErrorCode.InvalidEnvironmentVariables, $"CNI_ARGS: VLAN '{text}' is not a VLAN ID (1-4094)");
        }

        if (mode == NetworkMode.Overlay)
        {
            throw new CniException(CniErrorCode.InvalidEnvironmentVariables, $"CNI_ARGS: VLAN {text} cannot apply to an overlay network (HNS takes a VLAN on l2bridge and transparent networks)");
        }

        return vlan;
    }

    private async Task<HostComputeEndpoint> CreateEndpointAsync(PluginRequest request, string endpointName, Guid networkId, IpLease lease, CancellationToken cancellationToken)
    {
        var endpoint = BuildEndpoint(request, endpointName, networkId, lease);
        try
        {
            return await context.Hcn.CreateEndpointAsync(networkId, endpoint, cancellationToken).ConfigureAwait(false);
        }
        catch (HcnException ex) when (ex.IsNotFound)
        {
            // HcnCreateEndpoint opens the network first: any not-found code means the network is gone
            // (0x80070490 from HcnOpenNetwork on real HNS, hcsshim hcn/hcnerrors_test.go; 0x803B0001 on some builds).
            context.Network.ReportNetworkMissing(ex.Info.Name);
            throw new CniException(CniError.Create(
                CniErrorCode.TryAgainLater,
                $"HCN network '{request.Config.Name}' ({networkId}) no longer exists; wincnid is recreating it, retry the ADD",
                ex.Facts), ex);
        }
    }

    /// <summary>
    /// The endpoint the dataplane created must hold every leased address: the answer lists what the endpoint has, and
    /// an address of a family the dataplane does not carry would otherwise be leased, answered and unreachable (the
    /// kernel dataplane once answered IPv6 it never configured). Rolled back with a precise error instead.
    /// </summary>
    private static void EnsureCarriesLease(HostComputeEndpoint created, IpLease lease)
    {
        var held = CniCommandContext.AddressesOf(created);
        var missing = lease.Addresses.Where(a => !held.Contains(a.Address)).Select(a => a.Address).ToList();
        if (missing.Count > 0)
        {
            throw new CniException(
                CniErrorCode.Internal,
                $"the dataplane created endpoint {created.Id} without {string.Join(", ", missing)}: it does not carry "
                + $"{string.Join(" and ", missing.Select(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4").Distinct())} "
                + "on this network; the ADD was rolled back (check the node network's podCIDRs against what the dataplane supports)");
        }
    }

    private async Task AttachAsync(Guid namespaceId, Guid endpointId, CancellationToken cancellationToken)
    {
        try
        {
            await context.Hcn.AddNamespaceEndpointAsync(namespaceId, endpointId, cancellationToken).ConfigureAwait(false);
        }
        catch (HcnException ex) when (ex.IsNotFound)
        {
            // The endpoint was created a moment ago under this attachment's lock, so what is missing is the namespace.
            throw new CniException(CniError.Create(
                CniErrorCode.UnknownContainer,
                $"CNI_NETNS: HCN namespace {namespaceId} does not exist (the pod sandbox is gone or the netns is wrong)",
                ex.Facts), ex);
        }
    }

    private HostComputeEndpoint BuildEndpoint(PluginRequest request, string endpointName, Guid networkId, IpLease lease)
    {
        var dns = results.DnsFor(request);
        var options = context.Options;
        return new HostComputeEndpoint
        {
            Name = endpointName,
            HostComputeNetwork = networkId,
            IpConfigurations = [.. lease.Addresses.Select(a => new IpConfig { IpAddress = a.Address.ToString(), PrefixLength = (byte)a.Subnet.PrefixLength })],
            Routes = [.. lease.Addresses.Select(a => new Route { NextHop = results.GatewayFor(a).ToString(), DestinationPrefix = CniResultBuilder.DefaultDestination(a.Family).ToString() })],
            Dns = dns.IsEmpty ? null : new Dns
            {
                Domain = dns.Domain,
                Search = dns.Search,
                ServerList = dns.Nameservers,
                Options = dns.Options,
            },
            Policies = EndpointPolicyBuilder.Build(new EndpointPolicyInputs
            {
                Mode = options.Mode,
                ClusterCidrs = options.ClusterCidrs,
                ServiceCidrs = options.ServiceCidrs,
                NodeIp = context.Network.Node?.NodeIp ?? options.NodeIp,
                PodAddresses = [.. lease.Addresses.Select(a => a.Address)],
                Dsr = options.Dsr,
                PortMappings = request.Config.RuntimeConfig?.PortMappings ?? [],
                OutboundNat = options.OutboundNat,
                Firewall = options.Firewall,
                Vlan = EndpointVlan(request, options.Mode),

                // Only where the dataplane names the pod's interface after it (KernelHcn); HNS names vNICs itself.
                InterfaceName = context.Attachments is null ? null : request.IfName,
            }),
        };
    }

    private async Task RollbackAsync(PluginRequest request, Guid networkId, RollbackEndpoint? endpoint, IpLease? lease, NetnsReference? createdNamespace, Exception failure)
    {
        // Each step catches everything: a rollback step must never replace the failure being rolled back.
        Log.AddRollingBack(Logger, failure, request.ContainerId, request.IfName);
        if (endpoint is not null
            && !await RetriedAsync("delete endpoint", request, () => DeleteCreatedEndpointAsync(networkId, endpoint)).ConfigureAwait(false))
        {
            // The addresses must outlive an endpoint that may still carry them: the lease (or the abandoned
            // reservation) stays, and reconciliation or the runtime's DEL finishes the rollback.
            return;
        }

        if (lease is not null)
        {
            await RetriedAsync("release lease", request, () => context.Ipam.ReleaseAsync(lease.Key, CancellationToken.None)).ConfigureAwait(false);
        }

        if (createdNamespace is { } netns)
        {
            await RetriedAsync("release namespace", request, () => context.Namespaces.ReleaseAsync(netns, CancellationToken.None)).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Deletes the endpoint this ADD made: by ID when the create call returned it, else by the attachment's name (a
    /// create can fail after the endpoint was made, e.g. when the dataplane could not persist it; the stale endpoints of
    /// that name were removed before, so whatever carries it now is this ADD's).
    /// </summary>
    private async Task DeleteCreatedEndpointAsync(Guid networkId, RollbackEndpoint endpoint)
    {
        if (endpoint.Id is { } id)
        {
            await context.Hcn.DeleteEndpointIfExistsAsync(id, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        foreach (var made in await context.Hcn.EnumerateEndpointsAsync(HostComputeQuery.ByName(endpoint.Name!), CancellationToken.None).ConfigureAwait(false))
        {
            if (made.HostComputeNetwork == networkId)
            {
                await context.Hcn.DeleteEndpointIfExistsAsync(made.Id, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Runs one rollback step, retrying with a short backoff (a disk or HNS hiccup); false when every attempt failed.</summary>
    private async Task<bool> RetriedAsync(string step, PluginRequest request, Func<Task> attempt)
    {
        for (var i = 0; ; i++)
        {
            try
            {
                await attempt().ConfigureAwait(false);
                return true;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                if (i + 1 >= RollbackAttempts)
                {
                    Log.RollbackStepFailed(Logger, ex, step, request.ContainerId, request.IfName, RollbackAttempts);
                    return false;
                }

                Log.RollbackStepRetried(Logger, ex, step, request.ContainerId, request.IfName);
                await Task.Delay(RollbackBackoff * (1 << (2 * i)), context.Time, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>What the rollback deletes: the endpoint by ID, or (when the create call failed) whatever carries the name.</summary>
    private sealed record RollbackEndpoint(Guid? Id, string? Name);

    private static partial class Log
    {
        [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "ADD {ContainerId}/{IfName}: endpoint {EndpointId} with {Addresses}")]
        public static partial void Added(ILogger logger, string containerId, string ifName, Guid endpointId, string addresses);

        [LoggerMessage(EventId = 5102, Level = LogLevel.Debug, Message = "ADD {ContainerId}/{IfName} repeated: endpoint {EndpointId} is intact, same result")]
        public static partial void AddRepeated(ILogger logger, string containerId, string ifName, Guid endpointId);

        [LoggerMessage(EventId = 5103, Level = LogLevel.Warning, Message = "ADD replaces stale endpoint {EndpointName} ({EndpointId})")]
        public static partial void StaleEndpointReplaced(ILogger logger, string endpointName, Guid endpointId);

        [LoggerMessage(EventId = 5104, Level = LogLevel.Warning, Message = "ADD {ContainerId}/{IfName} failed; rolling back")]
        public static partial void AddRollingBack(ILogger logger, Exception exception, string containerId, string ifName);

        [LoggerMessage(EventId = 5105, Level = LogLevel.Error, Message = "Rollback step '{Step}' of {ContainerId}/{IfName} failed {Attempts} times; its addresses stay held until reconciliation or DEL finishes it")]
        public static partial void RollbackStepFailed(ILogger logger, Exception exception, string step, string containerId, string ifName, int attempts);

        [LoggerMessage(EventId = 5110, Level = LogLevel.Warning, Message = "Rollback step '{Step}' of {ContainerId}/{IfName} failed; retrying")]
        public static partial void RollbackStepRetried(ILogger logger, Exception exception, string step, string containerId, string ifName);

        [LoggerMessage(EventId = 5111, Level = LogLevel.Warning, Message = "ADD {ContainerId}/{IfName} repeated: endpoint {EndpointId} is recorded as attached but the dataplane differs: {Problems}")]
        public static partial void InterfaceBroken(ILogger logger, string containerId, string ifName, Guid endpointId, string problems);

        [LoggerMessage(EventId = 5112, Level = LogLevel.Information, Message = "ADD {ContainerId}/{IfName} repaired the interface of endpoint {EndpointId}")]
        public static partial void InterfaceRepaired(ILogger logger, string containerId, string ifName, Guid endpointId);

        [LoggerMessage(EventId = 5113, Level = LogLevel.Warning, Message = "ADD {ContainerId}/{IfName} could not repair endpoint {EndpointId} in place; replacing it")]
        public static partial void InterfaceRepairFailed(ILogger logger, Exception exception, string containerId, string ifName, Guid endpointId);
    }
}
