using System.Text.Json;
using System.Globalization;
using Cni.Daemon.Status;
using Cni.Node.Kubernetes;
using Cni.Node.Kubernetes.Nodes;
using Cni.Node.Peers;
using Cni.Node.Networks;

namespace Cni.Daemon.Hosting;

/// <summary>GET /v1/status on the CNI socket: the <see cref="StatusDocument"/>, root-only like every CNI call.</summary>
public sealed class StatusEndpoint
{
    private readonly PodNetwork _network;
    private readonly ClusterConnection? _agent;
    private readonly PeerRouteReconciler? _peers;
    private readonly NodeAnnotationPublisher? _publisher;

    public StatusEndpoint(PodNetwork network, ClusterConnection? agent = null, PeerRouteReconciler? peers = null, NodeAnnotationPublisher? publisher = null)
    {
        _network = network;
        _agent = agent;
        _peers = peers;
        _publisher = publisher;
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
        var document = StatusDocument.From(snapshot, DaemonVersion.Informational) with { Kubernetes = KubernetesView() };
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, document, StatusJsonContext.Default.StatusDocument, context.RequestAborted)
            .ConfigureAwait(false);
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
            peers);
    }
}
