using System.Text.Json.Nodes;
using Cni.StandInApiServer.Storage;

namespace Cni.StandInApiServer.Patching;

/// <summary>RFC 6902 JSON patch: add, remove, replace, move, copy, test, with RFC 6901 pointers.</summary>
public static class JsonPatch
{
    /// <summary>Applies <paramref name="operations"/> to a copy of <paramref name="document"/>. A malformed operation
    /// or a failed <c>test</c> throws <see cref="ApiException"/> (422, as the real server answers).</summary>
    public static JsonNode Apply(JsonNode document, JsonNode? operations)
    {
        if (operations is not JsonArray ops) throw Invalid("the JSON patch must be an array of operations");
        JsonNode root = document.DeepClone();
        for (var i = 0; i < ops.Count; i++)
        {
            if (ops[i] is not JsonObject op) throw Invalid($"operation {i} is not an object");
            var name = Text(op, "op", i);
            var path = Text(op, "path", i);
            switch (name)
            {
                case "add":
                    root = Add(root, path, Value(op, i));
                    break;
                case "remove":
                    Remove(root, path);
                    break;
                case "replace":
                    Remove(root, path);
                    root = Add(root, path, Value(op, i));
                    break;
                case "move":
                {
                    var from = Text(op, "from", i);
                    var value = Get(root, from)?.DeepClone();
                    Remove(root, from);
                    root = Add(root, path, value);
                    break;
                }
                case "copy":
                    root = Add(root, path, Get(root, Text(op, "from", i))?.DeepClone());
                    break;
                case "test":
                    if (!JsonNode.DeepEquals(Get(root, path), op["value"]))
                    {
                        throw Invalid($"testing value {path} failed");
                    }

                    break;
                default:
                    throw Invalid($"Unexpected kind: {name}");
            }
        }

        return root;
    }

    private static ApiException Invalid(string message) => new(422, "Invalid", message);

    private static string Text(JsonObject op, string field, int index) =>
        op[field] is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw Invalid($"operation {index}: missing \"{field}\"");

    private static JsonNode? Value(JsonObject op, int index) =>
        op.ContainsKey("value") ? op["value"]?.DeepClone() : throw Invalid($"operation {index}: missing \"value\"");

    private static List<string> Parse(string pointer)
    {
        if (pointer.Length == 0) return [];
        if (pointer[0] != '/') throw Invalid($"invalid JSON pointer \"{pointer}\"");
        return pointer[1..].Split('/').Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToList();
    }

    private static (JsonNode Parent, string Last) Parent(JsonNode root, string pointer)
    {
        var segments = Parse(pointer);
        if (segments.Count == 0) throw Invalid("the root cannot be the target of this operation");
        JsonNode? node = root;
        foreach (var s in segments[..^1])
        {
            node = Child(node, s) ?? throw Invalid($"doc is missing path: \"{pointer}\"");
        }

        return (node!, segments[^1]);
    }

    private static JsonNode? Child(JsonNode? node, string segment) => node switch
    {
        JsonObject o => o[segment],
        JsonArray a when int.TryParse(segment, out var i) && i >= 0 && i < a.Count => a[i],
        _ => null,
    };

    private static JsonNode? Get(JsonNode root, string pointer)
    {
        JsonNode? node = root;
        foreach (var s in Parse(pointer))
        {
            var next = Child(node, s);
            if (next is null && !(node is JsonObject o && o.ContainsKey(s))) throw Invalid($"doc is missing path: \"{pointer}\"");
            node = next;
        }

        return node;
    }

    private static JsonNode Add(JsonNode root, string pointer, JsonNode? value)
    {
        if (pointer.Length == 0) return value ?? throw Invalid("cannot replace the document with null");
        var (parent, last) = Parent(root, pointer);
        switch (parent)
        {
            case JsonObject o:
                o[last] = value;
                break;
            case JsonArray a when last == "-":
                a.Add(value);
                break;
            case JsonArray a when int.TryParse(last, out var i) && i >= 0 && i <= a.Count:
                a.Insert(i, value);
                break;
            default:
                throw Invalid($"add operation does not apply: doc is missing path: \"{pointer}\"");
        }

        return root;
    }

    private static void Remove(JsonNode root, string pointer)
    {
        var (parent, last) = Parent(root, pointer);
        switch (parent)
        {
            case JsonObject o when o.ContainsKey(last):
                o.Remove(last);
                break;
            case JsonArray a when int.TryParse(last, out var i) && i >= 0 && i < a.Count:
                a.RemoveAt(i);
                break;
            default:
                throw Invalid($"remove operation does not apply: doc is missing path: \"{pointer}\"");
        }
    }
}
