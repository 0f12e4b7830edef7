using System.Text.Json;
using Cni.Spec.Json;

namespace Cni.Spec;

/// <summary>libcni's conflist rules (conf.go), with wincni's error codes.</summary>
internal static class ConfListParser
{
    private const CniErrorCode Decode = CniErrorCode.DecodingFailure;
    private const CniErrorCode Invalid = CniErrorCode.InvalidNetworkConfig;

    public static NetworkConfigList Parse(JsonElement root, bool legacySingle)
    {
        JsonFields.ExpectObject(root, "", Decode);
        string? version = null, name = null;
        List<string>? versions = null;
        bool disableCheck = false, disableGc = false, loadOnlyInlined = false;
        JsonElement? plugins = null;
        foreach (var p in root.EnumerateObject())
        {
            var key = JsonFields.Name(p, "", Decode);
            switch (key)
            {
                case "cniVersion": version = JsonFields.OptString(p.Value, key, Decode); break;
                case "cniVersions": versions = JsonFields.OptStringList(p.Value, key, Decode); break;
                case "name": name = JsonFields.OptString(p.Value, key, Decode); break;
                case "disableCheck": disableCheck = BoolOrString(p.Value, key); break;
                case "disableGC": disableGc = BoolOrString(p.Value, key); break;
                case "loadOnlyInlinedPlugins": loadOnlyInlined = JsonFields.OptBool(p.Value, key, Decode) ?? false; break;
                case "plugins": plugins = p.Value; break;
                default: break;
            }
        }

        CniNames.ValidateNetworkName(name);

        // libcni rejects version strings it cannot parse and drops parseable ones it does not know.
        for (var i = 0; i < (versions?.Count ?? 0); i++)
        {
            if (!IsSemver(versions![i]))
            {
                throw JsonFields.Error(Invalid, JsonPath.Index("cniVersions", i), JsonPath.Quote(versions[i]) + " is not a version (x.y.z)");
            }
        }

        var selected = CniVersion.SelectHighest(string.IsNullOrEmpty(version) ? null : version, versions);
        if (selected is null)
        {
            throw new CniException(
                CniErrorCode.IncompatibleCniVersion,
                "no supported CNI version in cniVersion/cniVersions",
                "config has " + JsonPath.Quote(version ?? Spec.CniVersion.Implicit) + (versions is null ? "" : " and [" + string.Join(' ', versions) + "]")
                + ", wincni supports [" + string.Join(' ', Spec.CniVersion.Supported) + "]");
        }

        List<ConfListPlugin> list;
        if (legacySingle)
        {
            list = [ReadPlugin(root, "")];
        }
        else
        {
            if (plugins is null || plugins.Value.ValueKind == JsonValueKind.Null)
            {
                throw JsonFields.Error(
                    Invalid,
                    "plugins",
                    loadOnlyInlined ? "is required when loadOnlyInlinedPlugins is true" : "is required (a non-empty list of plugin objects)");
            }

            JsonFields.ExpectArray(plugins.Value, "plugins", Decode);
            list = [];
            var i = 0;
            foreach (var item in plugins.Value.EnumerateArray())
            {
                list.Add(ReadPlugin(item, JsonPath.Index("plugins", i++)));
            }

            if (list.Count == 0)
            {
                throw JsonFields.Error(Invalid, "plugins", "must not be empty");
            }
        }

        return new NetworkConfigList
        {
            CniVersion = version,
            CniVersions = versions,
            SelectedVersion = selected,
            Name = name!,
            DisableCheck = disableCheck,
            DisableGc = disableGc,
            LoadOnlyInlinedPlugins = loadOnlyInlined,
            Plugins = list,
        };
    }

    private static ConfListPlugin ReadPlugin(JsonElement e, string path)
    {
        JsonFields.ExpectObject(e, path, Decode);
        string? type = null;
        var capabilities = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var p in e.EnumerateObject())
        {
            var key = JsonFields.Name(p, path, Decode);
            if (key == "type")
            {
                type = JsonFields.OptString(p.Value, JsonPath.Child(path, "type"), Decode);
            }
            else if (key == "capabilities" && p.Value.ValueKind != JsonValueKind.Null)
            {
                var capPath = JsonPath.Child(path, "capabilities");
                JsonFields.ExpectObject(p.Value, capPath, Decode);
                foreach (var c in p.Value.EnumerateObject())
                {
                    var capName = JsonFields.Name(c, capPath, Decode);
                    var capValuePath = JsonPath.Child(capPath, capName);
                    capabilities[capName] = JsonFields.OptBool(c.Value, capValuePath, Decode)
                        ?? throw JsonFields.WrongType(Decode, capValuePath, "a boolean", c.Value);
                }
            }
        }

        var typePath = JsonPath.Child(path, "type");
        if (string.IsNullOrEmpty(type))
        {
            throw JsonFields.Error(Invalid, typePath, "is required");
        }

        if (!CniNames.IsValidPluginType(type))
        {
            throw JsonFields.Error(Invalid, typePath, JsonPath.Quote(type) + " must be a binary name without '/' or '\\'");
        }

        return new ConfListPlugin { Type = type, Capabilities = capabilities, Raw = e.Clone() };
    }

    /// <summary>libcni accepts a JSON bool or the strings "true"/"false" in any case.</summary>
    private static bool BoolOrString(JsonElement e, string path)
    {
        if (e.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return e.ValueKind == JsonValueKind.True;
        }

        var text = e.ValueKind == JsonValueKind.String ? JsonFields.OptString(e, path, Decode) : null;
        if (string.Equals(text, "true", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (string.Equals(text, "false", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        throw JsonFields.Error(Invalid, path, "invalid value " + (text is null ? JsonFields.Describe(e.ValueKind) : JsonPath.Quote(text)) + ", expected true or false");
    }

    private static bool IsSemver(string text)
    {
        var parts = text.Split('.');
        return parts.Length == 3 && parts.All(p => p.Length > 0 && p.Length <= 9 && p.All(char.IsAsciiDigit));
    }
}
