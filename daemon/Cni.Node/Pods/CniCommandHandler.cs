using System.Net;
using System.Net.Sockets;
using System.Text;
using Cni.Hcn;
using Cni.Hcn.Errors;
using Cni.Hcn.Model;
using Cni.Node.Concurrency;
using Cni.Node.Configuration;
using Cni.Node.Dataplane;
using Cni.Node.Ipam;
using Cni.Node.Networks;
using Cni.Node.Policies;
using Cni.Spec;
using Cni.Spec.Results;
using Cni.Spec.Wire;
using Microsoft.Extensions.Logging;

namespace Cni.Node.Pods;

/// <summary>
/// The endpoint lifecycle behind the CNI commands: ADD, DEL, CHECK, STATUS and GC on the node network.
/// </summary>
/// <remarks>
/// <para>Every request is re-validated with <see cref="PluginInvocation.Parse"/>, so any client of the socket gets the
/// same checks as the <c>wincni</c> executable. Work on one attachment (container ID, ifName) is serialized by a keyed
/// lock shared with <see cref="NodeNetwork"/>'s reconciliation; different attachments never wait for each other, only
/// for HCN call slots (see <see cref="BoundedHcn"/>).</para>
/// <para>ADD: validate everything (config, port mappings) → look up the endpoint by its deterministic name → if the lease,
/// the endpoint, its network, namespace and addresses all agree, answer with the same result (idempotent, 1 HCN call)
/// → else remove the stale endpoint, lease the address, create the endpoint, attach it (3 HCN calls fresh). Any failure
/// rolls back what this ADD created: the endpoint, the lease (the address goes to quarantine), a namespace the resolver
/// created. DEL: endpoint first, lease after; "already gone" is success at every step.</para>
/// </remarks>
public sealed partial class CniCommandHandler : ICniCommandHandler
{
    private readonly IHcn _hcn;
    private readonly IIpamStore _ipam;
    private readonly NodeNetwork _network;
    private readonly INamespaceResolver _namespaces;
    private readonly NodeOptions _options;
    private readonly KeyedAsyncLock<LeaseKey> _locks;
    private readonly ILogger _logger;

    /// <summary>Creates the handler.</summary>
    /// <param name="hcn">The dataplane (the same, bounded, instance <see cref="NodeNetwork"/> uses).</param>
    /// <param name="ipam">The IPAM store.</param>
    /// <param name="network">The node network (readiness, network ID, node IP).</param>
    /// <param name="namespaces">CNI_NETNS → HCN namespace (<see cref="HcnNamespaceResolver"/> on Windows).</param>
    /// <param name="options">The node config.</param>
    /// <param name="attachmentLocks">The per-attachment locks shared with <paramref name="network"/>.</param>
    /// <param name="logger">Logger.</param>
    public CniCommandHandler(
        IHcn hcn,
        IIpamStore ipam,
        NodeNetwork network,
        INamespaceResolver namespaces,
        NodeOptions options,
        KeyedAsyncLock<LeaseKey> attachmentLocks,
        ILogger<CniCommandHandler> logger)
    {
        ArgumentNullException.ThrowIfNull(hcn);
        ArgumentNullException.ThrowIfNull(ipam);
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(namespaces);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(attachmentLocks);
        ArgumentNullException.ThrowIfNull(logger);
        _hcn = hcn;
        _ipam = ipam;
        _network = network;
        _namespaces = namespaces;
        _options = options;
        _locks = attachmentLocks;
        _logger = logger;
    }

