using System.Net;
using System.Net.Sockets;
using Cni.Hcn;
using Cni.Hcn.Errors;
using Cni.Hcn.HostRouting;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;
using Cni.Node.Configuration;
using Cni.Node.Ipam;
using Cni.Node.Kubernetes.Flannel;
using Cni.Node.Networks;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Cni.Node.Peers;

/// <summary>
/// Level-triggered peer routing: from every other Node (its pod CIDRs and flannel annotations) computes the routes
/// this node needs, reads what the dataplane actually has, and applies the difference. Overlay: one RemoteSubnetRoute
/// network policy per peer pod CIDR (flannel pkg/backend/vxlan/vxlan_network_windows.go); l2bridge: one host route
/// per peer pod CIDR via the peer's node IP out of the network's management vNIC (flannel's host-gw,
/// pkg/backend/route_network_windows.go with pkg/backend/hostgw/hostgw_windows.go), through <see cref="IHostRouting"/>.
/// </summary>
/// <remarks>
/// Every pass starts from what exists, not from what the previous pass did, so routes removed out of band (or lost
/// with an HNS restart or a new vNIC) come back on the next pass, and a restarted daemon adopts what is there. On
/// overlay, RemoteSubnetRoutes of our network that no peer wants are removed: wincni owns that network. On l2bridge the
/// host's route table is shared, so only routes wincni can tell are its own go: a gateway route to a prefix inside a
/// cluster CIDR (narrower than it), or one this process added. Malformed peers are skipped with the reason and never
/// block the others. SDN routes an earlier wincni made for l2bridge peers are removed once.
/// </remarks>
public sealed partial class PeerRouteReconciler
{
    private readonly IHcn _hcn;
    private readonly IHostRouting _hostRouting;
    private readonly PodNetwork _network;
    private readonly NodeOptions _options;
    private readonly FlannelAnnotations _annotations;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, string> _lastSkipReasons = new(StringComparer.Ordinal);
    private readonly HashSet<HostRouteKey> _added = [];
    private volatile PeerReconcileReport? _last;
    private bool _legacySdnRoutesChecked;

    /// <summary>Creates the reconciler.</summary>
    /// <param name="hcn">The dataplane.</param>
    /// <param name="hostRouting">The host's route table (l2bridge peers).</param>
    /// <param name="network">The node network (its ID, readiness and host interfaces).</param>
    /// <param name="options">Mode, VNI, network name, cluster CIDRs.</param>
    /// <param name="annotations">The flannel annotation codec (prefix).</param>
    public PeerRouteReconciler(IHcn hcn, IHostRouting hostRouting, PodNetwork network, NodeOptions options, FlannelAnnotations annotations, ILogger<PeerRouteReconciler> logger)
    {
        ArgumentNullException.ThrowIfNull(hcn);
        ArgumentNullException.ThrowIfNull(hostRouting);
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(annotations);
        ArgumentNullException.ThrowIfNull(logger);
        _hcn = hcn;
        _hostRouting = hostRouting;
        _network = network;
        _options = options;
        _annotations = annotations;
        _logger = logger;
    }

    /// <summary>The last pass's report, or null before the first one (for status).</summary>
    public PeerReconcileReport? Last => _last;

