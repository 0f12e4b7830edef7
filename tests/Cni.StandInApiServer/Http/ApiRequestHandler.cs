using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cni.StandInApiServer.Patching;
using Cni.StandInApiServer.Resources;
using Cni.StandInApiServer.Selectors;
using Cni.StandInApiServer.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Cni.StandInApiServer.Http;

/// <summary>Routes every request: discovery, OpenAPI, health, and the resource REST verbs.</summary>
internal sealed class ApiRequestHandler(ObjectStore store, StandInApiServerOptions options, ILogger logger, Func<Uri> baseAddress,
    Recording.ApiRequestLog requests, CancellationToken stopping)
{
    private readonly WatchStreamer _watches = new(store, options, logger);

    public async Task HandleAsync(HttpContext ctx)
    {
        var request = ctx.Request;
        try
        {
            await DispatchAsync(ctx).ConfigureAwait(false);
        }
        catch (ApiException e)
        {
            if (!ctx.Response.HasStarted) await JsonResponses.WriteStatusAsync(ctx, e).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested || stopping.IsCancellationRequested)
        {
            // client went away or the server is stopping
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.Unexpected(logger, e, request.Method, request.Path);
            if (!ctx.Response.HasStarted)
            {
                await JsonResponses.WriteStatusAsync(ctx, new ApiException(500, "InternalError", $"Internal error occurred: {e.Message}"))
                    .ConfigureAwait(false);
            }
        }

        Log.Request(logger, request.Method, request.Path.Value ?? "", request.QueryString.Value ?? "", ctx.Response.StatusCode);
    }

    private async Task DispatchAsync(HttpContext ctx)
    {
        var path = (ctx.Request.Path.Value ?? "/").TrimEnd('/');
        var method = ctx.Request.Method;
        if (method == HttpMethods.Get && Discovery(path) is { } document)
        {
            await JsonResponses.WriteAsync(ctx, 200, document).ConfigureAwait(false);
            return;
        }

        if (method == HttpMethods.Get && path is "/healthz" or "/readyz" or "/livez")
        {
            ctx.Response.ContentType = "text/plain; charset=utf-8";
            await ctx.Response.WriteAsync("ok", ctx.RequestAborted).ConfigureAwait(false);
            return;
        }

        var target = ResourcePath.Parse(path);
        if (target is null || target.Type.Namespaced && target.Namespace is null && target.Name is not null)
        {
            throw new ApiException(404, "NotFound", "the server could not find the requested resource");
        }

        requests.Add(new Recording.ApiRequestRecord(
            RbacVerb(method, target, (string?)ctx.Request.Query["watch"] is "true" or "1"),
            target.Type.Group,
            target.Subresource is null ? target.Type.Plural : target.Type.Plural + "/" + target.Subresource,
            target.Namespace,
            target.Name));

        switch (method)
        {
            case "GET" when target.Name is null || target.LegacyWatch:
                await ListOrWatchAsync(ctx, target).ConfigureAwait(false);
                break;
            case "GET":
                await GetAsync(ctx, target).ConfigureAwait(false);
                break;
            case "POST" when target.Name is null && (target.Namespace is not null || !target.Type.Namespaced):
                await CreateAsync(ctx, target).ConfigureAwait(false);
                break;
            case "PUT" when target.Name is not null:
                await UpdateAsync(ctx, target).ConfigureAwait(false);
                break;
            case "PATCH" when target.Name is not null:
                await PatchAsync(ctx, target).ConfigureAwait(false);
                break;
            case "DELETE" when target.Name is not null && target.Subresource is null:
                await DeleteAsync(ctx, target).ConfigureAwait(false);
                break;
            default:
                throw new ApiException(405, "MethodNotAllowed", $"the server does not allow this method on the requested resource");
        }
    }

    // The verbs of RBAC's request attributes (k8s.io/apiserver's RequestInfoFactory).
    private static string RbacVerb(string method, ResourcePath target, bool watch) => method switch
    {
        "GET" when watch || target.LegacyWatch => "watch",
        "GET" when target.Name is null => "list",
        "GET" => "get",
        "POST" => "create",
        "PUT" => "update",
        "PATCH" => "patch",
        "DELETE" when target.Name is null => "deletecollection",
        "DELETE" => "delete",
        _ => method.ToLowerInvariant(),
    };

    private JsonObject? Discovery(string path)
    {
        if (path == "/version") return DiscoveryDocuments.Version();
        if (path == "/api") return DiscoveryDocuments.CoreVersions($"{baseAddress().Host}:{baseAddress().Port}");
        if (path == "/apis") return DiscoveryDocuments.GroupList();
        if (path == "/openapi/v3") return OpenApiDocuments.Root();
        if (path.StartsWith("/openapi/v3/", StringComparison.Ordinal)) return OpenApiDocuments.Document(path["/openapi/v3/".Length..]);
        var segments = path.Trim('/').Split('/');
        return segments switch
        {
            ["api", var version] => DiscoveryDocuments.ResourceList("", version),
            ["apis", var group] => DiscoveryDocuments.GroupDocument(group),
            ["apis", var group, var version] => DiscoveryDocuments.ResourceList(group, version),
            _ => null,
        };
    }

    private async Task GetAsync(HttpContext ctx, ResourcePath target)
    {
        var obj = store.Get(target.Type, target.Namespace, target.Name!) ?? throw ApiException.NotFound(target.Type, target.Name!);
        if (TableConverter.Wanted(ctx.Request.Headers.Accept))
        {
            var table = TableConverter.Convert(target.Type, [obj],
                new JsonObject { ["resourceVersion"] = (string?)obj["metadata"]!["resourceVersion"] },
                ctx.Request.Query["includeObject"], options.TimeProvider.GetUtcNow());
            await JsonResponses.WriteAsync(ctx, 200, table).ConfigureAwait(false);
            return;
        }

        await JsonResponses.WriteAsync(ctx, 200, obj).ConfigureAwait(false);
    }

    private async Task ListOrWatchAsync(HttpContext ctx, ResourcePath target)
    {
        var query = ctx.Request.Query;
        var labels = LabelSelector.Parse(query["labelSelector"]);
        var fieldText = (string?)query["fieldSelector"];
        if (target.LegacyWatch && target.Name is not null)
        {
            fieldText = string.IsNullOrEmpty(fieldText) ? $"metadata.name={target.Name}" : $"{fieldText},metadata.name={target.Name}";
        }

        var fields = FieldSelector.Parse(fieldText, target.Type);
        var resourceVersion = (string?)query["resourceVersion"];
        var match = (string?)query["resourceVersionMatch"];
        var consistentInitialEvents = (string?)query["sendInitialEvents"] == "true";
        if (!string.IsNullOrEmpty(match) && string.IsNullOrEmpty(resourceVersion) && !consistentInitialEvents)
        {
            throw ApiException.BadRequest("resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided");
        }

        if (match is not (null or "" or "Exact" or "NotOlderThan"))
        {
            throw ApiException.BadRequest($"resourceVersionMatch: Unsupported value: \"{match}\": supported values: \"Exact\", \"NotOlderThan\"");
        }

        var rv = ParseResourceVersion(resourceVersion);
        if (target.LegacyWatch || query["watch"] is var w && (w == "true" || w == "1"))
        {
            var sendInitial = (string?)query["sendInitialEvents"];
            var bookmarks = (string?)query["allowWatchBookmarks"] == "true";
            long? from = rv;
            if (sendInitial == "true")
            {
                if (match != "NotOlderThan" || !bookmarks)
                {
                    throw ApiException.BadRequest(
                        "sendInitialEvents: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan and allowWatchBookmarks");
                }

                from = null;
            }
            else if (sendInitial == "false" && rv is null or 0)
            {
                from = store.ResourceVersion;
            }

            TimeSpan? timeout = int.TryParse(query["timeoutSeconds"], CultureInfo.InvariantCulture, out var seconds) && seconds > 0
                ? TimeSpan.FromSeconds(seconds)
                : null;
            var request = new WatchStreamer.Request(target.Type, target.Namespace, labels, fields, from, bookmarks,
                sendInitial == "true", timeout, TableConverter.Wanted(ctx.Request.Headers.Accept), query["includeObject"]);
            await _watches.StreamAsync(ctx, request, stopping).ConfigureAwait(false);
            return;
        }

        long? at = match == "Exact" ? rv : null;
        string? startAfter = null;
        if (!string.IsNullOrEmpty(query["continue"]))
        {
            if (!string.IsNullOrEmpty(resourceVersion) && resourceVersion != "0")
            {
                throw ApiException.BadRequest("specifying resource version is not allowed when using continue");
            }

            var token = ContinueToken.Decode(query["continue"]!);
            at = token.ResourceVersion;
            startAfter = token.StartAfter;
        }

        if (at is { } exact && exact > store.ResourceVersion)
        {
            throw new ApiException(504, "Timeout", string.Create(CultureInfo.InvariantCulture,
                $"Timeout: Too large resource version: {exact}, current: {store.ResourceVersion}"));
        }

        List<JsonObject> items;
        long listRv;
        try
        {
            (items, listRv) = store.Snapshot(target.Type, target.Namespace, labels, fields, at);
        }
        catch (ApiException e) when (e.Code == 410 && startAfter is not null)
        {
            throw ApiException.Expired(
                "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.");
        }

        if (startAfter is not null)
        {
            items = items.Where(i => string.CompareOrdinal(Key(i), startAfter) > 0).ToList();
        }

        var metadata = new JsonObject { ["resourceVersion"] = listRv.ToString(CultureInfo.InvariantCulture) };
        if (int.TryParse(query["limit"], CultureInfo.InvariantCulture, out var limit) && limit > 0 && items.Count > limit)
        {
            var remaining = items.Count - limit;
            items = items.Take(limit).ToList();
            metadata["continue"] = new ContinueToken(listRv, Key(items[^1])).Encode();
            if (labels.IsEmpty && fields.IsEmpty) metadata["remainingItemCount"] = remaining;
        }

        if (TableConverter.Wanted(ctx.Request.Headers.Accept))
        {
            var table = TableConverter.Convert(target.Type, items, metadata, query["includeObject"], options.TimeProvider.GetUtcNow());
            await JsonResponses.WriteAsync(ctx, 200, table).ConfigureAwait(false);
            return;
        }

        // As on the real server, list items carry no kind/apiVersion: only the list itself does.
        foreach (var item in items)
        {
            item.Remove("kind");
            item.Remove("apiVersion");
        }

        var list = new JsonObject
        {
            ["kind"] = target.Type.ListKind,
            ["apiVersion"] = target.Type.ApiVersion,
            ["metadata"] = metadata,
            ["items"] = new JsonArray(items.Select(i => (JsonNode)i).ToArray()),
        };
        await JsonResponses.WriteAsync(ctx, 200, list).ConfigureAwait(false);
    }

    private static string Key(JsonObject item) =>
        $"{(string?)item["metadata"]?["namespace"]}/{(string?)item["metadata"]?["name"]}";

    private static long? ParseResourceVersion(string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var rv)
            ? rv
            : throw ApiException.BadRequest($"resourceVersion: Invalid value: \"{text}\": must be a non-negative integer");
    }

    private async Task CreateAsync(HttpContext ctx, ResourcePath target)
    {
        var body = await ReadObjectAsync(ctx).ConfigureAwait(false);
        ApplyNamespace(target, body);
        var created = store.Create(target.Type, body, DryRun(ctx));
        await JsonResponses.WriteAsync(ctx, 201, created).ConfigureAwait(false);
    }

    private async Task UpdateAsync(HttpContext ctx, ResourcePath target)
    {
        var body = await ReadObjectAsync(ctx).ConfigureAwait(false);
        ApplyNamespace(target, body);
        var meta = (JsonObject)body["metadata"]!;
        var name = (string?)meta["name"];
        if (string.IsNullOrEmpty(name)) meta["name"] = target.Name;
        else if (name != target.Name)
        {
            throw ApiException.BadRequest($"the name of the object ({name}) does not match the name on the URL ({target.Name})");
        }

        var updated = store.Update(target.Type, body, target.Subresource == "status", DryRun(ctx));
        await JsonResponses.WriteAsync(ctx, 200, updated).ConfigureAwait(false);
    }

    private async Task PatchAsync(HttpContext ctx, ResourcePath target)
    {
        var contentType = (ctx.Request.ContentType ?? "").Split(';')[0].Trim();
        if (contentType == "application/apply-patch+yaml")
        {
            throw new ApiException(415, "UnsupportedMediaType",
                "the stand-in API server does not implement server-side apply (application/apply-patch+yaml); use client-side apply or a strategic merge patch");
        }

        if (contentType is not ("application/merge-patch+json" or "application/json-patch+json" or "application/strategic-merge-patch+json"))
        {
            throw new ApiException(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json");
        }

        var patch = await ReadJsonAsync(ctx).ConfigureAwait(false);
        var type = target.Type;
        var updated = store.Mutate(type, target.Namespace, target.Name!, target.Subresource == "status", current =>
        {
            // The patch sees the object without its resourceVersion unless it sets one (then that is a precondition).
            var rv = current["metadata"]!["resourceVersion"]!.DeepClone();
            var patched = contentType switch
            {
                "application/merge-patch+json" => JsonMergePatch.Apply(current, patch) as JsonObject,
                "application/json-patch+json" => JsonPatch.Apply(current, patch) as JsonObject,
                _ => StrategicMergePatch.Apply(type.Kind, current, patch),
            } ?? throw new ApiException(422, "Invalid", "the patch result is not a JSON object");
            if (patched["metadata"] is not JsonObject meta) throw ApiException.BadRequest("the patch removed metadata");
            meta["resourceVersion"] ??= rv;
            return patched;
        }, DryRun(ctx));
        await JsonResponses.WriteAsync(ctx, 200, updated).ConfigureAwait(false);
    }

    private async Task DeleteAsync(HttpContext ctx, ResourcePath target)
    {
        JsonNode? options = null;
        if (ctx.Request.ContentLength is > 0 || ctx.Request.Headers.TransferEncoding.Count > 0)
        {
            options = await ReadJsonAsync(ctx).ConfigureAwait(false);
        }

        var deleted = store.Delete(target.Type, target.Namespace, target.Name!, options?["preconditions"] as JsonObject, DryRun(ctx),
            GracePeriod(ctx, options));
        if (target.Type == ResourceTypes.Services || target.Type == ResourceTypes.Namespaces || target.Type == ResourceTypes.Pods)
        {
            // These registries return the object (a namespace or pod in its terminating state), the others a Status.
            await JsonResponses.WriteAsync(ctx, 200, deleted).ConfigureAwait(false);
            return;
        }

        await JsonResponses.WriteAsync(ctx, 200, JsonResponses.Success(target.Name!, target.Type.Plural, target.Type.Group,
            (string?)deleted["metadata"]?["uid"])).ConfigureAwait(false);
    }

    /// <summary><c>gracePeriodSeconds</c> from the query or the DeleteOptions body (the query wins, as on the real
    /// server); null when neither gives one.</summary>
    private static TimeSpan? GracePeriod(HttpContext ctx, JsonNode? options)
    {
        string? text = ctx.Request.Query["gracePeriodSeconds"];
        if (string.IsNullOrEmpty(text) && options?["gracePeriodSeconds"] is JsonValue value) text = value.ToJsonString();
        if (string.IsNullOrEmpty(text)) return null;
        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(Math.Max(0, seconds))
            : throw ApiException.BadRequest($"gracePeriodSeconds: Invalid value: \"{text}\": must be an integer");
    }

    /// <summary><c>dryRun=All</c>: validate, default and answer, but store nothing (kubectl --dry-run=server).</summary>
    private static bool DryRun(HttpContext ctx)
    {
        var values = ctx.Request.Query["dryRun"];
        if (values.Count == 0) return false;
        return values.All(v => v == "All") ? true
            : throw ApiException.BadRequest($"dryRun: Unsupported value: \"{values}\": supported values: \"All\"");
    }

    private static void ApplyNamespace(ResourcePath target, JsonObject body)
    {
        if (body["metadata"] is not JsonObject meta)
        {
            meta = [];
            body["metadata"] = meta;
        }

        if (!target.Type.Namespaced) return;
        var ns = (string?)meta["namespace"];
        if (string.IsNullOrEmpty(ns)) meta["namespace"] = target.Namespace;
        else if (ns != target.Namespace)
        {
            throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }
    }

    private static async Task<JsonObject> ReadObjectAsync(HttpContext ctx)
    {
        var contentType = (ctx.Request.ContentType ?? "application/json").Split(';')[0].Trim();
        if (contentType is not ("application/json" or ""))
        {
            throw new ApiException(415, "UnsupportedMediaType",
                $"the body of the request was in an unknown format - accepted media types include: application/json");
        }

        return await ReadJsonAsync(ctx).ConfigureAwait(false) as JsonObject
            ?? throw ApiException.BadRequest("the body of the request must be a JSON object");
    }

    private static async Task<JsonNode?> ReadJsonAsync(HttpContext ctx)
    {
        try
        {
            return await JsonNode.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest($"the body of the request is not valid JSON: {e.Message}");
        }
    }
}
