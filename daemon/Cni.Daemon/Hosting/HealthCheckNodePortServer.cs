using System.Globalization;
using System.Net;
using System.Text.Json;
using Cni.Node.Services;

namespace Cni.Daemon.Hosting;

/// <summary>
/// Serves the health-check node ports of externalTrafficPolicy: Local LoadBalancer Services as kube-proxy does
/// (kubernetes pkg/proxy/healthcheck/service_health.go): on every node address, any path, 200 with the local endpoint
/// count when the node has a ready endpoint of the Service, 503 otherwise, so a cloud load balancer sends traffic only
/// to nodes that can serve it without a second hop. One small Kestrel listener per port, opened and closed as the
/// service proxy's passes publish <see cref="ServiceHealthChecks"/>; a port that cannot be bound is logged and
/// tried again at the next change.
/// </summary>
internal sealed partial class HealthCheckNodePortServer : IHostedService, IAsyncDisposable
{
    private readonly ServiceHealthChecks _checks;
    private readonly ILogger<HealthCheckNodePortServer> _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<int, WebApplication> _listeners = [];
    private readonly CancellationTokenSource _stopping = new();
    private bool _disposed;

    public HealthCheckNodePortServer(ServiceHealthChecks checks, ILogger<HealthCheckNodePortServer> logger)
    {
        _checks = checks;
        _logger = logger;
    }

    /// <summary>The ports listened on now (tests, status).</summary>
    public IReadOnlyCollection<int> ListeningPorts
    {
        get
        {
            lock (_listeners)
            {
                return [.. _listeners.Keys];
            }
        }
    }

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _checks.Changed += OnChanged;
        return SyncAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _checks.Changed -= OnChanged;
        await _stopping.CancelAsync().ConfigureAwait(false);
        await CloseAllAsync().ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _checks.Changed -= OnChanged;
        await CloseAllAsync().ConfigureAwait(false);
        _stopping.Dispose();
        _gate.Dispose();
    }

    /// <summary>Writes kube-proxy's answer for <paramref name="entry"/>.</summary>
    internal static async Task RespondAsync(HttpContext context, ServiceHealthCheckEntry? entry)
    {
        var response = context.Response;
        if (entry is null)
        {
            // The port was just closed by a pass; kube-proxy's handler no longer exists either.
            response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        response.StatusCode = entry.StatusCode;
        response.ContentType = "application/json";
        response.Headers["X-Content-Type-Options"] = "nosniff";
        response.Headers["X-Load-Balancing-Endpoint-Weight"] = entry.LocalEndpoints.ToString(CultureInfo.InvariantCulture);
        var slash = entry.Service.IndexOf('/', StringComparison.Ordinal);
        using var body = new MemoryStream();
        using (var json = new Utf8JsonWriter(body))
        {
            json.WriteStartObject();
            json.WriteStartObject("service");
            json.WriteString("namespace", slash < 0 ? "" : entry.Service[..slash]);
            json.WriteString("name", entry.Service[(slash + 1)..]);
            json.WriteEndObject();
            json.WriteNumber("localEndpoints", entry.LocalEndpoints);
            json.WriteBoolean("serviceProxyHealthy", true);
            json.WriteEndObject();
        }

        body.WriteByte((byte)'\n');
        await response.Body.WriteAsync(body.ToArray(), context.RequestAborted).ConfigureAwait(false);
    }

    private void OnChanged() => _ = SyncAsync(_stopping.Token);

    /// <summary>Opens the ports published and not yet listened on; closes the ones no longer published.</summary>
    private async Task SyncAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        try
        {
            var wanted = _checks.Ports;
            List<(int Port, WebApplication App)> stale;
            lock (_listeners)
            {
                stale = [.. _listeners.Where(l => !wanted.ContainsKey(l.Key)).Select(l => (l.Key, l.Value))];
                foreach (var (port, _) in stale)
                {
                    _listeners.Remove(port);
                }
            }

            foreach (var (port, app) in stale)
            {
                await app.DisposeAsync().ConfigureAwait(false);
                LogClosed(port);
            }

            foreach (var (port, entry) in wanted)
            {
                bool listening;
                lock (_listeners)
                {
                    listening = _listeners.ContainsKey(port);
                }

                if (!listening && !cancellationToken.IsCancellationRequested)
                {
                    await OpenAsync(port, entry.Service, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task OpenAsync(int port, string service, CancellationToken cancellationToken)
    {
        var builder = DaemonWebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Every node address, as kube-proxy binds without --nodeport-addresses; Kestrel binds the dual-stack wildcard, or IPv4 alone where IPv6 is off.
            kestrel.ListenAnyIP(port);
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 0;
        });
        var app = builder.Build();
        app.Run(context => RespondAsync(context, _checks.Ports.GetValueOrDefault(port)));
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or OperationCanceledException)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            LogBindFailed(e, port, service, e.Message);
            return;
        }

        lock (_listeners)
        {
            _listeners[port] = app;
        }

        LogOpened(port, service);
    }

    private async Task CloseAllAsync()
    {
        List<WebApplication> apps;
        lock (_listeners)
        {
            apps = [.. _listeners.Values];
            _listeners.Clear();
        }

        foreach (var app in apps)
        {
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 1230, Level = LogLevel.Information, Message = "health-check node port {Port} open for Service {Service}")]
    private partial void LogOpened(int port, string service);

    [LoggerMessage(EventId = 1231, Level = LogLevel.Information, Message = "health-check node port {Port} closed")]
    private partial void LogClosed(int port);

    [LoggerMessage(EventId = 1232, Level = LogLevel.Warning, Message = "health-check node port {Port} of Service {Service} cannot be opened, tried again at the next change: {Reason}")]
    private partial void LogBindFailed(Exception exception, int port, string service, string reason);
}
