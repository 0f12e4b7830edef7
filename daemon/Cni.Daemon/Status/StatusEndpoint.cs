using System.Text.Json;
using Cni.Daemon.Hosting;
using Cni.Node.Networks;

namespace Cni.Daemon.Status;

/// <summary>GET /v1/status on the CNI socket: the <see cref="StatusDocument"/>, root-only like every CNI call.</summary>
public sealed class StatusEndpoint
{
    public const string Path = "/v1/status";

    private readonly NodeNetwork _network;

    public StatusEndpoint(NodeNetwork network)
    {
        _network = network;
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
        var document = StatusDocument.From(snapshot, DaemonVersion.Informational);
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, document, StatusJsonContext.Default.StatusDocument, context.RequestAborted)
            .ConfigureAwait(false);
    }
}
