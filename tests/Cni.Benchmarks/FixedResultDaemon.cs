using Cni.Spec.Wire;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Cni.Benchmarks;

/// <summary>A daemon stand-in that answers every request with one fixed ADD result: what is left is the plugin's own cost.</summary>
internal sealed class FixedResultDaemon : IAsyncDisposable
{
    public const string Result = """{"cniVersion":"1.1.0","interfaces":[{"name":"eth0","mac":"0a:58:0a:01:00:05","mtu":1450,"sandbox":"/var/run/netns/bench"}],"ips":[{"address":"10.1.0.5/24","gateway":"10.1.0.1","interface":0}],"routes":[{"dst":"0.0.0.0/0","gw":"10.1.0.1"}],"dns":{"nameservers":["10.96.0.10"]}}""";

    private readonly WebApplication _app;
    private readonly string _directory;

    private FixedResultDaemon(WebApplication app, string directory, string socketPath)
    {
        _app = app;
        _directory = directory;
        SocketPath = socketPath;
    }

    public string SocketPath { get; }

    public static async Task<FixedResultDaemon> StartAsync()
    {
        var directory = Directory.CreateTempSubdirectory("wincni-bench-").FullName;
        var socketPath = Path.Combine(directory, "d.sock");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(options => options.ListenUnixSocket(socketPath));
        var app = builder.Build();
        var result = System.Text.Encoding.UTF8.GetBytes(Result);
        app.MapPost(DaemonProtocol.CniPath, async (HttpContext context) =>
        {
            // Drain the request like a real daemon would before answering.
            await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted).ConfigureAwait(false);
            context.Response.ContentType = DaemonProtocol.ContentType;
            context.Response.ContentLength = result.Length;
            await context.Response.Body.WriteAsync(result, context.RequestAborted).ConfigureAwait(false);
        });
        await app.StartAsync().ConfigureAwait(false);
        return new FixedResultDaemon(app, directory, socketPath);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        Directory.Delete(_directory, recursive: true);
    }
}
