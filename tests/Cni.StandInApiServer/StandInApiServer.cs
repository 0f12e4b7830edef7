using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Cni.StandInApiServer.Http;
using Cni.StandInApiServer.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cni.StandInApiServer;

/// <summary>A Kubernetes API server stand-in on plain HTTP without auth, for tests and the local demo: core/v1 nodes,
/// namespaces, pods, services, discovery.k8s.io/v1 endpointslices and events.k8s.io/v1 events with the real REST and watch wire protocol, enough
/// for KubernetesClient and kubectl. Stop and start again to simulate an API server outage: the port and the
/// store survive.</summary>
public sealed class StandInApiServer : IAsyncDisposable
{
    private readonly List<System.Net.Sockets.SafeSocketHandle> _extraListeners = [];
    private readonly StandInApiServerOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private WebApplication? _app;
    private CancellationTokenSource? _stopping;
    private int _port;
    private Uri? _baseAddress;

    /// <summary>Creates the server (not listening yet) with an empty store holding the default namespaces.</summary>
    public StandInApiServer(StandInApiServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _port = options.Port;
        _loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<StandInApiServer>();
        Store = new ObjectStore(options);
    }

    /// <summary>http://address:port/, valid after the first <see cref="StartAsync"/>.</summary>
    public Uri BaseAddress => _baseAddress ?? throw new InvalidOperationException("the server has not been started");

    /// <summary>Direct in-process access to the objects; changes made here are seen by watches like API writes.</summary>
    public ObjectStore Store { get; }

    /// <summary>Every resource request answered so far, as RBAC sees it (verb, group, resource).</summary>
    public Recording.ApiRequestLog Requests { get; } = new();

    /// <summary>Starts listening (again, on the same port, after <see cref="StopAsync"/>).</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        await _lifecycle.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_app is not null) return;
            var stopping = new CancellationTokenSource();
            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
            builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
            {
                k.Listen(_options.Address, _port);
                foreach (var listener in _options.AdditionalListeners)
                {
                    var fd = listener();
                    _extraListeners.Add(new System.Net.Sockets.SafeSocketHandle(fd, ownsHandle: true));
                    k.ListenHandle((ulong)fd);
                }

                k.AddServerHeader = false;
            });
            builder.Services.AddLogging();
            builder.Services.AddSingleton(_loggerFactory);
            builder.Services.AddSingleton<IHostLifetime, EmbeddedHostLifetime>();
            var app = builder.Build();
            var handler = new ApiRequestHandler(Store, _options, _logger, () => BaseAddress, Requests, stopping.Token);
            app.Run(handler.HandleAsync);
            await app.StartAsync(ct).ConfigureAwait(false);
            // The configured address's listener (additional listeners show as their handles).
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
                .First(a => Uri.TryCreate(a, UriKind.Absolute, out var uri) && IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && ip.Equals(_options.Address));
            _port = new Uri(address).Port;
            var host = _options.Address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{_options.Address}]" : _options.Address.ToString();
            _baseAddress = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://{host}:{_port}/"));
            _app = app;
            _stopping = stopping;
            Log.Listening(_logger, _baseAddress);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Closes every watch connection and the listener; the store is kept.</summary>
    public async Task StopAsync(CancellationToken ct)
    {
        await _lifecycle.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_app is null) return;
            await _stopping!.CancelAsync().ConfigureAwait(false);
            Store.CloseAllWatches();
            await _app.StopAsync(ct).ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
            _stopping.Dispose();
            _app = null;
            _stopping = null;

            // Kestrel does not close a listener it was handed; the port must be free for the next start.
            foreach (var listener in _extraListeners)
            {
                listener.Dispose();
            }

            _extraListeners.Clear();
            Log.Stopped(_logger);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Forgets watch history: watches and exact lists from an older resourceVersion get 410 Gone.</summary>
    public void CompactHistory() => Store.CompactHistory();

    /// <summary>Writes a kubeconfig (server http://address:port, namespace default) and returns <paramref name="path"/>.
    /// The context names no user: KubernetesClient rejects a user entry without credentials, and kubectl is fine without.</summary>
    public string WriteKubeconfig(string path)
    {
        var server = BaseAddress.ToString().TrimEnd('/');
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: stand-in
              cluster:
                server: {server}
            contexts:
            - name: stand-in
              context:
                cluster: stand-in
                namespace: default
            current-context: stand-in
            users: []
            preferences: {"{}"}

            """);
        return path;
    }

    /// <summary>Stops the server.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _lifecycle.Dispose();
    }
}
