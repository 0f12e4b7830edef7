using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Cni.Node.Kubernetes.Cache;
using k8s;
using k8s.Models;

namespace Cni.Node.Tests.Kubernetes;

/// <summary>
/// A source of any resource whose list can be held back (to keep a cache unsynced) and whose watch delivers the
/// changes a test makes; every change gets the next resourceVersion.
/// </summary>
internal sealed class ScriptedListWatchSource<T> : IListWatchSource<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, T> _objects = new(StringComparer.Ordinal);
    private readonly Channel<ResourceWatchEvent<T>> _events = Channel.CreateUnbounded<ResourceWatchEvent<T>>();
    private readonly TaskCompletionSource _listReleased = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _version = 1;

    public ScriptedListWatchSource(string resource, bool holdList = false, params T[] initial)
    {
        Resource = resource;
        foreach (var item in initial)
        {
            Stamp(item);
            _objects[ResourceCache<T>.KeyOf(item)] = item;
        }

        if (!holdList)
        {
            _listReleased.SetResult();
        }
    }

    public string Resource { get; }

    /// <summary>Lets a held list answer.</summary>
    public void ReleaseList() => _listReleased.TrySetResult();

    public void Apply(T item)
    {
        lock (_lock)
        {
            Stamp(item);
            var key = ResourceCache<T>.KeyOf(item);
            var type = _objects.ContainsKey(key) ? WatchEventType.Modified : WatchEventType.Added;
            _objects[key] = item;
            _events.Writer.TryWrite(new ResourceWatchEvent<T>(type, item));
        }
    }

    public async Task<ResourceListPage<T>> ListAsync(string? continueToken, CancellationToken cancellationToken)
    {
        await _listReleased.Task.WaitAsync(cancellationToken);
        lock (_lock)
        {
            return new ResourceListPage<T>([.. _objects.Values], _version.ToString(CultureInfo.InvariantCulture), null);
        }
    }

    public async IAsyncEnumerable<ResourceWatchEvent<T>> WatchAsync(
        string resourceVersion, TimeSpan serverTimeout, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            yield return await _events.Reader.ReadAsync(cancellationToken);
        }
    }

    private void Stamp(T item)
    {
        item.Metadata.ResourceVersion = (++_version).ToString(CultureInfo.InvariantCulture);
    }
}