    /// <summary>Brings the network's peer routes in line with <paramref name="nodes"/>.</summary>
    /// <param name="nodes">Every Node of the cluster (this one included; it is skipped by name).</param>
    /// <param name="selfName">This node's name.</param>
    /// <returns>What is desired and what changed.</returns>
    /// <exception cref="HcnException">HCN refused a change; the caller retries the pass with backoff.</exception>
    public async Task<PeerReconcileReport> ReconcileAsync(IEnumerable<V1Node> nodes, string selfName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(selfName);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var report = await ReconcileCoreAsync(nodes, selfName, cancellationToken).ConfigureAwait(false);
            _last = report;
            return report;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The routes wanted towards <paramref name="nodes"/>, and the nodes that get none (with why).</summary>
    /// <param name="nodes">Every Node of the cluster.</param>
    /// <param name="selfName">This node's name (skipped).</param>
    /// <param name="ownPodCidrs">This node's pod CIDRs: a peer claiming an overlapping range is refused.</param>
    /// <returns>Desired routes ordered by peer and prefix, and the skipped peers.</returns>
    public (IReadOnlyList<PeerRoute> Desired, IReadOnlyList<SkippedPeer> Skipped) Desire(IEnumerable<V1Node> nodes, string selfName, IReadOnlyList<IPNetwork> ownPodCidrs)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(ownPodCidrs);
        var desired = new List<PeerRoute>();
        var skipped = new List<SkippedPeer>();
        var overlay = _options.Mode == NetworkMode.Overlay;
        var wantedBackend = overlay ? FlannelBackendType.Vxlan : FlannelBackendType.HostGw;
        foreach (var node in nodes.OrderBy(n => n.Metadata?.Name, StringComparer.Ordinal))
        {
            var name = node.Metadata?.Name ?? "";
            if (name == selfName)
            {
                continue;
            }

            var parsed = _annotations.ParsePeer(node);
            if (!parsed.IsSuccess)
            {
                skipped.Add(new SkippedPeer(name, parsed.Error) { IsIncomplete = parsed.IsIncomplete });
                continue;
            }

            var peer = parsed.Peer;
            if (peer.BackendType != wantedBackend)
            {
                skipped.Add(new SkippedPeer(name, $"Node '{name}' uses backend {FlannelAnnotations.FormatBackendType(peer.BackendType)} but this node uses "
                    + $"{FlannelAnnotations.FormatBackendType(wantedBackend)} (mode {(overlay ? "overlay" : "l2bridge")}); every node of a cluster must use the same backend"));
                continue;
            }

            if (overlay && peer.Vni != _options.Vxlan.Vni)
            {
                skipped.Add(new SkippedPeer(name, $"Node '{name}' publishes VNI {peer.Vni} but this node uses VNI {_options.Vxlan.Vni}; the VXLAN networks cannot reach each other"));
                continue;
            }

            if (overlay && peer.VtepMac is null)
            {
                skipped.Add(new SkippedPeer(name, $"Node '{name}': annotation {_annotations.BackendData} has no VtepMAC"));
                continue;
            }

            foreach (var cidr in peer.PodCidrs)
            {
                // A pod range is routed via the peer's underlay address of its family: an IPv6 one (l2bridge
                // dual-stack) via public-ipv6 or the peer's IPv6 InternalIP; without one it gets no route.
                var via = cidr.BaseAddress.AddressFamily == peer.PublicIp.AddressFamily ? peer.PublicIp
                    : !overlay && _options.Mode.SupportsFamily(cidr.BaseAddress.AddressFamily) ? peer.PublicIpv6
                    : null;
                if (via is null || via.AddressFamily != cidr.BaseAddress.AddressFamily)
                {
                    continue;
                }

                if (ownPodCidrs.Any(own => Overlaps(own, cidr)))
                {
                    skipped.Add(new SkippedPeer(name, $"Node '{name}' claims pod CIDR {cidr}, which overlaps this node's own pod CIDR"));
                    continue;
                }

                if (desired.FirstOrDefault(d => Overlaps(d.Destination, cidr)) is { } taken)
                {
                    skipped.Add(new SkippedPeer(name, $"Node '{name}' claims pod CIDR {cidr}, which overlaps {taken.Destination} of Node '{taken.NodeName}'"));
                    continue;
                }

                desired.Add(new PeerRoute(
                    name,
                    cidr,
                    via,
                    overlay ? MacAddressText.ToDashForm(peer.VtepMac!) : null,
                    overlay ? _options.Vxlan.Vni : 0));
            }
        }

        return (desired, skipped);
    }

    private async Task<PeerReconcileReport> ReconcileCoreAsync(IEnumerable<V1Node> nodes, string selfName, CancellationToken cancellationToken)
    {
        if (_network.NetworkId is not { } networkId || !_network.IsReady)
        {
            return PeerReconcileReport.NotReady(_network.NotReadyReason ?? "the node network is not ready yet");
        }

        var ownCidrs = _network.Node?.PodCidrs ?? [];
        var (desired, skipped) = Desire(nodes, selfName, ownCidrs);
        LogSkips(skipped);
        var (added, removed) = _options.Mode == NetworkMode.Overlay
            ? await ApplyOverlayAsync(networkId, desired, cancellationToken).ConfigureAwait(false)
            : await ApplyL2BridgeAsync(networkId, desired, cancellationToken).ConfigureAwait(false);
        foreach (var route in removed)
        {
            Log.RouteRemoved(_logger, route.Destination.ToString(), route.Via.ToString());
        }

        foreach (var route in added)
        {
            Log.RouteAdded(_logger, route.NodeName, route.Destination.ToString(), route.Via.ToString(), route.VtepMac ?? "-");
        }

        return new PeerReconcileReport(desired, added, removed, skipped, null);
    }

