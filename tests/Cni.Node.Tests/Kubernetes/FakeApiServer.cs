using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cni.Node.Tests.Kubernetes;

/// <summary>A request the fake API server saw.</summary>
internal sealed record RecordedRequest(string Method, string Path, IQueryCollection Query, string? ContentType, string Body)
{
    public string? this[string key] => Query.TryGetValue(key, out var v) ? v.ToString() : null;

    public bool IsWatch => this["watch"] == "true";
}

/// <summary>
/// A scripted Kubernetes API server on 127.0.0.1:0 (Kestrel). Each test supplies the handler; <see cref="Watch"/>
/// streams a watch response line by line (chunked) that the test feeds through a <see cref="WatchStream"/>.
/// </summary>
internal sealed class FakeApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly Channel<WatchStream> _watches = Channel.CreateUnbounded<WatchStream>();

    private FakeApiServer(WebApplication app, Func<HttpContext, RecordedRequest, FakeApiServer, Task> handler)
    {
        _app = app;
        _app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            var request = new RecordedRequest(context.Request.Method, context.Request.Path, context.Request.Query, context.Request.ContentType, body);
            _requests.Enqueue(request);
            await handler(context, request, this);
        });
    }

    public Uri BaseUri { get; private set; } = null!;

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public IReadOnlyList<RecordedRequest> Watches => [.. _requests.Where(r => r.IsWatch)];

    public IReadOnlyList<RecordedRequest> Lists => [.. _requests.Where(r => r.Method == "GET" && !r.IsWatch && r.Path == "/api/v1/nodes")];

    public static async Task<FakeApiServer> StartAsync(Func<HttpContext, RecordedRequest, FakeApiServer, Task> handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var server = new FakeApiServer(builder.Build(), handler);
        await server._app.StartAsync();
        var address = server._app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.BaseUri = new Uri(address + "/");
        return server;
    }

    public k8s.Kubernetes CreateClient(TimeSpan? requestTimeout = null) => new(new KubernetesClientConfiguration
    {
        Host = BaseUri.ToString(),
        HttpClientTimeout = requestTimeout ?? TimeSpan.FromSeconds(30),
    });

    /// <summary>Answers with JSON.</summary>
    public static async Task JsonAsync(HttpContext context, string json, int status = 200)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json);
    }

    /// <summary>Answers with a Status.</summary>
    public static Task StatusAsync(HttpContext context, int code, string message = "scripted") =>
        JsonAsync(context, $$"""{"kind":"Status","apiVersion":"v1","status":"Failure","message":"{{message}}","code":{{code}}}""", code);

    /// <summary>Streams a watch response; the test gets the stream from <see cref="NextWatchAsync"/> and feeds it.</summary>
    public async Task WatchAsync(HttpContext context, RecordedRequest request)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await context.Response.StartAsync(context.RequestAborted);

        // Like kube-apiserver: the headers go out at once, before any event.
        await context.Response.Body.FlushAsync(context.RequestAborted);
        var stream = new WatchStream(request);
        await _watches.Writer.WriteAsync(stream);
        try
        {
            await foreach (var line in stream.Lines.Reader.ReadAllAsync(context.RequestAborted))
            {
                await context.Response.WriteAsync(line + "\n", context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away.
        }
        finally
        {
            stream.Closed.TrySetResult();
        }
    }

    /// <summary>The next watch the client opened.</summary>
    public async Task<WatchStream> NextWatchAsync() =>
        await _watches.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));

    public async ValueTask DisposeAsync()
    {
        _watches.Writer.TryComplete();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>One open watch response: write lines to it, complete it to end the watch cleanly.</summary>
internal sealed class WatchStream(RecordedRequest request)
{
    public RecordedRequest Request { get; } = request;

    public Channel<string> Lines { get; } = Channel.CreateUnbounded<string>();

    /// <summary>Completes when the server side of the response ended (client gone or the test ended it).</summary>
    public TaskCompletionSource Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Send(string type, string objectJson) => Lines.Writer.TryWrite($$"""{"type":"{{type}}","object":{{objectJson}}}""");

    public void End() => Lines.Writer.TryComplete();
}
