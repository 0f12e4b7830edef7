using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using k8s;
using k8s.Models;

namespace Cni.Node.Kubernetes.Cache;

/// <summary>
/// <see cref="IListWatchSource{T}"/> over the client's HTTP pipeline (its HttpClient, base URI and credentials) for
/// any cluster-wide collection path. The watch stream is read here, line by line, because the client cannot surface
/// an ERROR event: its Status would be deserialized as <typeparamref name="T"/>, losing the 410.
/// </summary>
/// <typeparam name="T">The resource type.</typeparam>
/// <typeparam name="TList">Its list type.</typeparam>
public sealed class KubernetesListWatchSource<T, TList> : IListWatchSource<T>
    where T : IKubernetesObject<V1ObjectMeta>
    where TList : IKubernetesObject<V1ListMeta>, IItems<T>
{
    private readonly k8s.Kubernetes _client;
    private readonly string _path;
    private readonly int _pageSize;
    private readonly TimeSpan _requestTimeout;

    /// <summary>Creates the source.</summary>
    /// <param name="client">The client (see <see cref="KubernetesClientFactory"/>).</param>
    /// <param name="path">The collection path relative to the API server, e.g. <c>api/v1/nodes</c>.</param>
    /// <param name="pageSize">List page size (<c>limit</c>).</param>
    /// <param name="requestTimeout">Bound on one list request and on waiting for a watch's response headers.</param>
    public KubernetesListWatchSource(k8s.Kubernetes client, string path, int pageSize = 500, TimeSpan? requestTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        _client = client;
        _path = path.Trim('/');
        _pageSize = pageSize;
        _requestTimeout = requestTimeout ?? TimeSpan.FromSeconds(30);
        Resource = _path;
    }

    /// <inheritdoc/>
    public string Resource { get; }

    /// <inheritdoc/>
    public async Task<ResourceListPage<T>> ListAsync(string? continueToken, CancellationToken cancellationToken)
    {
        var query = string.Create(CultureInfo.InvariantCulture, $"limit={_pageSize}");
        if (!string.IsNullOrEmpty(continueToken))
        {
            query += "&continue=" + Uri.EscapeDataString(continueToken);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_requestTimeout);
        using var response = await SendAsync(query, timeout.Token).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
        TList list;
        try
        {
            list = KubernetesJson.Deserialize<TList>(body) ?? throw new KubernetesApiException($"list {_path}: empty response");
        }
        catch (JsonException e)
        {
            throw new KubernetesApiException($"list {_path}: malformed response ({e.Message})", e);
        }

        return new ResourceListPage<T>(
            list.Items is null ? [] : [.. list.Items],
            list.Metadata?.ResourceVersion ?? string.Empty,
            list.Metadata?.ContinueProperty);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ResourceWatchEvent<T>> WatchAsync(
        string resourceVersion, TimeSpan serverTimeout, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var query = string.Create(
            CultureInfo.InvariantCulture,
            $"watch=true&allowWatchBookmarks=true&resourceVersion={Uri.EscapeDataString(resourceVersion)}&timeoutSeconds={(long)serverTimeout.TotalSeconds}");
        HttpResponseMessage response;
        using (var headers = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            headers.CancelAfter(_requestTimeout);
            response = await SendAsync(query, headers.Token).ConfigureAwait(false);
        }

        using (response)
        {
            // Only the header wait is bounded: the stream lives until the server's timeoutSeconds or the caller's
            // idle timer cancels it (HttpClient.Timeout does not cover the body of a ResponseHeadersRead request).
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            using var reader = new StreamReader(stream);
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (line.Length == 0)
                {
                    continue;
                }

                yield return ParseEvent(line);
            }
        }
    }

    private ResourceWatchEvent<T> ParseEvent(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            var typeText = root.TryGetProperty("type", out var typeElement) ? typeElement.GetString() : null;
            if (!root.TryGetProperty("object", out var objectElement) || objectElement.ValueKind != JsonValueKind.Object)
            {
                throw new KubernetesApiException($"watch {_path}: event without an object ({Truncate(line)})");
            }

            var type = typeText switch
            {
                "ADDED" => WatchEventType.Added,
                "MODIFIED" => WatchEventType.Modified,
                "DELETED" => WatchEventType.Deleted,
                "BOOKMARK" => WatchEventType.Bookmark,
                "ERROR" => throw StatusError(objectElement),
                _ => throw new KubernetesApiException($"watch {_path}: unknown event type '{typeText}'"),
            };
            var item = KubernetesJson.Deserialize<T>(objectElement.GetRawText())
                ?? throw new KubernetesApiException($"watch {_path}: null object in {typeText} event");
            return new ResourceWatchEvent<T>(type, item);
        }
        catch (JsonException e)
        {
            throw new KubernetesApiException($"watch {_path}: malformed event ({e.Message}): {Truncate(line)}", e);
        }
    }

    private Exception StatusError(JsonElement status)
    {
        var code = status.TryGetProperty("code", out var codeElement) && codeElement.TryGetInt32(out var c) ? c : 0;
        var message = status.TryGetProperty("message", out var messageElement) ? messageElement.GetString() : null;
        var text = $"watch {_path}: ERROR event, status {code}: {message}";
        return code == (int)HttpStatusCode.Gone ? new ResourceExpiredException(text) : new KubernetesApiException((HttpStatusCode)code, text);
    }

    private async Task<HttpResponseMessage> SendAsync(string query, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_client.BaseUri, _path + "?" + query));
        request.Headers.Accept.ParseAdd("application/json");
        if (_client.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var response = await _client.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var text = $"GET {_path}?{query}: HTTP {(int)response.StatusCode}: {StatusMessage(body)}";
            throw response.StatusCode == HttpStatusCode.Gone
                ? new ResourceExpiredException(text)
                : new KubernetesApiException(response.StatusCode, text);
        }
    }

    private static string StatusMessage(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
            {
                return message.GetString()!;
            }
        }
        catch (JsonException)
        {
            // Not a Status (a proxy's HTML page, say): show the raw text.
        }

        return Truncate(body);
    }

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
