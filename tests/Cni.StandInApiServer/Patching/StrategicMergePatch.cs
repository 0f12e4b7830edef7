using System.Text.Json.Nodes;
using Cni.StandInApiServer.Storage;

namespace Cni.StandInApiServer.Patching;

/// <summary>Kubernetes strategic merge patch for the fields of the served kinds: maps merge (null deletes), lists with a
/// patch merge key merge by that key, merge-strategy primitive lists union, all other lists are replaced; directives
/// <c>$patch</c> (replace/delete/merge), <c>$retainKeys</c>, <c>$deleteFromPrimitiveList/</c> and
/// <c>$setElementOrder/</c> (an ordering hint, ignored).</summary>
public static class StrategicMergePatch
{
    // Patch metadata copied as facts from the Go struct tags of k8s.io/api (patchStrategy/patchMergeKey).
    private static readonly Dictionary<string, string> MergeKeys = new(StringComparer.Ordinal)
    {
        ["*:metadata.ownerReferences"] = "uid",
        ["*:metadata.managedFields"] = "", // atomic
        ["Node:status.conditions"] = "type",
        ["Node:status.addresses"] = "type",
        ["Pod:spec.containers"] = "name",
        ["Pod:spec.initContainers"] = "name",
        ["Pod:spec.containers.ports"] = "containerPort",
        ["Pod:spec.initContainers.ports"] = "containerPort",
        ["Pod:spec.containers.env"] = "name",
        ["Pod:spec.initContainers.env"] = "name",
        ["Pod:spec.containers.volumeMounts"] = "mountPath",
        ["Pod:spec.initContainers.volumeMounts"] = "mountPath",
        ["Pod:spec.volumes"] = "name",
        ["Pod:spec.imagePullSecrets"] = "name",
        ["Pod:status.conditions"] = "type",
        ["Pod:status.podIPs"] = "ip",
        ["Pod:status.hostIPs"] = "ip",
        ["Service:spec.ports"] = "port",
        ["Service:status.conditions"] = "type",
        ["Namespace:status.conditions"] = "type",
    };

    private static readonly HashSet<string> MergedPrimitiveLists = new(StringComparer.Ordinal)
    {
        "*:metadata.finalizers",
        "Node:spec.podCIDRs",
    };

    /// <summary>Returns <paramref name="target"/> (an object of <paramref name="kind"/>) patched by <paramref name="patch"/>.</summary>
    public static JsonObject Apply(string kind, JsonObject target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            throw new ApiException(400, "BadRequest", "a strategic merge patch must be a JSON object");
        }

        return MergeMap(kind, "", (JsonObject)target.DeepClone(), patchObject) ?? [];
    }

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    private static string? MergeKeyFor(string kind, string path) =>
        MergeKeys.TryGetValue($"{kind}:{path}", out var k) || MergeKeys.TryGetValue($"*:{path}", out k) ? k : null;

    private static bool IsMergedPrimitiveList(string kind, string path) =>
        MergedPrimitiveLists.Contains($"{kind}:{path}") || MergedPrimitiveLists.Contains($"*:{path}");

    private static string? Directive(JsonObject o) =>
        o["$patch"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    // Returns null when the map is to be deleted.
    private static JsonObject? MergeMap(string kind, string path, JsonObject original, JsonObject patch)
    {
        switch (Directive(patch))
        {
            case "delete":
                return null;
            case "replace":
            {
                var replaced = (JsonObject)patch.DeepClone();
                replaced.Remove("$patch");
                return replaced;
            }
            case null or "merge":
                break;
            default:
                throw new ApiException(400, "BadRequest", $"Unknown patch type: {Directive(patch)} in map patch");
        }

        List<string>? retainKeys = null;
        foreach (var (key, value) in patch)
        {
            if (key == "$patch" || key.StartsWith("$setElementOrder/", StringComparison.Ordinal)) continue;
            if (key == "$retainKeys")
            {
                retainKeys = (value as JsonArray)?.Select(n => n!.GetValue<string>()).ToList() ?? [];
                continue;
            }

            if (key.StartsWith("$deleteFromPrimitiveList/", StringComparison.Ordinal))
            {
                var field = key["$deleteFromPrimitiveList/".Length..];
                if (original[field] is JsonArray list && value is JsonArray remove)
                {
                    var kept = list.Where(item => !remove.Any(r => JsonNode.DeepEquals(r, item))).Select(i => i?.DeepClone()).ToArray();
                    original[field] = new JsonArray(kept);
                }

                continue;
            }

            var childPath = Join(path, key);
            if (value is null)
            {
                original.Remove(key);
            }
            else if (value is JsonObject childPatch)
            {
                // Merge into a detached copy: a node that still has a parent cannot be assigned back.
                var merged = MergeMap(kind, childPath, original[key]?.DeepClone() as JsonObject ?? [], childPatch);
                if (merged is null) original.Remove(key);
                else original[key] = merged;
            }
            else if (value is JsonArray listPatch)
            {
                original[key] = MergeList(kind, childPath, original[key] as JsonArray, listPatch);
            }
            else
            {
                original[key] = value.DeepClone();
            }
        }

        if (retainKeys is not null)
        {
            foreach (var key in original.Select(p => p.Key).Where(k => !retainKeys.Contains(k)).ToList())
            {
                original.Remove(key);
            }
        }

        return original;
    }

    private static JsonArray MergeList(string kind, string path, JsonArray? original, JsonArray patch)
    {
        var mergeKey = MergeKeyFor(kind, path);
        var replaceAll = patch.OfType<JsonObject>().Any(o => Directive(o) == "replace");
        if (replaceAll || original is null || string.IsNullOrEmpty(mergeKey) && !IsMergedPrimitiveList(kind, path))
        {
            return new JsonArray(patch.Where(i => i is not JsonObject o || Directive(o) is null).Select(i => i?.DeepClone()).ToArray());
        }

        var result = new JsonArray(original.Select(i => i?.DeepClone()).ToArray());
        if (string.IsNullOrEmpty(mergeKey))
        {
            // Merge-strategy list of primitives: a set union that keeps the original order.
            foreach (var item in patch.Where(i => !result.Any(r => JsonNode.DeepEquals(r, i))))
            {
                result.Add(item?.DeepClone());
            }

            return result;
        }

        foreach (var item in patch)
        {
            if (item is not JsonObject itemPatch)
            {
                throw new ApiException(400, "BadRequest", $"{path}: items of a list merged by \"{mergeKey}\" must be objects");
            }

            var keyValue = itemPatch[mergeKey] ?? throw new ApiException(400, "BadRequest",
                $"map: {itemPatch.ToJsonString()} does not contain declared merge key: {mergeKey}");
            var index = -1;
            for (var i = 0; i < result.Count; i++)
            {
                if (JsonNode.DeepEquals((result[i] as JsonObject)?[mergeKey], keyValue))
                {
                    index = i;
                    break;
                }
            }

            if (Directive(itemPatch) == "delete")
            {
                if (index >= 0) result.RemoveAt(index);
                continue;
            }

            if (index >= 0)
            {
                var merged = MergeMap(kind, path, (JsonObject)result[index]!.DeepClone(), itemPatch);
                if (merged is null) result.RemoveAt(index);
                else result[index] = merged;
            }
            else
            {
                result.Add(MergeMap(kind, path, [], itemPatch));
            }
        }

        return result;
    }
}
