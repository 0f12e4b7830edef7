using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Cni.Node.Kubernetes.Cache;
using k8s;
using k8s.Models;

namespace Cni.Benchmarks.Services;

/// <summary>An in-memory API server for one resource: a list of what it holds, then a watch of what the bench applies (each change gets the next resourceVersion).</summary>
internal sealed class MemoryListWatchSource<T>(string resource, IEnumerable<T> initial) : IListWatchSource<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, T> _objects = Stamped(initial);
    private readonly Channel<ResourceWatchEvent<T>> _events = Channel.CreateUnbounded<ResourceWatchEvent<T>>();
    private long _version = 1_000_000;

    public string Resource { get; } = resource;

    /// <summary>Adds or replaces <paramref name="item"/> and delivers the watch event.</summary>
    public void Apply(T item)
    {
        lock (_lock)
        {
            item.Metadata.ResourceVersion = (++_version).ToString(CultureInfo.InvariantCulture);
            var key = ResourceCache<T>.KeyOf(item);
            var type = _objects.ContainsKey(key) ? WatchEventType.Modified : WatchEventType.Added;
            _objects[key] = item;
            _events.Writer.TryWrite(new ResourceWatchEvent<T>(type, item));
        }
    }

    public Task<ResourceListPage<T>> ListAsync(string? continueToken, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(new ResourceListPage<T>([.. _objects.Values], _version.ToString(CultureInfo.InvariantCulture), null));
        }
    }

    public async IAsyncEnumerable<ResourceWatchEvent<T>> WatchAsync(string resourceVersion, TimeSpan serverTimeout, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            yield return await _events.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static Dictionary<string, T> Stamped(IEnumerable<T> items)
    {
        var objects = new Dictionary<string, T>(StringComparer.Ordinal);
        var version = 1;
        foreach (var item in items)
        {
            item.Metadata.ResourceVersion = (++version).ToString(CultureInfo.InvariantCulture);
            objects[ResourceCache<T>.KeyOf(item)] = item;
        }

        return objects;
    }
}
