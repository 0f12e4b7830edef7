using Cni.Node.Kubernetes.Cache;
using k8s.Models;

namespace Cni.Node.Services;

/// <summary>
/// Translations kept across passes: a Service is translated again only when the Service object, the set of its
/// EndpointSlice objects, or this node's facts differ from last time. Objects are compared by instance and
/// resourceVersion (the caches replace an object on every change); an object without a resourceVersion is always
/// taken as changed. An unchanged Service yields the very same <see cref="ServiceTranslation"/> and
/// <see cref="DesiredLoadBalancer"/> instances, which is what lets the engine skip them. <see cref="Translate"/>
/// looks at every Service; <see cref="Update"/> at the ones events named, between two such full looks.
/// </summary>
internal sealed class ServiceTranslationCache
{
    /// <summary>Services to translate below which one thread does it (fanning out costs more than it saves).</summary>
    private const int ParallelTranslationMinimum = 256;

    private Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private ProxyNodeFacts? _facts;

    /// <summary>Services translated by the last <see cref="Translate"/> (new or changed).</summary>
    public int Translated { get; private set; }

    /// <summary>EndpointSlices new or changed since the previous <see cref="Translate"/>, for the programming latency.</summary>
    public List<V1EndpointSlice> ChangedSlices { get; } = [];

    /// <summary>Every Service's translation, in <paramref name="services"/> order.</summary>
    /// <param name="services">Every Service.</param>
    /// <param name="slicesByService">EndpointSlices by Service key (namespace/name).</param>
    /// <param name="facts">This node's facts; any difference translates everything again.</param>
    public List<ServiceTranslation> Translate(IReadOnlyList<V1Service> services, IReadOnlyDictionary<string, List<V1EndpointSlice>> slicesByService, ProxyNodeFacts facts)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(slicesByService);
        ArgumentNullException.ThrowIfNull(facts);
        var sameFacts = facts.Equals(_facts);
        _facts = facts;
        BeginPass();
        var next = new Dictionary<string, Entry>(services.Count, StringComparer.Ordinal);
        var keys = new string[services.Count];
        var stale = new List<(int Index, IReadOnlyList<V1EndpointSlice> Slices)>();
        for (var i = 0; i < services.Count; i++)
        {
            var service = services[i];
            var key = keys[i] = ResourceCache<V1Service>.KeyOf(service);
            IReadOnlyList<V1EndpointSlice> slices = slicesByService.TryGetValue(key, out var own) ? own : [];
            _entries.TryGetValue(key, out var entry);
            var slicesSame = entry is not null && SameSlices(entry.Slices, slices);
            if (entry is null || !sameFacts || !slicesSame || !SameObject(entry.Service, service))
            {
                if (!slicesSame)
                {
                    CollectChanged(entry?.Slices ?? [], slices);
                }

                stale.Add((i, slices));
                continue;
            }

            next[key] = entry;
        }

        // Translating is pure (a Service and its slices in, load balancers out): the first pass of a node with
        // 10,000 Services spreads it over the cores instead of spending a third of a second on one.
        var fresh = new Entry[stale.Count];
        var translate = (int j) =>
        {
            var (index, slices) = stale[j];
            fresh[j] = new Entry(Stamp(services[index]), [.. slices.Select(Stamp)], ServiceTranslator.Translate(services[index], slices, facts));
        };
        if (stale.Count >= ParallelTranslationMinimum)
        {
            Parallel.For(0, stale.Count, translate);
        }
        else
        {
            for (var j = 0; j < stale.Count; j++)
            {
                translate(j);
            }
        }

        for (var j = 0; j < stale.Count; j++)
        {
            next[keys[stale[j].Index]] = fresh[j];
        }

        Translated += stale.Count;
        var translations = new List<ServiceTranslation>(services.Count);
        foreach (var key in keys)
        {
            translations.Add(next[key].Translation);
        }

        _entries = next;
        return translations;
    }

    /// <summary>Whether <see cref="Update"/> can run: a full <see cref="Translate"/> happened with these facts.</summary>
    public bool CanUpdate(ProxyNodeFacts facts) => _facts is not null && facts.Equals(_facts);

    /// <summary>Starts a pass of <see cref="Update"/> calls (resets <see cref="Translated"/> and <see cref="ChangedSlices"/>).</summary>
    public void BeginPass()
    {
        Translated = 0;
        ChangedSlices.Clear();
    }

    /// <summary>Brings one Service's translation up to date with the node facts of the last <see cref="Translate"/>.</summary>
    /// <param name="key">The Service's key (namespace/name).</param>
    /// <param name="service">The Service, or null when it is gone.</param>
    /// <param name="slices">Its EndpointSlices.</param>
    public void Update(string key, V1Service? service, IReadOnlyList<V1EndpointSlice> slices)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(slices);
        var facts = _facts ?? throw new InvalidOperationException("Update before the first full Translate");
        if (service is null)
        {
            _entries.Remove(key);
            return;
        }

        _entries.TryGetValue(key, out var entry);
        var slicesSame = entry is not null && SameSlices(entry.Slices, slices);
        if (entry is not null && slicesSame && SameObject(entry.Service, service))
        {
            return;
        }

        if (!slicesSame)
        {
            CollectChanged(entry?.Slices ?? [], slices);
        }

        _entries[key] = new Entry(Stamp(service), [.. slices.Select(Stamp)], ServiceTranslator.Translate(service, slices, facts));
        Translated++;
    }

    /// <summary>Every Service's translation, in a stable order (a changed Service keeps its place).</summary>
    public List<ServiceTranslation> Current()
    {
        var translations = new List<ServiceTranslation>(_entries.Count);
        foreach (var entry in _entries.Values)
        {
            translations.Add(entry.Translation);
        }

        return translations;
    }

    private static Stamped<T> Stamp<T>(T item)
        where T : k8s.IKubernetesObject<V1ObjectMeta> => new(item, item.Metadata?.ResourceVersion);

    /// <summary>The same instance with the same resourceVersion it had when cached (an instance changed in place is caught too).</summary>
    private static bool SameObject<T>(Stamped<T> cached, T current)
        where T : k8s.IKubernetesObject<V1ObjectMeta> =>
        ReferenceEquals(cached.Item, current)
        && cached.Version is { Length: > 0 } version
        && version == current.Metadata?.ResourceVersion;

    private static bool SameSlices(Stamped<V1EndpointSlice>[] cached, IReadOnlyList<V1EndpointSlice> current)
    {
        if (cached.Length != current.Count)
        {
            return false;
        }

        // A Service has a handful of slices: a nested search is cheaper than a set.
        foreach (var slice in current)
        {
            if (Array.FindIndex(cached, c => SameObject(c, slice)) < 0)
            {
                return false;
            }
        }

        return true;
    }

    private void CollectChanged(Stamped<V1EndpointSlice>[] cached, IReadOnlyList<V1EndpointSlice> current)
    {
        foreach (var slice in current)
        {
            if (Array.FindIndex(cached, c => SameObject(c, slice)) < 0)
            {
                ChangedSlices.Add(slice);
            }
        }
    }

    private sealed record Entry(Stamped<V1Service> Service, Stamped<V1EndpointSlice>[] Slices, ServiceTranslation Translation);

    private readonly record struct Stamped<T>(T Item, string? Version);
}