    /// <inheritdoc/>
    public async Task<CniOutcome> HandleAsync(DaemonRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        byte[] stdin = request.Config.ValueKind == System.Text.Json.JsonValueKind.Undefined
            ? []
            : Encoding.UTF8.GetBytes(request.Config.GetRawText());
        var version = PluginInvocation.PeekVersion(stdin);
        PluginRequest? parsed = null;
        try
        {
            if (CniCommands.TryParse(request.Command, out var command) && command == CniCommand.Version)
            {
                return CniOutcome.Success(VersionInfo.ResponseFor(stdin));
            }

            parsed = PluginInvocation.Parse(name => Environment(request, name), stdin);
            version = parsed.CniVersion;
            var result = parsed.Command switch
            {
                CniCommand.Add => await AddAsync(parsed, cancellationToken).ConfigureAwait(false),
                CniCommand.Del => await DelAsync(parsed, cancellationToken).ConfigureAwait(false),
                CniCommand.Check => await CheckAsync(parsed, cancellationToken).ConfigureAwait(false),
                CniCommand.Status => await StatusAsync(parsed, cancellationToken).ConfigureAwait(false),
                CniCommand.Gc => await GcAsync(parsed, cancellationToken).ConfigureAwait(false),
                _ => throw new CniException(CniErrorCode.InvalidEnvironmentVariables, $"CNI_COMMAND: '{request.Command}' is not handled by wincnid"),
            };
            return CniOutcome.Success(result);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            var error = CniErrors.From(ex, CniVersion.IsSupported(version) ? version : CniVersion.Latest);
            Log.CommandFailed(_logger, request.Command, request.ContainerId, request.IfName, (int)error.Code, error.Msg);
            return CniOutcome.Failure(error);
        }
    }

    private static string? Environment(DaemonRequest request, string name) => name switch
    {
        CniEnvironment.Command => request.Command,
        CniEnvironment.ContainerId => request.ContainerId,
        CniEnvironment.Netns => request.Netns,
        CniEnvironment.IfName => request.IfName,
        CniEnvironment.Args => request.Args,
        CniEnvironment.Path => request.Path,
        _ => null,
    };

    // ---------------------------------------------------------------- ADD

    private async Task<byte[]?> AddAsync(PluginRequest request, CancellationToken cancellationToken)
    {
        EnsureOurNetwork(request);
        var networkId = RequireReady();
        var key = new LeaseKey(request.ContainerId, request.IfName);
        var owner = new LeaseOwner(request.Config.Name, request.Netns, request.Args.K8sPodNamespace, request.Args.K8sPodName);
        var netns = request.NetnsReference;
        var endpointName = EndpointNames.For(request.Config.Name, request.ContainerId, request.IfName);

        // Validate what the request asks of the endpoint before anything changes (bad port mappings name their field).
        _ = EndpointPolicyBuilder.Build(PolicyInputs(request, [.. _ipam.Pools.Select(p => p.Gateway)]));

        using var held = await _locks.AcquireAsync(key, cancellationToken).ConfigureAwait(false);
        var existingLease = await _ipam.GetAsync(key, cancellationToken).ConfigureAwait(false);
        var existing = await _hcn.EnumerateEndpointsAsync(HostComputeQuery.ByName(endpointName), cancellationToken).ConfigureAwait(false);
        Task<ResolvedNamespace> namespaceTask;
        if (existingLease is not null && existing.Count == 1)
        {
            var resolved = await _namespaces.ResolveForAttachAsync(netns, cancellationToken).ConfigureAwait(false);
            if (IsIntact(existing[0], networkId, resolved.Id, existingLease))
            {
                Log.AddRepeated(_logger, request.ContainerId, request.IfName, existing[0].Id);
                return CniJson.Serialize(BuildResult(request, existingLease, existing[0]));
            }

            namespaceTask = Task.FromResult(resolved);
        }
        else
        {
            // A fresh attachment: the namespace is resolved (on a kernel node, created) while the address is leased
            // and the endpoint created; only the attach needs both.
            namespaceTask = Task.Run(() => _namespaces.ResolveForAttachAsync(netns, cancellationToken), CancellationToken.None);
        }

        HostComputeEndpoint? created = null;
        IpLease? lease = null;
        var durable = Task.CompletedTask;
        ResolvedNamespace? ns = null;
        try
        {
            // Whatever carries this attachment's name but does not match is stale (a half-finished ADD, an endpoint
            // left after an HNS restart): remove it so the address and the name are never used twice.
            foreach (var stale in existing)
            {
                await DeleteEndpointIfPresentAsync(stale.Id, cancellationToken).ConfigureAwait(false);
                Log.StaleEndpointReplaced(_logger, stale.Name ?? endpointName, stale.Id);
            }

            // The lease's fsync runs while the endpoint is created and attached; the answer waits for both. A crash
            // in between leaves at worst an endpoint without a durable lease, which reconciliation deletes.
            var reservation = await _ipam.ReserveAsync(key, owner, cancellationToken).ConfigureAwait(false);
            lease = reservation.Lease;
            durable = reservation.Durable;
            var endpoint = BuildEndpoint(request, endpointName, networkId, lease);
            try
            {
                created = await _hcn.CreateEndpointAsync(networkId, endpoint, cancellationToken).ConfigureAwait(false);
            }
            catch (HcnException ex) when (ex.HResult == HcnErrorCodes.NetworkNotFound)
            {
                _network.ReportNetworkMissing(ex.Info.Name);
                throw new CniException(CniError.Create(
                    CniErrorCode.TryAgainLater,
                    $"HCN network '{request.Config.Name}' ({networkId}) no longer exists; wincnid is recreating it, retry the ADD",
                    CniErrors.Details(ex)), ex);
            }

            ns = await namespaceTask.ConfigureAwait(false);
            try
            {
                await _hcn.AddNamespaceEndpointAsync(ns.Id, created.Id, cancellationToken).ConfigureAwait(false);
            }
            catch (HcnException ex) when (ex.HResult == HcnErrorCodes.ElementNotFound)
            {
                throw new CniException(CniError.Create(
                    CniErrorCode.UnknownContainer,
                    $"CNI_NETNS: HCN namespace {ns.Id} does not exist (the pod sandbox is gone or the netns is wrong)",
                    CniErrors.Details(ex)), ex);
            }

            await durable.ConfigureAwait(false);
            Log.Added(_logger, request.ContainerId, request.IfName, created.Id, string.Join(",", lease.Addresses));
            return CniJson.Serialize(BuildResult(request, lease, created));
        }
        catch (Exception failure)
        {
            // The namespace resolution may still be running (or be what failed): its outcome decides what to release.
            ns ??= await OutcomeOrNullAsync(namespaceTask).ConfigureAwait(false);

            // A failed fsync has already rolled its reservation back; either way the release below waits for it.
            await SettledAsync(durable).ConfigureAwait(false);

            // Not cancellable: a rollback cut short would leak exactly what it exists to remove.
            await RollbackAsync(request, created, existingLease is null ? lease : null, ns?.Created == true ? netns : null, failure).ConfigureAwait(false);
            throw;
        }
    }

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

