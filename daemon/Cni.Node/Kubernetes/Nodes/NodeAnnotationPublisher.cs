using System.Net;
using System.Text;
using System.Text.Json;
using Cni.Node.Kubernetes.Flannel;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Cni.Node.Kubernetes.Nodes;

/// <summary>
/// Writes this node's flannel annotations (and optionally NetworkUnavailable=False) with a strategic-merge PATCH on
/// <c>nodes/{name}/status</c>, as flanneld does, but only when they differ from what the Node already carries.
/// </summary>
public sealed partial class NodeAnnotationPublisher
{
    /// <summary>The Node condition type.</summary>
    public const string NetworkUnavailable = "NetworkUnavailable";

    private readonly IKubernetes _client;
    private readonly string _nodeName;
    private readonly FlannelAnnotations _annotations;
    private readonly NodeAnnotationPublisherOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private volatile AnnotationPublishResult? _lastResult;

    /// <summary>Creates the publisher.</summary>
    /// <param name="client">The API client.</param>
    /// <param name="nodeName">This node's name.</param>
    /// <param name="annotations">The codec (prefix).</param>
    /// <param name="options">Condition and retry settings.</param>
    /// <param name="timeProvider">Time (backoff, timestamps).</param>
    public NodeAnnotationPublisher(
        IKubernetes client, string nodeName, FlannelAnnotations annotations, NodeAnnotationPublisherOptions options, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(nodeName);
        ArgumentNullException.ThrowIfNull(annotations);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxAttempts, 1);
        _client = client;
        _nodeName = nodeName;
        _annotations = annotations;
        _options = options;
        _time = timeProvider;
        _logger = logger;
    }

    /// <summary>The last outcome, or null before the first call.</summary>
    public AnnotationPublishResult? LastResult => _lastResult;

    /// <summary>
    /// Reads the Node, composes the annotations (public-ip-overwrite honoured) and patches what differs. Retries
    /// with backoff; never throws except for cancellation and invalid arguments.
    /// </summary>
    /// <param name="backend">This node's backend (vxlan: VNI and VTEP MAC).</param>
    /// <param name="nodeIp">This node's address (see <see cref="FlannelAnnotations.SelectNodeIp"/>).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <param name="nodeIpv6">A dual-stack node's IPv6 address, published as public-ipv6; null for none.</param>
    /// <returns>The outcome, also kept in <see cref="LastResult"/>.</returns>
    public async Task<AnnotationPublishResult> PublishAsync(LocalBackend backend, IPAddress nodeIp, CancellationToken cancellationToken, IPAddress? nodeIpv6 = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(nodeIp);

        // A bad backend (vxlan without a MAC) is the caller's bug: fail now instead of retrying it.
        _ = _annotations.Compose(backend, nodeIp);
        string? error;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var node = await _client.CoreV1.ReadNodeAsync(_nodeName, cancellationToken: cancellationToken).ConfigureAwait(false);
                var patch = BuildPatch(node, _annotations.Compose(backend, nodeIp, node, nodeIpv6), out var keys);
                if (patch is null)
                {
                    Log.Unchanged(_logger, _nodeName);
                    return Keep(new AnnotationPublishResult(true, false, attempt, null, _time.GetUtcNow()));
                }

                await _client.CoreV1.PatchNodeStatusAsync(new V1Patch(patch, V1Patch.PatchType.StrategicMergePatch), _nodeName, cancellationToken: cancellationToken)
                    .ConfigureAwait(false);
                Log.Published(_logger, _nodeName, keys);
                return Keep(new AnnotationPublishResult(true, true, attempt, null, _time.GetUtcNow()));
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                error = e is k8s.Autorest.HttpOperationException http
                    ? $"HTTP {(int)http.Response.StatusCode} from the API server: {http.Response.Content}"
                    : e.Message;
                Log.Failed(_logger, e, _nodeName, attempt, _options.MaxAttempts);
                if (attempt >= _options.MaxAttempts)
                {
                    return Keep(new AnnotationPublishResult(false, false, attempt, error, _time.GetUtcNow()));
                }
            }

            await Task.Delay(_options.Backoff.Delay(attempt), _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private AnnotationPublishResult Keep(AnnotationPublishResult result)
    {
        _lastResult = result;
        return result;
    }

    /// <summary>The strategic-merge patch for what differs, or null when the Node is current.</summary>
    private string? BuildPatch(V1Node node, IReadOnlyDictionary<string, string> desired, out string keys)
    {
        var current = node.Metadata?.Annotations ?? new Dictionary<string, string>();
        var changed = desired
            .Where(kv => !current.TryGetValue(kv.Key, out var value) || value != kv.Value)
            .OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .ToList();
        var setCondition = _options.SetNetworkUnavailableCondition && !ConditionIsCurrent(node);
        keys = string.Join(", ", changed.Select(kv => kv.Key).Concat(setCondition ? [NetworkUnavailable + "=False"] : []));
        if (changed.Count == 0 && !setCondition)
        {
            return null;
        }

        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (changed.Count > 0)
            {
                json.WriteStartObject("metadata");
                json.WriteStartObject("annotations");
                foreach (var (key, value) in changed)
                {
                    json.WriteString(key, value);
                }

                json.WriteEndObject();
                json.WriteEndObject();
            }

            if (setCondition)
            {
                // Conditions merge by type under strategic merge: this replaces only NetworkUnavailable.
                var now = _time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
                json.WriteStartObject("status");
                json.WriteStartArray("conditions");
                json.WriteStartObject();
                json.WriteString("type", NetworkUnavailable);
                json.WriteString("status", "False");
                json.WriteString("reason", _options.ConditionReason);
                json.WriteString("message", "wincni is running on this node");
                json.WriteString("lastTransitionTime", now);
                json.WriteString("lastHeartbeatTime", now);
                json.WriteEndObject();
                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private bool ConditionIsCurrent(V1Node node) =>
        node.Status?.Conditions?.Any(c => c.Type == NetworkUnavailable && c.Status == "False" && c.Reason == _options.ConditionReason) == true;
}
