using System.Text;
using System.Text.Json.Nodes;
using Cni.StandInApiServer.Resources;
using Cni.StandInApiServer.Selectors;
using Cni.StandInApiServer.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Cni.StandInApiServer.Http;

/// <summary>Serves one watch: a chunked stream of <c>{"type":...,"object":...}</c> lines, with replay or synthetic
/// ADDED first, periodic BOOKMARKs on request, and an end on timeoutSeconds, overflow or server stop.</summary>
internal sealed class WatchStreamer(ObjectStore store, StandInApiServerOptions options, ILogger logger)
{
    /// <summary>What the client asked for.</summary>
    internal sealed record Request(
        ResourceType Type, string? Namespace, LabelSelector Labels, FieldSelector Fields, long? FromResourceVersion,
        bool Bookmarks, bool InitialEventsEndBookmark, TimeSpan? Timeout, bool AsTable, string? IncludeObject);

    public async Task StreamAsync(HttpContext ctx, Request request, CancellationToken stopping)
    {
        var response = ctx.Response;
        response.StatusCode = 200;
        response.ContentType = "application/json";
        Log.WatchStarted(logger, request.Type.Plural, request.Namespace, request.FromResourceVersion?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        WatchSubscription subscription;
        try
        {
            subscription = store.Watch(request.Type, request.Namespace, request.Labels, request.Fields, request.FromResourceVersion,
                request.InitialEventsEndBookmark, options.WatchQueueCapacity);
        }
        catch (ApiException e) when (e.Code == 410)
        {
            // The real server answers 200 and reports an expired resourceVersion as an ERROR event.
            await response.StartAsync(ctx.RequestAborted).ConfigureAwait(false);
            await WriteLineAsync(response, new JsonObject { ["type"] = WatchEventType.Error, ["object"] = e.ToStatus() }, ctx.RequestAborted)
                .ConfigureAwait(false);
            return;
        }

        using (subscription)
        {
            using var timeout = request.Timeout is { } t ? new CancellationTokenSource(t, options.TimeProvider) : new CancellationTokenSource();
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, stopping, timeout.Token);
            var token = linked.Token;
            var bookmarks = request.Bookmarks ? RunBookmarksAsync(subscription, token) : Task.CompletedTask;
            var first = true;
            try
            {
                await response.StartAsync(token).ConfigureAwait(false);
                await response.Body.FlushAsync(token).ConfigureAwait(false);
                foreach (var frame in subscription.Initial)
                {
                    await WriteFrameAsync(response, frame, request, first, token).ConfigureAwait(false);
                    first = false;
                }

                subscription.Initial.Clear();
                while (await subscription.Reader.WaitToReadAsync(token).ConfigureAwait(false))
                {
                    while (subscription.Reader.TryRead(out var frame))
                    {
                        await WriteFrameAsync(response, frame, request, first, token).ConfigureAwait(false);
                        first = false;
                    }
                }

                if (subscription.Overflowed) Log.WatchOverflowed(logger, request.Type.Plural);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                // timeoutSeconds, client gone or server stopping: end the stream.
            }
            finally
            {
                await linked.CancelAsync().ConfigureAwait(false);
                try
                {
                    await bookmarks.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // expected when the watch ends
                }

                Log.WatchEnded(logger, request.Type.Plural);
            }
        }
    }

    private async Task RunBookmarksAsync(WatchSubscription subscription, CancellationToken token)
    {
        using var timer = new PeriodicTimer(options.BookmarkInterval, options.TimeProvider);
        while (await timer.WaitForNextTickAsync(token).ConfigureAwait(false))
        {
            store.Bookmark(subscription);
        }
    }

    private Task WriteFrameAsync(HttpResponse response, WatchFrame frame, Request request, bool first, CancellationToken token)
    {
        JsonNode obj = frame.Object;
        if (request.AsTable && frame.Type is not (WatchEventType.Bookmark or WatchEventType.Error))
        {
            // Column definitions only with the first event, as the real server does for watches.
            obj = TableConverter.Convert(request.Type, [frame.Object], new JsonObject(), request.IncludeObject,
                options.TimeProvider.GetUtcNow(), withColumns: first);
        }

        return WriteLineAsync(response, new JsonObject { ["type"] = frame.Type, ["object"] = obj }, token);
    }

    private static async Task WriteLineAsync(HttpResponse response, JsonObject line, CancellationToken token)
    {
        var bytes = Encoding.UTF8.GetBytes(line.ToJsonString() + "\n");
        await response.Body.WriteAsync(bytes, token).ConfigureAwait(false);
        await response.Body.FlushAsync(token).ConfigureAwait(false);
    }
}
