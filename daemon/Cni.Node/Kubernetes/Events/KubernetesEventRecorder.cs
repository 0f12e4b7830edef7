using System.Globalization;
using System.Threading.Channels;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cni.Node.Kubernetes.Events;

/// <summary>
/// Posts events.k8s.io/v1 Events, rate-limited per object and reason (<see cref="EventRecorderOptions.MinInterval"/>),
/// from a bounded queue so no caller waits for the API server. Node Events go to the <c>default</c> namespace as
/// kubelet's do; Pod and Service Events to the object's namespace.
/// </summary>
public sealed partial class KubernetesEventRecorder : BackgroundService
{
    /// <summary>The reporting controller every Event names.</summary>
    public const string ReportingController = "wincni.io/wincnid";

    private const int MaxNoteLength = 1024;

    private readonly IKubernetes _client;
    private readonly string _nodeName;
    private readonly EventRecorderOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<NodeEvent> _queue;
    private readonly Dictionary<string, (DateTimeOffset Sent, int Suppressed)> _recent = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private int _started;

    public KubernetesEventRecorder(IKubernetes client, string nodeName, EventRecorderOptions options, TimeProvider time, ILogger<KubernetesEventRecorder> logger)
    {
        _client = client;
        _nodeName = nodeName;
        _options = options;
        _time = time;
        _logger = logger;
        _queue = Channel.CreateBounded<NodeEvent>(new BoundedChannelOptions(options.QueueCapacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    }

    /// <summary>Starts posting. Idempotent: wincnid starts the recorder before its host (to post while it waits for its
    /// Node), and the host's start is then a no-op.</summary>
    public override Task StartAsync(CancellationToken cancellationToken) =>
        Interlocked.Exchange(ref _started, 1) == 0 ? base.StartAsync(cancellationToken) : Task.CompletedTask;

    /// <summary>This node's name (Node Events are about it).</summary>
    public string NodeName => _nodeName;

    /// <summary>Queues <paramref name="nodeEvent"/> unless one with its key went out less than the interval ago.</summary>
    /// <returns>True when queued.</returns>
    public bool Record(NodeEvent nodeEvent)
    {
        ArgumentNullException.ThrowIfNull(nodeEvent);
        var now = _time.GetUtcNow();
        int suppressed;
        lock (_gate)
        {
            if (_recent.TryGetValue(nodeEvent.Key, out var last) && now - last.Sent < _options.MinInterval)
            {
                _recent[nodeEvent.Key] = (last.Sent, last.Suppressed + 1);
                return false;
            }

            suppressed = last.Suppressed;
            _recent[nodeEvent.Key] = (now, 0);
            if (_recent.Count > 4096)
            {
                foreach (var stale in _recent.Where(r => now - r.Value.Sent >= _options.MinInterval).Select(r => r.Key).ToList()) _recent.Remove(stale);
            }
        }

        var note = suppressed == 0 ? nodeEvent.Note : string.Create(CultureInfo.InvariantCulture, $"{nodeEvent.Note} ({suppressed} more since the last Event)");
        if (_queue.Writer.TryWrite(nodeEvent with { Note = note }))
        {
            return true;
        }

        Log.Dropped(_logger, nodeEvent.Reason, nodeEvent.Kind, nodeEvent.Name, _options.QueueCapacity);
        return false;
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var nodeEvent in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                await PostAsync(nodeEvent, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task PostAsync(NodeEvent nodeEvent, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        var @namespace = nodeEvent.Namespace ?? "default";
        var body = new Eventsv1Event
        {
            ApiVersion = "events.k8s.io/v1",
            Kind = "Event",
            Metadata = new V1ObjectMeta
            {
                // kubelet's and client-go's recorder naming: the object's name and a unique hex suffix.
                Name = string.Create(CultureInfo.InvariantCulture, $"{nodeEvent.Name}.{now.Ticks:x}"),
                NamespaceProperty = @namespace,
            },
            EventTime = now,
            Type = nodeEvent.Type == KubernetesEventType.Normal ? "Normal" : "Warning",
            Reason = nodeEvent.Reason,
            Action = nodeEvent.Action,
            Note = nodeEvent.Note.Length <= MaxNoteLength ? nodeEvent.Note : nodeEvent.Note[..(MaxNoteLength - 1)] + "…",
            ReportingController = ReportingController,
            ReportingInstance = ReportingController + "-" + _nodeName,
            Regarding = nodeEvent.Namespace is null
                ? new V1ObjectReference { ApiVersion = "v1", Kind = nodeEvent.Kind, Name = nodeEvent.Name, Uid = nodeEvent.Name }
                : new V1ObjectReference { ApiVersion = "v1", Kind = nodeEvent.Kind, Name = nodeEvent.Name, NamespaceProperty = nodeEvent.Namespace },
        };
        try
        {
            await _client.EventsV1.CreateNamespacedEventAsync(body, @namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            Log.Posted(_logger, nodeEvent.Reason, nodeEvent.Kind, nodeEvent.Name);
        }
        catch (Exception e) when (e is HttpRequestException or k8s.Autorest.HttpOperationException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // An Event is advice, never worth a retry loop: the next failure of the same kind posts again.
            Log.PostFailed(_logger, nodeEvent.Reason, nodeEvent.Kind, nodeEvent.Name, e.Message);
        }
    }
}
