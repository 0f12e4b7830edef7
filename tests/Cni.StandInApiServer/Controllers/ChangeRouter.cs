using System.Text.Json.Nodes;
using Cni.StandInApiServer.Resources;
using Cni.StandInApiServer.Storage;

namespace Cni.StandInApiServer.Controllers;

/// <summary>
/// Tells which Services a watch event concerns, keeping just enough of what it saw to answer for the state before
/// the event too: Service selectors, Pod labels and nodes, Node zones, and the Service each managed slice belongs to.
/// A Pod concerns the Services whose selector matched it before or matches it now; a Node concerns the Services of
/// its Pods when it appears, goes or changes zone; a managed slice concerns its Service. Not thread-safe: one
/// reader applies events in order.
/// </summary>
internal sealed class ChangeRouter
{
    private readonly Dictionary<string, Dictionary<string, string>> _selectors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (Dictionary<string, string> Labels, string? Node)> _pods = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> _nodeZones = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _sliceServices = new(StringComparer.Ordinal);

    /// <summary>Every Service known, by selector or by slice (what a relist must look at again).</summary>
    public IEnumerable<string> KnownServices => _selectors.Keys.Concat(_sliceServices.Values).Distinct(StringComparer.Ordinal);

    /// <summary>"namespace/name" of a Service (or any namespaced object).</summary>
    public static string Key(string? ns, string name) => $"{ns ?? "default"}/{name}";

    /// <summary>Applies one event and returns the keys of the Services it concerns.</summary>
    public IReadOnlyList<string> Route(ResourceType type, string eventType, JsonObject obj)
    {
        var meta = obj["metadata"] as JsonObject ?? [];
        var name = (string?)meta["name"] ?? "";
        var ns = (string?)meta["namespace"];
        var deleted = eventType == WatchEventType.Deleted;
        if (type == ResourceTypes.Services)
        {
            var key = Key(ns, name);
            if (deleted) _selectors.Remove(key);
            else _selectors[key] = StringMap(obj["spec"]?["selector"]);
            return [key];
        }

        if (type == ResourceTypes.Pods)
        {
            var key = Key(ns, name);
            _pods.TryGetValue(key, out var before);
            (Dictionary<string, string> Labels, string? Node)? now = deleted ? null : (StringMap(meta["labels"]), (string?)obj["spec"]?["nodeName"]);
            if (now is { } current) _pods[key] = current;
            else _pods.Remove(key);
            return SelectingServices(ns ?? "default", before.Labels, now?.Labels).ToList();
        }

        if (type == ResourceTypes.Nodes)
        {
            var zone = (string?)meta["labels"]?[PodEndpoints.ZoneLabel];
            var existed = _nodeZones.TryGetValue(name, out var oldZone);
            if (deleted) _nodeZones.Remove(name);
            else _nodeZones[name] = zone;

            // Heartbeats and annotations do not change endpoints; appearing, going or moving zone does.
            if (existed && !deleted && oldZone == zone) return [];
            return _pods.Where(p => p.Value.Node == name)
                .SelectMany(p => SelectingServices(p.Key[..p.Key.IndexOf('/', StringComparison.Ordinal)], p.Value.Labels, null))
                .Distinct(StringComparer.Ordinal).ToList();
        }

        if (type == ResourceTypes.EndpointSlices)
        {
            var sliceKey = Key(ns, name);
            if (!deleted && (string?)meta["labels"]?[EndpointSlicePlanner.ServiceNameLabel] is { } service)
            {
                _sliceServices[sliceKey] = Key(ns, service);
                return [Key(ns, service)];
            }

            return _sliceServices.Remove(sliceKey, out var owner) ? [owner] : [];
        }

        return [];
    }

    /// <summary>Forgets what it knew of <paramref name="type"/> (before a fresh list of it).</summary>
    public void Forget(ResourceType type)
    {
        if (type == ResourceTypes.Services) _selectors.Clear();
        else if (type == ResourceTypes.Pods) _pods.Clear();
        else if (type == ResourceTypes.Nodes) _nodeZones.Clear();
        else if (type == ResourceTypes.EndpointSlices) _sliceServices.Clear();
    }

    /// <summary>Whether <paramref name="selector"/> (a Service's, non-empty) selects a pod with <paramref name="labels"/>.</summary>
    public static bool Selects(IReadOnlyDictionary<string, string> selector, IReadOnlyDictionary<string, string>? labels) =>
        selector.Count > 0 && labels is not null && selector.All(s => labels.TryGetValue(s.Key, out var v) && v == s.Value);

    private IEnumerable<string> SelectingServices(string ns, Dictionary<string, string>? before, Dictionary<string, string>? now)
    {
        var prefix = ns + "/";
        return _selectors.Where(s => s.Key.StartsWith(prefix, StringComparison.Ordinal) && (Selects(s.Value, before) || Selects(s.Value, now)))
            .Select(s => s.Key);
    }

    private static Dictionary<string, string> StringMap(JsonNode? node) =>
        (node as JsonObject)?.Where(p => p.Value is JsonValue).ToDictionary(p => p.Key, p => (string?)p.Value ?? "", StringComparer.Ordinal)
        ?? new Dictionary<string, string>(StringComparer.Ordinal);
}
