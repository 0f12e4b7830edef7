using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cni.Hcn.Tests.Json;

/// <summary>Loads golden documents and normalises JSON (sorted keys, fixed indentation) so comparisons ignore layout and member order.</summary>
internal static class GoldenJson
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string Load(string fileName) =>
        File.ReadAllText(Path.Combine(TestContext.CurrentContext.TestDirectory, "Golden", fileName));

    public static IEnumerable<string> AllFileNames() =>
        Directory.EnumerateFiles(Path.Combine(TestContext.CurrentContext.TestDirectory, "Golden"), "*.json")
            .Select(Path.GetFileName)
            .OfType<string>();

    /// <summary>The canonical text of <paramref name="json"/>: object members sorted ordinally, indented.</summary>
    public static string Normalize(string json)
    {
        var node = JsonNode.Parse(json);
        return Sort(node)?.ToJsonString(Indented) ?? "null";
    }

    private static JsonNode? Sort(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Key, Sort(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Sort).ToArray()),
        null => null,
        _ => JsonNode.Parse(node.ToJsonString()),
    };
}
