using System.Text.Json.Nodes;
using Cni.StandInApiServer.Resources;
using Cni.StandInApiServer.Storage;

namespace Cni.StandInApiServer.Selectors;

/// <summary>A parsed <c>fieldSelector</c> query (<c>field=value</c>, <c>field==value</c>, <c>field!=value</c>, comma-joined).</summary>
public sealed class FieldSelector
{
    private readonly IReadOnlyList<(string Path, string Value, bool Equal)> _terms;

    private FieldSelector(IReadOnlyList<(string Path, string Value, bool Equal)> terms) => _terms = terms;

    /// <summary>Selects everything.</summary>
    public static FieldSelector Everything { get; } = new([]);

    /// <summary>True when there are no terms.</summary>
    public bool IsEmpty => _terms.Count == 0;

    /// <summary>Parses a selector; fields the real server does not support for <paramref name="type"/> are a 400.</summary>
    public static FieldSelector Parse(string? text, ResourceType type)
    {
        if (string.IsNullOrWhiteSpace(text)) return Everything;
        var terms = new List<(string, string, bool)>();
        foreach (var raw in text.Split(','))
        {
            var part = raw.Trim();
            var (op, equal) = part.Contains("!=", StringComparison.Ordinal) ? ("!=", false)
                : part.Contains("==", StringComparison.Ordinal) ? ("==", true)
                : part.Contains('=', StringComparison.Ordinal) ? ("=", true)
                : throw ApiException.BadRequest($"invalid selector: '{text}'; can't understand '{part}'");
            var at = part.IndexOf(op, StringComparison.Ordinal);
            var field = part[..at].Trim();
            if (!SupportedFields(type).Contains(field))
            {
                throw ApiException.BadRequest($"field label not supported: {field}");
            }

            terms.Add((field, part[(at + op.Length)..].Trim(), equal));
        }

        return new(terms);
    }

    /// <summary>Whether <paramref name="obj"/> satisfies every term (a missing field reads as the empty string).</summary>
    public bool Matches(JsonObject obj)
    {
        foreach (var (path, value, equal) in _terms)
        {
            JsonNode? node = obj;
            foreach (var segment in path.Split('.'))
            {
                node = (node as JsonObject)?[segment];
            }

            var actual = node switch
            {
                null => MissingValue(path),
                JsonValue v when v.TryGetValue<string>(out var s) => s,
                JsonValue v when v.TryGetValue<bool>(out var b) => b ? "true" : "false",
                _ => node.ToJsonString(),
            };
            if (string.Equals(actual, value, StringComparison.Ordinal) != equal) return false;
        }

        return true;
    }

    /// <summary>What an absent field reads as: the real server matches Go struct fields, so an omitted bool is false.</summary>
    private static string MissingValue(string path) => path is "spec.unschedulable" or "spec.hostNetwork" ? "false" : "";

    private static string[] SupportedFields(ResourceType type) => type.Plural switch
    {
        "nodes" => ["metadata.name", "spec.unschedulable"],
        "namespaces" => ["metadata.name", "status.phase"],
        "pods" =>
        [
            "metadata.name", "metadata.namespace", "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
            "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName",
        ],
        "services" => ["metadata.name", "metadata.namespace", "spec.clusterIP", "spec.type"],
        _ => ["metadata.name", "metadata.namespace", "addressType"],
    };
}
