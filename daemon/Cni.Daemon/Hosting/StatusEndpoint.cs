using System.Text.Json;
using System.Globalization;
using Cni.Daemon.Status;
using Cni.Hcn;
using Cni.Hcn.Errors;
using Cni.Hcn.Model;
using Cni.Node.Configuration;
using Cni.Node.Kubernetes;
using Cni.Node.Kubernetes.Nodes;
using Cni.Node.Peers;
using Cni.Node.Networks;
using Cni.Node.Services;

namespace Cni.Daemon.Hosting;

/// <summary>GET /v1/status on the CNI socket: the <see cref="StatusDocument"/>, root-only like every CNI call.</summary>
public sealed class StatusEndpoint
{
    private readonly PodNetwork _network;
    private readonly ClusterConnection? _agent;
    private readonly PeerRouteReconciler? _peers;
    private readonly NodeAnnotationPublisher? _publisher;
    private readonly ServiceProxyController? _proxy;
    private readonly ServiceHealthChecks? _healthChecks;
    private readonly IHcn _hcn;
    private readonly NodeOptions _options;

    public StatusEndpoint(
        PodNetwork network,
        IHcn hcn,
        NodeOptions options,
        ClusterConnection? agent = null,
        PeerRouteReconciler? peers = null,
        NodeAnnotationPublisher? publisher = null,
        ServiceProxyController? proxy = null,
        ServiceHealthChecks? healthChecks = null)
    {
        _network = network;
        _hcn = hcn;
        _options = options;
        _agent = agent;
        _peers = peers;
        _publisher = publisher;
        _proxy = proxy;
        _healthChecks = healthChecks;
    }

    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!UnixSocketConnection.IsUnixSocket(context))
        {
            // Leases name pods; that stays on the root-only socket.
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var snapshot = await _network.GetSnapshotAsync(context.RequestAborted).ConfigureAwait(false);
        var document = StatusDocument.From(snapshot, DaemonVersion.Informational) with
        {
            Kubernetes = KubernetesView(),
            ServiceProxy = await ServiceProxyViewAsync(context.RequestAborted).ConfigureAwait(false),
        };
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, document, StatusJsonContext.Default.StatusDocument, context.RequestAborted)
            .ConfigureAwait(false);
    }

    private async Task<ServicesStatus?> ServiceProxyViewAsync(CancellationToken cancellationToken)
    {
        if (_proxy is null)
        {
            return null;
        }

        // What HCN holds is read now, not remembered from the pass.
        Dictionary<Guid, HostComputeLoadBalancer>? actual = null;
        string? error = null;
        try
        {
            actual = (await _hcn.EnumerateLoadBalancersAsync(null, cancellationToken).ConfigureAwait(false))
                .Where(lb => LoadBalancerIds.IsOwned(lb.Id))
                .ToDictionary(lb => lb.Id);
        }
        catch (HcnException e)
        {
            error = e.Message;
        }

        var report = _proxy.LastReport;
        var wanted = new HashSet<Guid>();
        var services = report?.Services.Select(service => new ServiceEntryStatus(
            service.Service,
            service.Skipped?.ToString(),
            [.. service.Conditions.Select(c => $"{c.Kind}: {c.Message}")],
            [.. service.LoadBalancers.Select(lb =>
            {
                var id = lb.Key.Id;
                wanted.Add(id);
                HostComputeLoadBalancer? present = null;
                actual?.TryGetValue(id, out present);
                return new LoadBalancerEntryStatus(
                    lb.Key.Value,
                    id.ToString("D"),
                    lb.Verdict.ToString().ToLowerInvariant(),
                    lb.DesiredBackends,
                    lb.Outcome.ToString(),
                    lb.Reason,
                    present is not null,
                    present?.HostComputeEndpoints?.Count ?? (present is null ? null : 0));
            })])).ToList();
        var orphans = report is null || actual is null
            ? []
            : actual.Keys.Where(id => !wanted.Contains(id)).Select(id => id.ToString("D")).ToList();
        return new ServicesStatus(
            _proxy.IsSynced,
            _proxy.Passes,
            _options.Dsr,
            [.. (_healthChecks?.Ports ?? []).OrderBy(p => p.Key).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key}: {p.Value.Service} ({p.Value.LocalEndpoints} local endpoints)"))],
            services,
            [.. (report?.Failures ?? []).Select(f => string.Create(CultureInfo.InvariantCulture, $"{f.Key}: {f.Message} (retry at {f.RetryAt:O})"))],
            orphans,
            error);
    }

    private KubernetesStatus? KubernetesView()
    {
        if (_agent is null)
        {
            return null;
        }

        var published = _publisher?.LastResult is { } result
            ? result.Succeeded
                ? string.Create(CultureInfo.InvariantCulture, $"published {result.At:O} ({(result.Patched ? "patched" : "unchanged")})")
                : string.Create(CultureInfo.InvariantCulture, $"failed {result.At:O}: {result.Error}")
            : "not yet";
        var peers = _peers?.Last is { } report
            ? new PeersStatus(
                report.NotReadyReason,
                [.. report.Desired.Select(r => $"{r.NodeName}: {r.Destination} via {r.Via}{(r.VtepMac is null ? "" : " VTEP " + r.VtepMac)}")],
                [.. report.Skipped.Select(s => $"{s.NodeName}: {s.Reason}")])
            : null;
        return new KubernetesStatus(
            _agent.NodeName,
            _agent.ApiServer.ToString(),
            _agent.Nodes.HasSynced,
            _agent.Nodes.LastContact,
            _agent.Nodes.List().Length,
            _agent.AddressingSource.NotReadyReason,
            published,
            peers)
        {
            ApiError = _agent.Nodes.LastError,
        };
    }
}