    private static async Task<ResolvedNamespace?> OutcomeOrNullAsync(Task<ResolvedNamespace> resolution)
    {
        try
        {
            return await resolution.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is CniException or HcnException or OperationCanceledException or IOException)
        {
            // Failed resolutions created nothing (resolvers undo their own half-made namespace).
            return null;
        }
    }

    private async Task RollbackAsync(PluginRequest request, HostComputeEndpoint? created, IpLease? lease, NetnsReference? createdNamespace, Exception failure)
    {
        Log.AddRollingBack(_logger, failure, request.ContainerId, request.IfName);
        if (created is not null)
        {
            try
            {
                await DeleteEndpointIfPresentAsync(created.Id, CancellationToken.None).ConfigureAwait(false);
            }
            catch (HcnException ex)
            {
                // The lease must outlive an endpoint that could not be deleted; reconciliation or DEL retries.
                Log.RollbackStepFailed(_logger, ex, "delete endpoint", request.ContainerId, request.IfName);
                return;
            }
        }

        if (lease is not null)
        {
            try
            {
                await _ipam.ReleaseAsync(lease.Key, CancellationToken.None).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                Log.RollbackStepFailed(_logger, ex, "release lease", request.ContainerId, request.IfName);
            }
        }

        if (createdNamespace is { } netns)
        {
            try
            {
                await _namespaces.ReleaseAsync(netns, CancellationToken.None).ConfigureAwait(false);
            }
            catch (HcnException ex)
            {
                Log.RollbackStepFailed(_logger, ex, "release namespace", request.ContainerId, request.IfName);
            }
        }
    }

