using System.Net;
using System.Text.Json;
using Cni.Node.Pods;
using Cni.Spec;
using Cni.Spec.Wire;

namespace Cni.Daemon.Hosting;

/// <summary>
/// What wincnid serves while it waits for its Node's pod CIDRs: the CNI socket answers every command with "not ready"
/// and the reason (code 11, STATUS 50), <c>/healthz</c> is ok, and <c>/readyz</c> is 503 with the reason, so a
/// readiness probe, a runtime and an operator all see what is awaited. Stopped (and the socket removed) before the
/// real host takes the same socket and address.
/// </summary>
public sealed class NodeWaitServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _socket;

    private NodeWaitServer(WebApplication app, string socket)
    {
        _app = app;
        _socket = socket;
    }

    /// <summary>Starts answering on <paramref name="socket"/> and <paramref name="healthAddress"/>.</summary>
    /// <param name="socket">The CNI socket path.</param>
    /// <param name="healthAddress">The health address (address:port).</param>
    /// <param name="reason">What the daemon waits for, read at each request.</param>
    /// <returns>The running server.</returns>
    /// <exception cref="DaemonStartupException">The socket or address cannot be used.</exception>
    public static async Task<NodeWaitServer> StartAsync(string socket, string healthAddress, Func<string> reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reason);
        try
        {
            UnixSocketGuard.Prepare(socket);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            throw new DaemonStartupException($"socket {socket}: {e.Message}", e);
        }

        var builder = DaemonWebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ListenUnixSocket(socket);
            kestrel.Listen(IPEndPoint.Parse(healthAddress));
            kestrel.Limits.MaxRequestBodySize = DaemonProtocol.MaxRequestBytes;
            kestrel.AddServerHeader = false;
        });
        var app = builder.Build();
        app.MapPost(DaemonProtocol.CniPath, async (HttpContext context) =>
        {
            var command = "";
            try
            {
                var request = await JsonSerializer.DeserializeAsync(context.Request.Body, WireJsonContext.Default.DaemonRequest, context.RequestAborted).ConfigureAwait(false);
                command = request?.Command ?? "";
            }
            catch (JsonException)
            {
                // Whatever was asked, the answer is the same.
            }

            var code = string.Equals(command, "STATUS", StringComparison.Ordinal) ? CniErrorCode.PluginNotAvailable : CniErrorCode.TryAgainLater;
            await CniEndpoint.WriteAsync(context, CniOutcome.Failure(CniError.Create(code, "wincnid is not ready: " + reason()))).ConfigureAwait(false);
        });
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", () => Results.Text($"not ready: {reason()}\n", statusCode: StatusCodes.Status503ServiceUnavailable));
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new DaemonStartupException($"cannot listen on {socket} / {healthAddress}: {e.Message}", e);
        }

        UnixSocketGuard.Restrict(socket);
        return new NodeWaitServer(app, socket);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        try
        {
            File.Delete(_socket);
        }
        catch (IOException)
        {
            // The real host's UnixSocketGuard replaces a stale socket file anyway.
        }
    }
}
