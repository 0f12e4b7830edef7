using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Cni.Spec.Wire;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Cni.Plugin.Tests.Fakes;

/// <summary>
/// A stand-in for wincnid on a temporary AF_UNIX socket: it speaks the real wire protocol through Kestrel, records
/// every request it receives and answers through a replaceable handler.
/// </summary>
public sealed class FakeDaemon : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _directory;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    private FakeDaemon(WebApplication app, string directory, string socketPath)
    {
        _app = app;
        _directory = directory;
        SocketPath = socketPath;
    }

    public string SocketPath { get; }

    /// <summary>Decides the answer to each request; by default a fixed success per command.</summary>
    public Func<DaemonRequest, FakeDaemonResponse> Handler { get; set; } = _ => FakeDaemonResponse.Ok();

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    /// <summary>A new temporary directory for a socket (short: AF_UNIX paths are limited to 108 bytes).</summary>
    public static string NewSocketPath()
    {
        var directory = Path.Combine(Path.GetTempPath(), "wincni-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, "d.sock");
    }

    public static Task<FakeDaemon> StartAsync(CancellationToken cancellationToken = default) => StartAsync(NewSocketPath(), cancellationToken);

    /// <summary>Starts answering on <paramref name="socketPath"/>, whose directory exists and is removed at dispose.</summary>
    public static async Task<FakeDaemon> StartAsync(string socketPath, CancellationToken cancellationToken = default)
    {
        var directory = Path.GetDirectoryName(socketPath)!;

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(options =>
        {
            options.ListenUnixSocket(socketPath);
            options.Limits.MaxRequestBodySize = DaemonProtocol.MaxRequestBytes;
        });
        var app = builder.Build();
        var daemon = new FakeDaemon(app, directory, socketPath);
        app.MapPost(DaemonProtocol.CniPath, daemon.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        return daemon;
    }

    public void Reset()
    {
        _requests.Clear();
        Handler = _ => FakeDaemonResponse.Ok();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        var body = buffer.ToArray();
        var request = JsonSerializer.Deserialize(body, WireJsonContext.Default.DaemonRequest)!;
        _requests.Enqueue(new RecordedRequest(body, request, context.Request.Headers[DaemonProtocol.TimeoutHeader].ToString()));

        var response = Handler(request);
        if (ReferenceEquals(response, FakeDaemonResponse.Drop))
        {
            context.Abort();
            return;
        }

        if (response.Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(response.Delay, context.RequestAborted).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        context.Response.StatusCode = response.StatusCode;
        context.Response.ContentType = DaemonProtocol.ContentType;
        var bytes = Encoding.UTF8.GetBytes(response.Body);
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Kestrel may still hold the socket file for a moment; the temp directory is harmless.
        }
    }
}