    private HostComputeEndpoint BuildEndpoint(PluginRequest request, string name, Guid networkId, IpLease lease)
    {
        var dns = SelectDns(request);
        return new HostComputeEndpoint
        {
            Name = name,
            HostComputeNetwork = networkId,
            IpConfigurations = [.. lease.Addresses.Select(a => new IpConfig { IpAddress = a.Address.ToString(), PrefixLength = (byte)a.Subnet.PrefixLength })],
            Routes = [.. lease.Addresses.Select(a => new Route { NextHop = GatewayFor(a).ToString(), DestinationPrefix = DefaultDestination(a.Family).ToString() })],
            Dns = dns.IsEmpty ? null : new Hcn.Model.Dns
            {
                Domain = dns.Domain,
                Search = dns.Search,
                ServerList = dns.Nameservers,
                Options = dns.Options,
            },
            Policies = EndpointPolicyBuilder.Build(PolicyInputs(request, [.. lease.Addresses.Select(a => a.Address)])),
        };
    }

    private EndpointPolicyInputs PolicyInputs(PluginRequest request, IReadOnlyList<IPAddress> podAddresses) => new()
    {
        Mode = _options.Mode,
        ClusterCidrs = _options.ClusterCidrs,
        ServiceCidrs = _options.ServiceCidrs,
        NodeIp = _network.Node?.NodeIp ?? _options.NodeIp,
        PodAddresses = podAddresses,
        Dsr = _options.Dsr,
        PortMappings = request.Config.RuntimeConfig?.PortMappings ?? [],
    };

    /// <summary>runtimeConfig.dns (the pod's dnsConfig) wins, then the network config's dns, then the node config's.</summary>
    private CniDns SelectDns(PluginRequest request)
    {
        if (request.Config.RuntimeConfig?.Dns is { } runtime && (runtime.Servers.Count > 0 || runtime.Searches.Count > 0 || runtime.Options.Count > 0))
        {
            return new CniDns { Nameservers = runtime.Servers, Search = runtime.Searches, Options = runtime.Options };
        }

        if (request.Config.Dns is { IsEmpty: false } configured)
        {
            return configured;
        }

        var node = _options.Dns;
        return new CniDns { Nameservers = node.Nameservers, Domain = node.Domain, Search = node.Search, Options = node.Options };
    }

    private CniResult BuildResult(PluginRequest request, IpLease lease, HostComputeEndpoint endpoint)
    {
        var dns = SelectDns(request);
        return new CniResult
        {
            CniVersion = request.CniVersion,
            Interfaces = [new ResultInterface { Name = request.IfName, Mac = CniMac(endpoint.MacAddress), Mtu = _options.Mtu, Sandbox = request.Netns }],
            Ips = [.. lease.Addresses.Select(a => new ResultIpConfig { Address = new IpAddressWithPrefix(a.Address, a.Subnet.PrefixLength), Gateway = GatewayFor(a), Interface = 0 })],
            Routes = [.. lease.Addresses.Select(a => new ResultRoute { Dst = DefaultDestination(a.Family), Gw = GatewayFor(a) })],
            Dns = dns.IsEmpty ? null : dns,
        };
    }

    /// <summary>L2Bridge pods route via the host endpoint (.2), Overlay pods via the subnet gateway (.1).</summary>
    private IPAddress GatewayFor(LeasedAddress address)
    {
        var pool = _ipam.Pools.FirstOrDefault(p => p.Contains(address.Address))
            ?? IpPool.Create(address.Subnet.ToString(), _options.Mode, "podCIDRs");
        return pool.HostEndpoint ?? pool.Gateway;
    }

    private static IpAddressWithPrefix DefaultDestination(AddressFamily family) =>
        family == AddressFamily.InterNetworkV6 ? new(IPAddress.IPv6Any, 0) : new(IPAddress.Any, 0);

    /// <summary>HCN's dash form (00-15-5D-52-C0-00) → CNI's colon form (00:15:5d:52:c0:00).</summary>
    private static string? CniMac(string? mac) =>
        string.IsNullOrEmpty(mac) ? null : mac.Replace('-', ':').ToLowerInvariant();

    private static bool IsIntact(HostComputeEndpoint endpoint, Guid networkId, Guid namespaceId, IpLease lease) =>
        endpoint.HostComputeNetwork == networkId
        && endpoint.HostComputeNamespace == namespaceId
        && AddressesOf(endpoint).SetEquals(lease.Addresses.Select(a => a.Address));

