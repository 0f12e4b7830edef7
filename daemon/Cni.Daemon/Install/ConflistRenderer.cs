using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cni.Daemon.Install;

/// <summary>
/// Renders the conflist a node gets from the one in the ConfigMap: the network's <c>name</c> is the node config's
/// <c>networkName</c> and the wincni plugin's <c>socket</c> is the node config's socket, so the plugin always dials the
/// daemon that serves that network. Everything else (cniVersion, capabilities, chained plugins) is kept as written.
/// </summary>
public static class ConflistRenderer
{
    /// <summary>The conflist shipped in deploy/base, used when none is given: cniVersion 1.0.0, which the CNI libraries
    /// of containerd 1.6/1.7 and podman 4 accept (they reject 1.1.0 results); wincni answers in the version asked.</summary>
    public const string DefaultConflist = """
        {
          "cniVersion": "1.0.0",
          "name": "wincni",
          "plugins": [
            {
              "type": "wincni",
              "capabilities": {"portMappings": true, "dns": true}
            }
          ]
        }

        """;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Renders <paramref name="conflist"/>; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="InstallException">Not a conflist with exactly one wincni plugin; the message names the field.</exception>
    public static string Render(string conflist, string source, string networkName, string socket)
    {
        ArgumentNullException.ThrowIfNull(conflist);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(conflist);
        }
        catch (JsonException e)
        {
            throw new InstallException($"{source}: not valid JSON: {e.Message}", e);
        }

        if (root is not JsonObject document)
        {
            throw new InstallException($"{source}: a conflist is a JSON object");
        }

        if (document["cniVersion"] is not JsonValue version || version.GetValueKind() != JsonValueKind.String || string.IsNullOrEmpty(version.GetValue<string>()))
        {
            throw new InstallException($"{source}: cniVersion: missing or not a string");
        }

        if (document["plugins"] is not JsonArray plugins || plugins.Count == 0)
        {
            throw new InstallException($"{source}: plugins: missing or empty (a conflist, not a single .conf)");
        }

        var wincni = plugins
            .Select((plugin, index) => (plugin, index))
            .Where(p => p.plugin is JsonObject o && o["type"] is JsonValue t && t.GetValueKind() == JsonValueKind.String && t.GetValue<string>() == "wincni")
            .ToList();
        if (wincni.Count != 1)
        {
            throw new InstallException($"{source}: plugins: exactly one entry with \"type\": \"wincni\" is needed, found {wincni.Count}");
        }

        for (var i = 0; i < plugins.Count; i++)
        {
            if (plugins[i] is not JsonObject || plugins[i]!["type"] is not JsonValue)
            {
                throw new InstallException($"{source}: plugins[{i}].type: missing");
            }
        }

        document["name"] = networkName;
        ((JsonObject)wincni[0].plugin!)["socket"] = socket;
        return document.ToJsonString(Indented) + "\n";
    }
}
