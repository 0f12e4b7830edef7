using System.Text.Json;
using Cni.Spec.Capabilities;
using Cni.Spec.Json;
using Cni.Spec.Results;

namespace Cni.Spec;

/// <summary>
/// Reads a request config in the reference library's order, split in two so <see cref="PluginInvocation"/> can put
/// the version gates and the env checks between them: <see cref="ReadHeader"/> (object, name, cniVersion) and
/// <see cref="ReadBody"/> (everything else, prevResult in its own version).
/// </summary>
internal static class NetworkConfigParser
{
    private const CniErrorCode Decode = CniErrorCode.DecodingFailure;
    private const CniErrorCode Invalid = CniErrorCode.InvalidNetworkConfig;

    /// <summary>What the reference's skel checks before dispatching: name (7) and cniVersion (6 when not a string).</summary>
    /// <returns>The cniVersion, or <see cref="CniVersion.Implicit"/> when absent or empty.</returns>
    public static string ReadHeader(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new CniException(Decode, "error decoding network config: expected a JSON object, got " + JsonFields.Describe(root.ValueKind));
        }

        string? name = null, version = null;
        foreach (var p in root.EnumerateObject())
        {
            // Last occurrence wins, as with Go's decoder.
            switch (JsonFields.Name(p, "", Decode))
            {
                case "name": name = JsonFields.OptString(p.Value, "name", Decode); break;
                case "cniVersion": version = JsonFields.OptString(p.Value, "cniVersion", Decode); break;
                default: break;
            }
        }