    private async Task<(List<PeerRoute> Added, List<PeerRoute> Removed)> ApplyOverlayAsync(Guid networkId, IReadOnlyList<PeerRoute> desired, CancellationToken cancellationToken)
    {
        var network = await _hcn.GetNetworkAsync(networkId, cancellationToken).ConfigureAwait(false);
        var actual = (network.Policies ?? [])
            .Where(p => p.Type == NetworkPolicyType.RemoteSubnetRoute)
            .Select(p => (Policy: p, Route: ToPeerRoute(p.GetSettings<RemoteSubnetRoutePolicySetting>())))
            .ToList();
        var stale = actual.Where(a => a.Route is null || !desired.Any(d => SameOverlayRoute(d, a.Route))).ToList();
        var missing = desired.Where(d => !actual.Any(a => a.Route is not null && SameOverlayRoute(d, a.Route))).ToList();

        // Stale first: a peer whose MAC or address changed keeps its prefix, and HCN holds one route per prefix.
        if (stale.Count > 0)
        {
            await _hcn.RemoveNetworkPoliciesAsync(networkId, [.. stale.Select(s => s.Policy)], cancellationToken).ConfigureAwait(false);
        }

        if (missing.Count > 0)
        {
            var policies = missing.Select(route => NetworkPolicy.Create(new RemoteSubnetRoutePolicySetting
            {
                DestinationPrefix = route.Destination.ToString(),
                IsolationId = (uint)route.Vni,
                ProviderAddress = route.Via.ToString(),
                DistributedRouterMacAddress = route.VtepMac!,
            })).ToList();
            await _hcn.AddNetworkPoliciesAsync(networkId, policies, cancellationToken).ConfigureAwait(false);
        }

        return (missing, [.. stale.Select(s => s.Route ?? Unreadable())]);
    }

    private async Task<(List<PeerRoute> Added, List<PeerRoute> Removed)> ApplyL2BridgeAsync(Guid networkId, IReadOnlyList<PeerRoute> desired, CancellationToken cancellationToken)
    {
        await RemoveLegacySdnRoutesAsync(networkId, cancellationToken).ConfigureAwait(false);

        // The management vNIC is looked up on every pass: HNS gives it a new index when it rebuilds it (flannel#1858).
        var management = _network.HostInterfaces?.ManagementAddress
            ?? throw new InvalidOperationException($"the host interfaces of network '{_options.NetworkName}' are not known; the network reconcile finds them");
        var index = await _hostRouting.FindInterfaceIndexAsync(management, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"no host interface holds {management} (the management vNIC of network '{_options.NetworkName}'); the network reconcile waits for it");

        var wanted = desired.Select(d => (Peer: d, Route: new HostRoute(d.Destination, d.Via, index))).ToList();
        var families = wanted.Select(w => w.Route.Family).Append(AddressFamily.InterNetwork).Distinct();
        var actual = new List<HostRoute>();
        foreach (var family in families)
        {
            actual.AddRange(await _hostRouting.ListRoutesAsync(family, cancellationToken).ConfigureAwait(false));
        }

        // Stale first: a peer whose address changed keeps its prefix, and the replacement must not meet the old route.
        var removed = new List<PeerRoute>();
        foreach (var stale in actual.Where(r => IsOurs(r) && !wanted.Exists(w => w.Route.SameRoute(r))))
        {
            if (await _hostRouting.DeleteRouteAsync(stale, cancellationToken).ConfigureAwait(false))
            {
                removed.Add(new PeerRoute("", stale.Destination, stale.NextHop, null, 0));
            }

            lock (_added)
            {
                _added.Remove(HostRouteKey.Of(stale));
            }
        }

        var added = new List<PeerRoute>();
        foreach (var (peer, route) in wanted.Where(w => !actual.Exists(a => a.SameRoute(w.Route))))
        {
            try
            {
                await _hostRouting.AddRouteAsync(route, cancellationToken).ConfigureAwait(false);
                added.Add(peer);
            }
            catch (HostRoutingException ex) when (ex.Kind == HostRoutingErrorKind.AlreadyExists)
            {
                // Made between the listing and now: it is there, which is what was wanted.
            }

            lock (_added)
            {
                _added.Add(HostRouteKey.Of(route));
            }
        }

        return (added, removed);
    }

    /// <summary>
    /// A route of the host's table that wincni may remove: a gateway route to a prefix inside a cluster CIDR (and
    /// narrower than it), outside this node's own pod CIDRs, or one this process added. Everything else belongs to
    /// someone else.
    /// </summary>
    private bool IsOurs(HostRoute route)
    {
        if (route.IsOnLink)
        {
            return false;
        }

        lock (_added)
        {
            if (_added.Contains(HostRouteKey.Of(route)))
            {
                return true;
            }
        }

        var own = _network.Node?.PodCidrs ?? [];
        return _options.ClusterCidrs.Any(c => c.BaseAddress.AddressFamily == route.Family && c.PrefixLength < route.Destination.PrefixLength && c.Contains(route.Destination.BaseAddress))
            && !own.Any(o => Overlaps(o, route.Destination));
    }

