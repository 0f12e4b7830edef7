using System.Threading.Channels;
using System.Text.Json.Nodes;
using Cni.StandInApiServer.Resources;
using Cni.StandInApiServer.Selectors;

namespace Cni.StandInApiServer.Storage;

/// <summary>A registered watcher: the events it must send first, then a bounded queue the store fills without
/// blocking. When the queue is full the store completes it, which ends the HTTP stream (clients re-watch).</summary>
internal sealed class WatchSubscription : IDisposable
{
    private readonly ObjectStore _store;
    private readonly Channel<WatchFrame> _queue;

    internal WatchSubscription(ObjectStore store, ResourceType type, string? ns, LabelSelector labels, FieldSelector fields, int capacity)
    {
        _store = store;
        Type = type;
        Namespace = ns;
        Labels = labels;
        Fields = fields;
        _queue = Channel.CreateBounded<WatchFrame>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>Resource watched.</summary>
    public ResourceType Type { get; }

    /// <summary>Namespace watched; null for all.</summary>
    public string? Namespace { get; }

    /// <summary>Label selector.</summary>
    public LabelSelector Labels { get; }

    /// <summary>Field selector.</summary>
    public FieldSelector Fields { get; }

    /// <summary>Events to send before anything from <see cref="Reader"/> (synthetic ADDED or replayed history).</summary>
    public List<WatchFrame> Initial { get; } = [];

    /// <summary>Live events; completes when the watcher fell behind or the server stops.</summary>
    public ChannelReader<WatchFrame> Reader => _queue.Reader;

    /// <summary>True once the store dropped this watcher because its queue was full.</summary>
    public bool Overflowed { get; private set; }

    /// <summary>Maps a store event to what this watcher sees (selector enter/leave become ADDED/DELETED); null if nothing.</summary>
    internal WatchFrame? Translate(StoreEvent e)
    {
        if (!ReferenceEquals(e.Resource, Type)) return null;
        if (Namespace is not null && (string?)e.Object["metadata"]?["namespace"] != Namespace) return null;
        var nowMatches = Matches(e.Object);
        switch (e.Type)
        {
            case WatchEventType.Added:
                return nowMatches ? new(WatchEventType.Added, (JsonObject)e.Object.DeepClone()) : null;
            case WatchEventType.Deleted:
                return nowMatches ? new(WatchEventType.Deleted, (JsonObject)e.Object.DeepClone()) : null;
            default:
                var matchedBefore = e.Previous is not null && Matches(e.Previous);
                return (matchedBefore, nowMatches) switch
                {
                    (true, true) => new(WatchEventType.Modified, (JsonObject)e.Object.DeepClone()),
                    (false, true) => new(WatchEventType.Added, (JsonObject)e.Object.DeepClone()),
                    (true, false) => new(WatchEventType.Deleted, (JsonObject)e.Object.DeepClone()),
                    _ => null,
                };
        }
    }

    internal bool Matches(JsonObject obj) => Labels.Matches(obj) && Fields.Matches(obj);

    /// <summary>Queues without blocking; false when the queue is full or closed.</summary>
    internal bool TryPost(WatchFrame frame) => _queue.Writer.TryWrite(frame);

    internal void Close(bool overflowed)
    {
        Overflowed |= overflowed;
        _queue.Writer.TryComplete();
    }

    /// <summary>Unregisters from the store.</summary>
    public void Dispose() => _store.Unsubscribe(this);
}