    private static HashSet<IPAddress> AddressesOf(HostComputeEndpoint endpoint) =>
        [.. (endpoint.IpConfigurations ?? []).Select(c => IPAddress.TryParse(c.IpAddress, out var a) ? a : null).OfType<IPAddress>()];

    // ---------------------------------------------------------------- DEL

    private async Task<byte[]?> DelAsync(PluginRequest request, CancellationToken cancellationToken)
    {
        if (!IsOurNetwork(request))
        {
            // Nothing of another network can exist here: ADD refuses foreign names.
            return null;
        }

        var key = new LeaseKey(request.ContainerId, request.IfName);
        var endpointName = EndpointNames.For(request.Config.Name, request.ContainerId, request.IfName);
        using var held = await _locks.AcquireAsync(key, cancellationToken).ConfigureAwait(false);

        // Endpoint first: if it cannot be deleted, the address stays leased and the DEL fails (the runtime retries).
        var endpoints = await _hcn.EnumerateEndpointsAsync(HostComputeQuery.ByName(endpointName), cancellationToken).ConfigureAwait(false);
        foreach (var endpoint in endpoints)
        {
            await DeleteEndpointIfPresentAsync(endpoint.Id, cancellationToken).ConfigureAwait(false);
        }

        // containerd sends DEL without CNI_NETNS: the namespace to release is then the one the ADD recorded.
        NetnsReference? netns = request.NetnsReference.Kind != NetnsKind.Empty
            ? request.NetnsReference
            : await _ipam.GetAsync(key, cancellationToken).ConfigureAwait(false) is { Owner.Netns: { Length: > 0 } recorded }
                ? NetnsReference.Classify(recorded)
                : null;

        // The address and the namespace are independent once the endpoint is gone: release them side by side (the
        // journal's fsync and the namespace's own commit overlap instead of adding up).
        var namespaceRelease = netns is not { Kind: not NetnsKind.Empty } target
            ? Task.CompletedTask
            : Task.Run(() => ReleaseNamespaceAsync(target, cancellationToken), CancellationToken.None);
        IpLease? released;
        try
        {
            released = await _ipam.ReleaseAsync(key, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await namespaceRelease.ConfigureAwait(false);
        }

        Log.Deleted(_logger, request.ContainerId, request.IfName, endpoints.Count, released is not null);
        return null;
    }

    private async Task ReleaseNamespaceAsync(NetnsReference netns, CancellationToken cancellationToken)
    {
        try
        {
            await _namespaces.ReleaseAsync(netns, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HcnException or CniException)
        {
            Log.NamespaceReleaseFailed(_logger, ex, netns.Raw);
        }
    }

    private async Task DeleteEndpointIfPresentAsync(Guid endpointId, CancellationToken cancellationToken)
    {
        try
        {
            await _hcn.DeleteEndpointAsync(endpointId, cancellationToken).ConfigureAwait(false);
        }
        catch (HcnException ex) when (ex.IsNotFound)
        {
            // Already gone: the goal of the delete.
        }
    }

    // ---------------------------------------------------------------- CHECK

    private async Task<byte[]?> CheckAsync(PluginRequest request, CancellationToken cancellationToken)
    {
        EnsureOurNetwork(request);
        var networkId = RequireReady();
        var prev = request.Config.PrevResult!;
        var index = -1;
        for (var i = 0; i < prev.Interfaces.Count; i++)
        {
            if (string.Equals(prev.Interfaces[i].Name, request.IfName, StringComparison.Ordinal))
            {
                index = i;
                break;
            }
        }

        if (index < 0)
        {
            throw new CniException(CniErrorCode.InvalidNetworkConfig, $"prevResult.interfaces: no interface named '{request.IfName}' (CNI_IFNAME)");
        }

        var expected = prev.Ips.Where(ip => ip.Interface == index).Select(ip => ip.Address.Address).ToHashSet();
        if (expected.Count == 0)
        {
            throw new CniException(CniErrorCode.InvalidNetworkConfig, $"prevResult.ips: no address for interface {index} ('{request.IfName}')");
        }

        var key = new LeaseKey(request.ContainerId, request.IfName);
        var endpointName = EndpointNames.For(request.Config.Name, request.ContainerId, request.IfName);
        using var held = await _locks.AcquireAsync(key, cancellationToken).ConfigureAwait(false);

        var lease = await _ipam.GetAsync(key, cancellationToken).ConfigureAwait(false)
            ?? throw Check($"no IP lease for {key}: the ADD never completed, or DEL/GC released it");
        var endpoints = await _hcn.EnumerateEndpointsAsync(HostComputeQuery.ByName(endpointName), cancellationToken).ConfigureAwait(false);
        if (endpoints.Count == 0)
        {
            throw Check($"HCN endpoint {endpointName} does not exist: it was deleted out of band or lost in an HNS restart; delete and re-create the pod");
        }

        var endpoint = endpoints.FirstOrDefault(e => e.HostComputeNetwork == networkId)
            ?? throw Check($"HCN endpoint {endpointName} is on network {endpoints[0].HostComputeNetwork}, not on the node network {networkId}");

        var namespaceId = await _namespaces.FindAsync(request.NetnsReference, cancellationToken).ConfigureAwait(false)
            ?? throw Check($"CNI_NETNS: namespace '{request.Netns}' does not exist");
        if (endpoint.HostComputeNamespace == Guid.Empty)
        {
            throw Check($"HCN endpoint {endpointName} ({endpoint.Id}) is not attached to any namespace; expected {namespaceId} (CNI_NETNS)");
        }

        if (endpoint.HostComputeNamespace != namespaceId)
        {
            throw Check($"HCN endpoint {endpointName} ({endpoint.Id}) is attached to namespace {endpoint.HostComputeNamespace}, not to {namespaceId} (CNI_NETNS)");
        }

        var actual = AddressesOf(endpoint);
        if (!actual.SetEquals(expected))
        {
            throw Check($"prevResult.ips lists [{Join(expected)}] for '{request.IfName}' but HCN endpoint {endpointName} has [{Join(actual)}]");
        }

        var leased = lease.Addresses.Select(a => a.Address).ToHashSet();
        if (!leased.SetEquals(actual))
        {
            throw Check($"IPAM leases [{Join(leased)}] to {key} but HCN endpoint {endpointName} has [{Join(actual)}]");
        }

        return null;
    }

    private static CniException Check(string message) => new(CniErrorCode.Internal, "CHECK: " + message);

    private static string Join(IEnumerable<IPAddress> addresses) => string.Join(", ", addresses.Select(a => a.ToString()).Order(StringComparer.Ordinal));

    // ---------------------------------------------------------------- STATUS

    private async Task<byte[]?> StatusAsync(PluginRequest request, CancellationToken cancellationToken)
    {
        EnsureOurNetwork(request);
        if (!_network.IsReady || _network.NetworkId is not { } networkId)
        {
            throw new CniException(CniErrorCode.PluginNotAvailable, "wincnid cannot serve ADD: " + (_network.NotReadyReason ?? "the node network is not ready"));
        }

        try
        {
            await _hcn.GetNetworkAsync(networkId, cancellationToken).ConfigureAwait(false);
        }
        catch (HcnException ex) when (ex.IsNotFound)
        {
            _network.ReportNetworkMissing(ex.Info.Name);
            throw new CniException(CniError.Create(
                CniErrorCode.PluginNotAvailable,
                $"HCN network '{request.Config.Name}' ({networkId}) no longer exists; wincnid recreates it on its next reconcile",
                CniErrors.Details(ex)), ex);
        }
        catch (HcnException ex)
        {
            throw new CniException(CniError.Create(
                CniErrors.IsTransient(ex) ? CniErrorCode.TryAgainLater : CniErrorCode.PluginNotAvailable,
                "HNS cannot be queried: " + ex.Message,
                CniErrors.Details(ex)), ex);
        }

        foreach (var pool in _ipam.GetUsage())
        {
            if (pool.Free > 0)
            {
                continue;
            }

            if (pool.Quarantined > 0)
            {
                throw new CniException(
                    CniErrorCode.TryAgainLater,
                    $"IP pool {pool.Cidr} has no free address: {pool.Leased} leased, {pool.Quarantined} in quarantine (free again after {_options.IpQuarantine})");
            }

            throw new CniException(
                CniErrorCode.PluginNotAvailable,
                $"IP pool {pool.Cidr} is exhausted: all {pool.Leased} assignable addresses are leased. Fix: delete unused pods, or give the node a larger podCIDR");
        }

        return null;
    }

    // ---------------------------------------------------------------- GC

    private async Task<byte[]?> GcAsync(PluginRequest request, CancellationToken cancellationToken)
    {
        if (!IsOurNetwork(request) || request.Config.ValidAttachments is not { } valid)
        {
            // Absent lists mean "nothing to do", never "everything is garbage" (cni-spec §2 GC).
            return null;
        }

        var name = request.Config.Name;
        var validNames = valid.Select(a => EndpointNames.For(name, a.ContainerId, a.IfName)).ToHashSet(StringComparer.Ordinal);
        var errors = new List<string>();
        var undeletable = new HashSet<string>(StringComparer.Ordinal);

        var networkId = _network.NetworkId;
        if (networkId is null)
        {
            var networks = await _hcn.EnumerateNetworksAsync(HostComputeQuery.ByName(name), cancellationToken).ConfigureAwait(false);
            networkId = networks.Count == 0 ? null : networks[0].Id;
        }

        var deleted = 0;
        if (networkId is { } id)
        {
            var endpoints = await _hcn.EnumerateEndpointsAsync(HostComputeQuery.EndpointsOfNetwork(id), cancellationToken).ConfigureAwait(false);
            foreach (var endpoint in endpoints.Where(e => EndpointNames.IsOwned(e.Name, name) && !validNames.Contains(e.Name!)))
            {
                try
                {
                    await DeleteEndpointIfPresentAsync(endpoint.Id, cancellationToken).ConfigureAwait(false);
                    deleted++;
                }
                catch (HcnException ex)
                {
                    undeletable.Add(endpoint.Name!);
                    errors.Add($"delete endpoint {endpoint.Name} ({endpoint.Id}): {ex.Message} [{CniErrors.Details(ex)}]");
                }
            }
        }

        // Leases whose endpoint could not be deleted are kept: endpoint first, address after.
        var leases = await _ipam.ListAsync(cancellationToken).ConfigureAwait(false);
        var keep = leases
            .Where(l => l.Owner.NetworkName == name && undeletable.Contains(EndpointNames.For(name, l.Key.ContainerId, l.Key.IfName)))
            .Select(l => l.Key)
            .Concat(valid.Select(TryKey).OfType<LeaseKey>())
            .ToList();
        var released = await _ipam.ReleaseAllExceptAsync(keep, name, cancellationToken).ConfigureAwait(false);

        foreach (var lease in released.Where(l => l.Owner.Netns is not null))
        {
            try
            {
                await _namespaces.ReleaseAsync(NetnsReference.Classify(lease.Owner.Netns), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HcnException or CniException)
            {
                Log.NamespaceReleaseFailed(_logger, ex, lease.Owner.Netns!);
            }
        }

        Log.GarbageCollected(_logger, name, deleted, released.Count, errors.Count);
        if (errors.Count > 0)
        {
            throw new CniException(CniErrorCode.Internal, $"GC finished with {errors.Count} error(s); the rest was collected", string.Join("; ", errors));
        }

        return null;
    }

    private static LeaseKey? TryKey(GcAttachment attachment)
    {
        try
        {
            return new LeaseKey(attachment.ContainerId, attachment.IfName);
        }
        catch (ArgumentException)
        {
            return null; // cannot name a lease, so it keeps nothing
        }
    }

    // ---------------------------------------------------------------- shared

    private bool IsOurNetwork(PluginRequest request) =>
        string.Equals(request.Config.Name, _options.NetworkName, StringComparison.Ordinal);

    private void EnsureOurNetwork(PluginRequest request)
    {
        if (!IsOurNetwork(request))
        {
            throw new CniException(
                CniErrorCode.InvalidNetworkConfig,
                $"name: '{request.Config.Name}' is not the network wincnid serves ('{_options.NetworkName}'); the conflist's name must equal the node config's networkName");
        }
    }

    private Guid RequireReady()
    {
        if (!_network.IsReady || _network.NetworkId is not { } networkId)
        {
            throw new CniException(CniErrorCode.TryAgainLater, "wincnid is not ready: " + (_network.NotReadyReason ?? "the node network is not ready"));
        }

        return networkId;
    }
}