        CniNames.ValidateNetworkName(name);
        return string.IsNullOrEmpty(version) ? CniVersion.Implicit : version;
    }

    /// <summary>Everything after the header; <paramref name="version"/> is supported by now.</summary>
    /// <param name="root">The request object.</param>
    /// <param name="version">The config's (supported) cniVersion.</param>
    /// <param name="raw">The request bytes, kept on the result.</param>
    /// <param name="lenientPrevResult">
    /// DEL: an unusable prevResult is dropped (and described in <see cref="NetworkConfig.PrevResultError"/>) instead of
    /// failing, because DEL must succeed without one and a stuck teardown is worse than a lost hint.
    /// </param>
    public static NetworkConfig ReadBody(JsonElement root, string version, ReadOnlyMemory<byte> raw, bool lenientPrevResult = false)
    {
        string? prevResultError = null;
        string? name = null, type = null, socket = null, logFile = null;
        double? timeout = null;
        bool? ipMasq = null;
        Dictionary<string, bool>? capabilities = null;
        IpamConfig? ipam = null;
        CniDns? dns = null;
        CniResult? prevResult = null;
        RuntimeConfig? runtimeConfig = null;
        JsonElement? args = null;
        List<GcAttachment>? valid = null, attachments = null;
        var extensions = new Dictionary<string, JsonElement>(StringComparer.Ordinal);

        foreach (var p in root.EnumerateObject())
        {
            var key = JsonFields.Name(p, "", Decode);
            var v = p.Value;
            switch (key)
            {
                case "cniVersion":
                    break; // read by ReadHeader
                case "name":
                    name = JsonFields.OptString(v, key, Decode);
                    break;
                case "type":
                    type = JsonFields.OptString(v, key, Decode);
                    break;
                case "capabilities":
                    capabilities = ReadCapabilities(v, key);
                    break;
                case "ipMasq":
                    ipMasq = JsonFields.OptBool(v, key, Decode);
                    break;
                case "ipam":
                    ipam = ReadIpam(v, key);
                    break;
                case "dns":
                    dns = ResultParser.ParseDns(v, key, Decode);
                    break;
                case "prevResult":
                    // Parsed in its own version: no cniVersion means the config's; the other family is a decode error.
                    try
                    {
                        prevResult = v.ValueKind == JsonValueKind.Null
                            ? null
                            : ResultParser.Parse(v, key, version, CniVersion.FamilyOf(version), Decode);
                    }
                    catch (CniException e) when (lenientPrevResult)
                    {
                        prevResult = null;
                        prevResultError = e.Error.Msg;
                    }

                    break;
                case "runtimeConfig":
                    runtimeConfig = RuntimeConfigParser.Parse(v, key);
                    break;
                case "args":
                    if (v.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
                    {
                        throw JsonFields.WrongType(Decode, key, "an object", v);
                    }

                    args = v.ValueKind == JsonValueKind.Null ? null : v.Clone();
                    break;
                case NetworkConfig.ValidAttachmentsKey:
                    valid = ReadAttachments(v, key);
                    break;
                case NetworkConfig.AttachmentsKey:
                    attachments = ReadAttachments(v, key);
                    break;
                case "socket":
                    socket = JsonFields.OptString(v, key, Decode);
                    if (socket is { Length: 0 })
                    {
                        throw JsonFields.Error(Invalid, key, "must not be empty (leave it out for the default socket)");
                    }

                    break;
                case "logFile":
                    logFile = JsonFields.OptString(v, key, Decode);
                    break;
                case "timeoutSeconds":
                    timeout = JsonFields.OptDouble(v, key, Decode);
                    if (timeout is <= 0 or > 86400)
                    {
                        throw JsonFields.Error(Invalid, key, "must be a number of seconds greater than 0 and at most 86400");
                    }

                    break;
                default:
                    extensions[key] = v.Clone();
                    break;
            }
        }

        if (string.IsNullOrEmpty(type))
        {
            throw JsonFields.Error(Invalid, "type", "is required");
        }

        if (!CniNames.IsValidPluginType(type))
        {
            throw JsonFields.Error(Invalid, "type", JsonPath.Quote(type) + " must be a binary name without '/' or '\\'");
        }

        return new NetworkConfig
        {
            CniVersion = version,
            Name = name!,
            Type = type,
            Capabilities = capabilities,
            IpMasq = ipMasq,
            Ipam = ipam,
            Dns = dns,
            PrevResult = prevResult,
            PrevResultError = prevResultError,
            RuntimeConfig = runtimeConfig,
            Args = args,
            ValidAttachments = valid ?? attachments,
            Socket = socket,
            LogFile = string.IsNullOrEmpty(logFile) ? null : logFile,
            TimeoutSeconds = timeout,
            ExtensionData = extensions,
            RawJson = raw,
        };
    }

    /// <summary>
    /// Stand-alone parse: decode (6), header (7), version support or the command's gate (1), body (6/7).
    /// With <paramref name="command"/> DEL, an unusable prevResult is dropped rather than fatal.
    /// </summary>
    public static NetworkConfig Parse(ReadOnlyMemory<byte> json, CniCommand? command = null)
    {
        using var document = CniJson.ParseDocument(json, "network config");
        var version = ReadHeader(document.RootElement);
        if (command is { } c)
        {
            CniVersion.EnsureCommandAllowed(c, version);
        }
        else
        {
            CniVersion.EnsureSupported(version);
        }

        return ReadBody(document.RootElement, version, json, command == CniCommand.Del);
    }

    private static Dictionary<string, bool>? ReadCapabilities(JsonElement v, string path)
    {
        if (v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        JsonFields.ExpectObject(v, path, Decode);
        var map = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var p in v.EnumerateObject())
        {
            var name = JsonFields.Name(p, path, Decode);
            var child = JsonPath.Child(path, name);
            map[name] = JsonFields.OptBool(p.Value, child, Decode) ?? throw JsonFields.WrongType(Decode, child, "a boolean", p.Value);
        }

        return map;
    }

    private static IpamConfig? ReadIpam(JsonElement v, string path)
    {
        if (v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        JsonFields.ExpectObject(v, path, Decode);
        string? type = null;
        foreach (var p in v.EnumerateObject())
        {
            if (JsonFields.Name(p, path, Decode) == "type")
            {
                type = JsonFields.OptString(p.Value, JsonPath.Child(path, "type"), Decode);
            }
        }

        if (!string.IsNullOrEmpty(type) && !CniNames.IsValidPluginType(type))
        {
            throw JsonFields.Error(Invalid, JsonPath.Child(path, "type"), JsonPath.Quote(type) + " must be a binary name without '/' or '\\'");
        }

        return new IpamConfig { Type = string.IsNullOrEmpty(type) ? null : type, Raw = v.Clone() };
    }

    private static List<GcAttachment>? ReadAttachments(JsonElement v, string path)
    {
        if (v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        JsonFields.ExpectArray(v, path, Decode);
        var list = new List<GcAttachment>();
        var i = 0;
        foreach (var item in v.EnumerateArray())
        {
            var itemPath = JsonPath.Index(path, i++);
            JsonFields.ExpectObject(item, itemPath, Decode);
            string? containerId = null, ifName = null;
            foreach (var p in item.EnumerateObject())
            {
                switch (JsonFields.Name(p, itemPath, Decode))
                {
                    case "containerID": containerId = JsonFields.OptString(p.Value, JsonPath.Child(itemPath, "containerID"), Decode); break;
                    case "ifname": ifName = JsonFields.OptString(p.Value, JsonPath.Child(itemPath, "ifname"), Decode); break;
                    default: break;
                }
            }

            if (string.IsNullOrEmpty(containerId))
            {
                throw JsonFields.Error(Invalid, JsonPath.Child(itemPath, "containerID"), "is required");
            }

            if (string.IsNullOrEmpty(ifName))
            {
                throw JsonFields.Error(Invalid, JsonPath.Child(itemPath, "ifname"), "is required");
            }

            list.Add(new GcAttachment(containerId, ifName));
        }

        return list;
    }
}
