using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Cni.Daemon.Status;
using Cni.Node.Pods;
using Cni.Spec;
using Cni.Spec.Wire;

namespace Cni.Daemon.Hosting;

/// <summary>
/// What wincnid serves while it waits for its Node's pod CIDRs: the CNI socket holds every command but STATUS until
/// the Node is known (the connection is then dropped, and the plugin asks again and reaches the real host) or the
/// plugin's time is nearly up (code 11 and the reason); STATUS answers 50 and the reason at once; <c>GET /v1/status</c>
/// gives <c>wincnid status</c> the same with the API server's last error; <c>/healthz</c> is ok, and <c>/readyz</c> is
/// 503 with the reason, so a readiness probe, a runtime and an operator all see what is awaited. Stopped (and the socket removed) before the real host binds the same socket and address.
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

    /// <summary>Starts answering on <paramref name="socket"/> (which it takes over) and <paramref name="healthAddress"/>.</summary>
    /// <param name="socket">The CNI socket, already listening.</param>
    /// <param name="healthAddress">The health address (address:port).</param>
    /// <param name="reason">What the daemon waits for, read at each request.</param>
    /// <param name="status">The status document for <c>wincnid status</c> (not ready, and why), read at each request.</param>
    /// <param name="loggers">For the socket's peer check.</param>
    /// <param name="requestTimeout">The longest a request is held.</param>
    /// <returns>The running server.</returns>
    /// <exception cref="DaemonStartupException">The address cannot be used.</exception>
    public static async Task<NodeWaitServer> StartAsync(
        CniSocket socket,
        string healthAddress,
        Func<string> reason,
        Func<StatusDocument> status,
        ILoggerFactory loggers,
        TimeSpan requestTimeout,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(reason);
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(loggers);

        var builder = DaemonWebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        socket.ServeWith(builder, loggers);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPEndPoint.Parse(healthAddress));
            kestrel.Limits.MaxRequestBodySize = DaemonProtocol.MaxRequestBytes;
            kestrel.AddServerHeader = false;
        });
        var app = builder.Build();
        var stopping = app.Lifetime.ApplicationStopping;
        app.MapPost(DaemonProtocol.CniPath, async (HttpContext context) =>
        {
            var started = Stopwatch.GetTimestamp();
            var command = "";
            string? version = null;
            try
            {
                var request = await JsonSerializer.DeserializeAsync(context.Request.Body, WireJsonContext.Default.DaemonRequest, context.RequestAborted).ConfigureAwait(false);
                command = request?.Command ?? "";
                version = request is { Config.ValueKind: JsonValueKind.Object } && request.Config.TryGetProperty("cniVersion", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            }
            catch (JsonException)
            {
                // Whatever was asked, the answer is the same.
            }

            if (string.Equals(command, "STATUS", StringComparison.Ordinal))
            {
                await CniEndpoint.WriteAsync(context, CniOutcome.Failure(CniError.Create(CniErrorCode.PluginNotAvailable, "wincnid is not ready: " + reason(), null, version))).ConfigureAwait(false);
                return;
            }

            // Nothing here can serve the command: hold it for the real host, which starts once the Node is known.
            using var either = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
            try
            {
                await Task.Delay(ReadinessHold.Budget(context.Request, requestTimeout), either.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                context.Abort();
                return;
            }

            var held = Stopwatch.GetElapsedTime(started);
            await CniEndpoint.WriteAsync(context, CniOutcome.Failure(CniError.Create(
                CniErrorCode.TryAgainLater,
                "wincnid is not ready: " + reason(),
                string.Create(CultureInfo.InvariantCulture, $"the request waited {held.TotalSeconds:0.0} s for it, as long as the plugin waits; the runtime will retry"),
                version))).ConfigureAwait(false);
        });
        app.MapGet(DaemonProtocol.StatusPath, async (HttpContext context) =>
        {
            if (!UnixSocketConnection.IsUnixSocket(context))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound; // as the running daemon: the socket only
                return;
            }

            context.Response.ContentType = "application/json";
            await JsonSerializer.SerializeAsync(context.Response.Body, status(), StatusJsonContext.Default.StatusDocument, context.RequestAborted).ConfigureAwait(false);
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
            throw new DaemonStartupException($"cannot listen on {healthAddress}: {e.Message}", e);
        }

        return new NodeWaitServer(app, socket.Path);
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
            // The real host's bind replaces a stale socket file anyway.
        }
    }
}