    /// <summary>
    /// Earlier wincni versions routed l2bridge peers with SDN routes on the host endpoint. They are found by that
    /// endpoint's ID (which HNS must echo, since a route without endpoints is refused) or by the network's ID (which
    /// HNS documents only from schema 2.5, so it may not be echoed to a 2.0 query), and removed once per process.
    /// An HNS without the SDN route exports has none to remove.
    /// </summary>
    private async Task RemoveLegacySdnRoutesAsync(Guid networkId, CancellationToken cancellationToken)
    {
        if (_legacySdnRoutesChecked)
        {
            return;
        }

        try
        {
            var hostEndpoints = (await _hcn.FindEndpointsByNameAsync(EndpointNames.HostEndpointFor(_options.NetworkName), cancellationToken).ConfigureAwait(false))
                .Select(e => e.Id)
                .ToHashSet();
            foreach (var route in await _hcn.EnumerateSdnRoutesAsync(null, cancellationToken).ConfigureAwait(false))
            {
                if (route.HostComputeNetwork == networkId || (route.HostComputeEndpoints ?? []).Any(hostEndpoints.Contains))
                {
                    await _hcn.DeleteSdnRouteIfExistsAsync(route.Id, cancellationToken).ConfigureAwait(false);
                    Log.LegacySdnRouteRemoved(_logger, route.Id);
                }
            }
        }
        catch (HcnException ex) when (ex.HResult is HcnErrorCodes.ProcNotFound or HcnErrorCodes.NotImplemented)
        {
            // No SDN route exports on this HNS: nothing an earlier wincni could have made.
        }

        _legacySdnRoutesChecked = true;
    }

    private static PeerRoute? ToPeerRoute(RemoteSubnetRoutePolicySetting? setting) =>
        setting is not null
        && IPNetwork.TryParse(setting.DestinationPrefix, out var destination)
        && IPAddress.TryParse(setting.ProviderAddress, out var via)
        && MacAddressText.TryParse(setting.DistributedRouterMacAddress, out var mac)
            ? new PeerRoute("", destination, via, MacAddressText.ToDashForm(mac), (int)setting.IsolationId)
            : null;

    private static PeerRoute Unreadable() => new("", new IPNetwork(IPAddress.Any, 0), IPAddress.Any, null, 0);

    private static bool SameOverlayRoute(PeerRoute a, PeerRoute b) =>
        a.Destination.Equals(b.Destination) && a.Via.Equals(b.Via) && a.Vni == b.Vni
        && string.Equals(a.VtepMac, b.VtepMac, StringComparison.OrdinalIgnoreCase);

    private static bool Overlaps(IPNetwork a, IPNetwork b) =>
        a.BaseAddress.AddressFamily == b.BaseAddress.AddressFamily && (a.Contains(b.BaseAddress) || b.Contains(a.BaseAddress));

    private void LogSkips(IReadOnlyList<SkippedPeer> skipped)
    {
        // Log a skip when its reason changes, not on every pass: a periodic resync must not flood the log.
        lock (_lastSkipReasons)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var skip in skipped)
            {
                var key = skip.NodeName + "\n" + skip.Reason;
                seen.Add(key);
                if (_lastSkipReasons.TryAdd(key, skip.Reason))
                {
                    Log.PeerSkipped(_logger, skip.NodeName, skip.Reason);
                }
            }

            foreach (var stale in _lastSkipReasons.Keys.Where(k => !seen.Contains(k)).ToList())
            {
                _lastSkipReasons.Remove(stale);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "peer route to Node {NodeName}: {Destination} via {Via} (VTEP MAC {VtepMac})")]
        public static partial void RouteAdded(ILogger logger, string nodeName, string destination, string via, string vtepMac);

        [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "peer route removed: {Destination} via {Via}")]
        public static partial void RouteRemoved(ILogger logger, string destination, string via);

        [LoggerMessage(EventId = 402, Level = LogLevel.Warning, Message = "no route to Node {NodeName}: {Reason}")]
        public static partial void PeerSkipped(ILogger logger, string nodeName, string reason);

        [LoggerMessage(EventId = 403, Level = LogLevel.Information, Message = "SDN route {RouteId} of an earlier wincni removed: l2bridge peers are host routes now")]
        public static partial void LegacySdnRouteRemoved(ILogger logger, Guid routeId);
    }

    /// <summary>A route's identity (destination, next hop, interface) as a value.</summary>
    private readonly record struct HostRouteKey(IPNetwork Destination, IPAddress NextHop, int InterfaceIndex)
    {
        public static HostRouteKey Of(HostRoute route) => new(route.Destination, route.NextHop, route.InterfaceIndex);
    }
}
