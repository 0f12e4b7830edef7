using System.Text.Json.Nodes;
using Cni.StandInApiServer.Resources;

namespace Cni.StandInApiServer.Http;

/// <summary>A minimal OpenAPI v3 surface. kubectl create/apply/patch fetch <c>/openapi/v3</c> and the group-version
/// document to learn whether the server supports the <c>fieldValidation</c> query parameter for a kind (then they
/// leave validation to the server instead of validating client-side against <c>/openapi/v2</c>). That check only
/// reads the paths: a POST/PUT/PATCH operation tagged with <c>x-kubernetes-group-version-kind</c> and listing a
/// <c>fieldValidation</c> parameter. No component schemas are served, so client-side apply takes its strategic
/// merge metadata from the types compiled into kubectl, which are the real ones.</summary>
internal static class OpenApiDocuments
{
    private const string Hash = "standin1";

    public static JsonObject Root()
    {
        var paths = new JsonObject();
        foreach (var gv in GroupVersions())
        {
            paths[gv] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{gv}?hash={Hash}" };
        }

        return new JsonObject { ["paths"] = paths };
    }

    /// <summary>The document for <paramref name="groupVersionPath"/> (e.g. "api/v1"); null when not served.</summary>
    public static JsonObject? Document(string groupVersionPath)
    {
        var types = ResourceTypes.All.Where(t => Path(t) == groupVersionPath).ToList();
        if (types.Count == 0) return null;
        var paths = new JsonObject();
        foreach (var t in types)
        {
            var prefix = "/" + Path(t) + (t.Namespaced ? "/namespaces/{namespace}" : "");
            paths[$"{prefix}/{t.Plural}"] = new JsonObject
            {
                ["get"] = Operation(t, "list"),
                ["post"] = Operation(t, "post"),
            };
            paths[$"{prefix}/{t.Plural}/{{name}}"] = new JsonObject
            {
                ["get"] = Operation(t, "get"),
                ["put"] = Operation(t, "put"),
                ["patch"] = Operation(t, "patch"),
                ["delete"] = Operation(t, "delete"),
            };
            if (t.HasStatus)
            {
                paths[$"{prefix}/{t.Plural}/{{name}}/status"] = new JsonObject
                {
                    ["get"] = Operation(t, "get"),
                    ["put"] = Operation(t, "put"),
                    ["patch"] = Operation(t, "patch"),
                };
            }
        }

        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes (wincni stand-in)", ["version"] = "v1.32.0" },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = new JsonObject() },
        };
    }

    private static IEnumerable<string> GroupVersions() => ResourceTypes.All.Select(Path).Distinct();

    private static string Path(ResourceType t) => t.Group.Length == 0 ? $"api/{t.Version}" : $"apis/{t.Group}/{t.Version}";

    private static JsonObject Operation(ResourceType t, string action)
    {
        var parameters = new JsonArray();
        if (action is "post" or "put" or "patch")
        {
            parameters.Add(new JsonObject
            {
                ["name"] = "fieldValidation",
                ["in"] = "query",
                ["description"] = "fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields.",
                ["schema"] = new JsonObject { ["type"] = "string", ["uniqueItems"] = true },
            });
            parameters.Add(new JsonObject
            {
                ["name"] = "dryRun",
                ["in"] = "query",
                ["schema"] = new JsonObject { ["type"] = "string", ["uniqueItems"] = true },
            });
        }

        return new JsonObject
        {
            ["operationId"] = $"{action}{t.Kind}",
            ["parameters"] = parameters,
            ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "OK" } },
            ["x-kubernetes-action"] = action,
            ["x-kubernetes-group-version-kind"] = new JsonObject
            {
                ["group"] = t.Group,
                ["version"] = t.Version,
                ["kind"] = t.Kind,
            },
        };
    }
}
