using System.Net;
using Cni.Hcn;
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
/// this node needs, reads what the HCN network actually has, and applies the difference. Overlay: one
/// RemoteSubnetRoute network policy per peer pod CIDR (flannel's Windows step 7); l2bridge: one SDN route per peer
/// pod CIDR via the peer's node IP, on the network's host endpoint.
/// </summary>
/// <remarks>
/// Every pass starts from the HCN objects, not from what the previous pass did, so routes removed out of band (or
/// lost with an HNS restart) come back on the next pass, and a restarted daemon adopts what is there. Routes of our
/// network that no peer wants are removed: wincni owns that network. Malformed peers are skipped with the reason and
/// never block the others.
/// </remarks>
public sealed partial class PeerRouteReconciler
{
    private readonly IHcn _hcn;
    private readonly PodNetwork _network;
    private readonly NodeOptions _options;
    private readonly FlannelAnnotations _annotations;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, string> _lastSkipReasons = new(StringComparer.Ordinal);
    private volatile PeerReconcileReport? _last;

    /// <summary>Creates the reconciler.</summary>
    /// <param name="hcn">The dataplane.</param>
    /// <param name="network">The node network (its ID and readiness).</param>
    /// <param name="options">Mode, VNI, network name.</param>
    /// <param name="annotations">The flannel annotation codec (prefix).</param>
    public PeerRouteReconciler(IHcn hcn, PodNetwork network, NodeOptions options, FlannelAnnotations annotations, ILogger<PeerRouteReconciler> logger)
    {
        ArgumentNullException.ThrowIfNull(hcn);
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(annotations);
        ArgumentNullException.ThrowIfNull(logger);
        _hcn = hcn;
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
                skipped.Add(new SkippedPeer(name, parsed.Error));
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
        var routes = (await _hcn.EnumerateSdnRoutesAsync(null, cancellationToken).ConfigureAwait(false))
            .Where(r => r.HostComputeNetwork == networkId)
            .ToList();
        var actual = routes
            .SelectMany(r => (r.Routes ?? []).Select(setting => (Route: r, Peer: ToPeerRoute(setting))))
            .ToList();
        var removed = new List<PeerRoute>();
        foreach (var route in routes)
        {
            var settings = route.Routes ?? [];
            var keep = settings.Count == 1 && ToPeerRoute(settings[0]) is { } only && desired.Any(d => SameBridgeRoute(d, only));
            if (!keep)
            {
                await _hcn.DeleteSdnRouteIfExistsAsync(route.Id, cancellationToken).ConfigureAwait(false);
                removed.AddRange(settings.Select(s => ToPeerRoute(s) ?? Unreadable()));
            }
        }

        var missing = desired
            .Where(d => !actual.Any(a => a.Peer is not null && SameBridgeRoute(d, a.Peer) && a.Route.Routes!.Count == 1))
            .ToList();
        if (missing.Count > 0)
        {
            var hostEndpoint = (await _hcn.FindEndpointsByNameAsync(EndpointNames.HostEndpointFor(_options.NetworkName), cancellationToken).ConfigureAwait(false))
                .FirstOrDefault()
                ?? throw new InvalidOperationException($"the host endpoint {EndpointNames.HostEndpointFor(_options.NetworkName)} of network '{_options.NetworkName}' is missing; the network reconcile recreates it");
            foreach (var route in missing)
            {
                await _hcn.CreateSdnRouteAsync(
                    new HostComputeRoute
                    {
                        HostComputeNetwork = networkId,
                        HostComputeEndpoints = [hostEndpoint.Id],
                        Routes = [new SdnRoutePolicySetting { DestinationPrefix = route.Destination.ToString(), NextHop = route.Via.ToString() }],
                    },
                    cancellationToken).ConfigureAwait(false);
            }
        }

        return (missing, removed);
    }

    private static PeerRoute? ToPeerRoute(RemoteSubnetRoutePolicySetting? setting) =>
        setting is not null
        && IPNetwork.TryParse(setting.DestinationPrefix, out var destination)
        && IPAddress.TryParse(setting.ProviderAddress, out var via)
        && MacAddressText.TryParse(setting.DistributedRouterMacAddress, out var mac)
            ? new PeerRoute("", destination, via, MacAddressText.ToDashForm(mac), (int)setting.IsolationId)
            : null;

    private static PeerRoute? ToPeerRoute(SdnRoutePolicySetting setting) =>
        IPNetwork.TryParse(setting.DestinationPrefix, out var destination) && IPAddress.TryParse(setting.NextHop, out var via)
            ? new PeerRoute("", destination, via, null, 0)
            : null;

    private static PeerRoute Unreadable() => new("", new IPNetwork(IPAddress.Any, 0), IPAddress.Any, null, 0);

    private static bool SameOverlayRoute(PeerRoute a, PeerRoute b) =>
        a.Destination.Equals(b.Destination) && a.Via.Equals(b.Via) && a.Vni == b.Vni
        && string.Equals(a.VtepMac, b.VtepMac, StringComparison.OrdinalIgnoreCase);

    private static bool SameBridgeRoute(PeerRoute a, PeerRoute b) => a.Destination.Equals(b.Destination) && a.Via.Equals(b.Via);

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
    }
}
