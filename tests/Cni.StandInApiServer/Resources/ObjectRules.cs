using System.Globalization;
using System.Text.Json.Nodes;
using Cni.StandInApiServer.Storage;

namespace Cni.StandInApiServer.Resources;

/// <summary>Server-side defaulting and validation shared by the served kinds (services have their own
/// <see cref="ServiceAdmission"/>): kind/apiVersion, metadata maps, EndpointSlice rules, generation.</summary>
internal static class ObjectRules
{
    /// <summary>EndpointSlice validation (addressType, addresses) and port defaults.</summary>
    public static void AdmitEndpointSlice(JsonObject obj, string name)
    {
        var type = ResourceTypes.EndpointSlices;
        var addressType = (string?)obj["addressType"];
        if (addressType is not ("IPv4" or "IPv6" or "FQDN"))
        {
            throw ApiException.Invalid(type, name, addressType is null
                ? ("addressType", "FieldValueRequired", "Required value")
                : ("addressType", "FieldValueNotSupported", $"Unsupported value: \"{addressType}\": supported values: \"FQDN\", \"IPv4\", \"IPv6\""));
        }

        if (obj["endpoints"] is not JsonArray endpoints)
        {
            obj["endpoints"] = endpoints = [];
        }

        for (var i = 0; i < endpoints.Count; i++)
        {
            if (endpoints[i]?["addresses"] is not JsonArray { Count: > 0 })
            {
                throw ApiException.Invalid(type, name, ($"endpoints[{i}].addresses", "FieldValueRequired", "Required value: must contain at least 1 address"));
            }
        }

        // The real defaulting (SetDefaults_EndpointPort): kubectl describe dereferences name and protocol.
        foreach (var port in (obj["ports"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            port["name"] ??= "";
            port["protocol"] ??= "TCP";
        }
    }

    /// <summary>Services and EndpointSlices bump metadata.generation when their desired state changes.</summary>
    public static void BumpGeneration(ResourceType type, JsonObject old, JsonObject updated)
    {
        bool changed;
        if (type == ResourceTypes.Services)
        {
            changed = !JsonNode.DeepEquals(old["spec"], updated["spec"]);
        }
        else if (type == ResourceTypes.EndpointSlices)
        {
            changed = new[] { "addressType", "endpoints", "ports" }.Any(f => !JsonNode.DeepEquals(old[f], updated[f]));
        }
        else
        {
            return;
        }

        var generation = old["metadata"]!["generation"] is JsonValue g && long.TryParse(g.ToJsonString(), CultureInfo.InvariantCulture, out var n) ? n : 1;
        updated["metadata"]!["generation"] = changed ? generation + 1 : generation;
    }

    /// <summary>Rejects a body of another kind (400) and writes kind/apiVersion first, as the real server does.</summary>
    public static void CheckKind(ResourceType type, JsonObject obj)
    {
        var kind = (string?)obj["kind"];
        var apiVersion = (string?)obj["apiVersion"];
        if (!string.IsNullOrEmpty(kind) && kind != type.Kind || !string.IsNullOrEmpty(apiVersion) && apiVersion != type.ApiVersion)
        {
            throw ApiException.BadRequest(
                $"the API version in the data ({apiVersion}) does not match the expected API version ({type.ApiVersion}) or kind {kind} is not {type.Kind}");
        }

        // kind and apiVersion go first, as the real server writes them.
        var rest = obj.Where(p => p.Key is not ("kind" or "apiVersion")).Select(p => (p.Key, Value: p.Value)).ToList();
        obj.Clear();
        obj["kind"] = type.Kind;
        obj["apiVersion"] = type.ApiVersion;
        foreach (var (key, value) in rest) obj[key] = value;
    }

    /// <summary>Labels and annotations must be maps of strings (selectors and clients rely on it).</summary>
    public static void ValidateMetadata(ResourceType type, string name, JsonObject meta)
    {
        foreach (var field in new[] { "labels", "annotations" })
        {
            var node = meta[field];
            if (node is null) continue;
            if (node is not JsonObject map)
            {
                throw ApiException.Invalid(type, name, ($"metadata.{field}", "FieldValueInvalid",
                    $"Invalid value: {node.ToJsonString()}: must be a map of string keys to string values"));
            }

            foreach (var (key, value) in map)
            {
                if (value is not JsonValue v || !v.TryGetValue<string>(out _))
                {
                    throw ApiException.Invalid(type, name, ($"metadata.{field}[{key}]", "FieldValueInvalid",
                        $"Invalid value: {value?.ToJsonString() ?? "null"}: must be a string"));
                }
            }
        }
    }
}
