using System.Net;
using System.Text.Json;
using Cni.Spec.Json;

namespace Cni.Spec.Results;

/// <summary>
/// Reads a result document of any supported version into <see cref="CniResult"/>. Unknown keys are ignored (newer
/// fields in older labels included: containernetworking/cni's converters leave 1.1-only fields in 1.0.0 and 0.4.0
/// results); wrong types, bad addresses and out-of-range interface indexes are errors naming the field. Every error has
/// the caller's code (6 for a prevResult or a plugin's output).
/// </summary>
internal static class ResultParser
{
    /// <param name="element">The result object.</param>
    /// <param name="path">Path prefix for messages ("prevResult" or "").</param>
    /// <param name="assumedVersion">The version to use when the document has no cniVersion (the config's).</param>
    /// <param name="requiredFamily">When set, a result of the other family is rejected (T37).</param>
    /// <param name="code">Code of every error raised.</param>
    public static CniResult Parse(JsonElement element, string path, string? assumedVersion, CniResultFamily? requiredFamily, CniErrorCode code)
    {
        JsonFields.ExpectObject(element, path, code);

        string? version = null;
        var versionSeen = false;
        JsonElement? interfaces = null, ips = null, routes = null, dns = null;
        foreach (var p in element.EnumerateObject())
        {
            switch (JsonFields.Name(p, path, code))
            {
                case "cniVersion":
                    versionSeen = true;
                    version = JsonFields.OptString(p.Value, JsonPath.Child(path, "cniVersion"), code);
                    break;
                case "interfaces": interfaces = p.Value; break;
                case "ips": ips = p.Value; break;
                case "routes": routes = p.Value; break;
                case "dns": dns = p.Value; break;
                default: break; // unknown keys are tolerated, as in every CNI reader
            }
        }

        if (!versionSeen || string.IsNullOrEmpty(version))
        {
            version = assumedVersion;
        }

        if (version is null || !CniVersion.IsSupported(version))
        {
            throw JsonFields.Error(code, JsonPath.Child(path, "cniVersion"), "unsupported CNI result version " + JsonPath.Quote(version));
        }

        var family = CniVersion.FamilyOf(version);
        if (requiredFamily is { } required && required != family)
        {
            throw JsonFields.Error(
                code,
                JsonPath.Child(path, "cniVersion"),
                "result version " + JsonPath.Quote(version) + " cannot be decoded as a " + (required == CniResultFamily.V03 ? "0.3.x/0.4.0" : "1.x") + " result");
        }

        var result = new CniResult
        {
            CniVersion = version,
            Interfaces = interfaces is { } i ? ParseInterfaces(i, JsonPath.Child(path, "interfaces"), code) : [],
            Ips = ips is { } a ? ParseIps(a, JsonPath.Child(path, "ips"), family, code) : [],
            Routes = routes is { } r ? ParseRoutes(r, JsonPath.Child(path, "routes"), code) : [],
            Dns = dns is { } d ? ParseDns(d, JsonPath.Child(path, "dns"), code) : null,
        };

        if (result.FindProblem() is { } problem)
        {
            throw JsonFields.Error(code, path, problem);
        }

        return result;
    }

    public static CniDns? ParseDns(JsonElement e, string path, CniErrorCode code)
    {
        if (e.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        JsonFields.ExpectObject(e, path, code);
        List<string>? nameservers = null, search = null, options = null;
        string? domain = null;
        foreach (var p in e.EnumerateObject())
        {
            var name = JsonFields.Name(p, path, code);
            var child = JsonPath.Child(path, name);
            switch (name)
            {
                case "nameservers": nameservers = JsonFields.OptStringList(p.Value, child, code); break;
                case "domain": domain = JsonFields.OptString(p.Value, child, code); break;
                case "search": search = JsonFields.OptStringList(p.Value, child, code); break;
                case "options": options = JsonFields.OptStringList(p.Value, child, code); break;
                default: break;
            }
        }

        return new CniDns
        {
            Nameservers = nameservers ?? [],
            Domain = string.IsNullOrEmpty(domain) ? null : domain,
            Search = search ?? [],
            Options = options ?? [],
        };
    }

    private static List<ResultInterface> ParseInterfaces(JsonElement e, string path, CniErrorCode code)
    {
        if (e.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        JsonFields.ExpectArray(e, path, code);
        var list = new List<ResultInterface>();
        var index = 0;
        foreach (var item in e.EnumerateArray())
        {
            var itemPath = JsonPath.Index(path, index++);
            JsonFields.ExpectObject(item, itemPath, code);
            string? name = null, mac = null, sandbox = null, socketPath = null, pciId = null;
            int? mtu = null;
            foreach (var p in item.EnumerateObject())
            {
                var key = JsonFields.Name(p, itemPath, code);
                var child = JsonPath.Child(itemPath, key);
                switch (key)
                {
                    case "name": name = JsonFields.OptString(p.Value, child, code); break;
                    case "mac": mac = JsonFields.OptString(p.Value, child, code); break;
                    case "sandbox": sandbox = JsonFields.OptString(p.Value, child, code); break;
                    case "mtu": mtu = (int?)JsonFields.OptInteger(p.Value, child, code, 0, int.MaxValue); break;
                    case "socketPath": socketPath = JsonFields.OptString(p.Value, child, code); break;
                    case "pciID": pciId = JsonFields.OptString(p.Value, child, code); break;
                    default: break;
                }
            }

            if (string.IsNullOrEmpty(name))
            {
                throw JsonFields.Error(code, JsonPath.Child(itemPath, "name"), "is required");
            }

            list.Add(new ResultInterface
            {
                Name = name,
                Mac = NullIfEmpty(mac),
                Mtu = mtu,
                Sandbox = NullIfEmpty(sandbox),
                SocketPath = NullIfEmpty(socketPath),
                PciId = NullIfEmpty(pciId),
            });
        }

        return list;
    }

    private static List<ResultIpConfig> ParseIps(JsonElement e, string path, CniResultFamily family, CniErrorCode code)
    {
        if (e.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        JsonFields.ExpectArray(e, path, code);
        var list = new List<ResultIpConfig>();
        var index = 0;
        foreach (var item in e.EnumerateArray())
        {
            var itemPath = JsonPath.Index(path, index++);
            JsonFields.ExpectObject(item, itemPath, code);
            string? address = null, gateway = null, version = null;
            int? iface = null;
            foreach (var p in item.EnumerateObject())
            {
                var key = JsonFields.Name(p, itemPath, code);
                var child = JsonPath.Child(itemPath, key);
                switch (key)
                {
                    case "address": address = JsonFields.OptString(p.Value, child, code); break;
                    case "gateway": gateway = JsonFields.OptString(p.Value, child, code); break;
                    case "interface": iface = (int?)JsonFields.OptInteger(p.Value, child, code, int.MinValue, int.MaxValue); break;
                    case "version": version = JsonFields.OptString(p.Value, child, code); break;
                    default: break;
                }
            }

            if (string.IsNullOrEmpty(address))
            {
                throw JsonFields.Error(code, JsonPath.Child(itemPath, "address"), "is required");
            }

            if (!IpAddressWithPrefix.TryParse(address, out var parsed))
            {
                throw JsonFields.Error(code, JsonPath.Child(itemPath, "address"), JsonPath.Quote(address) + " is not an address in CIDR notation");
            }

            // 0.3.x/0.4.0 "version" is derived from the address when written, so a missing one is tolerated on
            // read (as the reference decoder does); one that contradicts the address means corrupted input.
            // 1.x ignores a stray one.
            if (family == CniResultFamily.V03 && !string.IsNullOrEmpty(version))
            {
                var expected = parsed.IsIPv4 ? "4" : "6";
                if (!string.Equals(version, expected, StringComparison.Ordinal))
                {
                    throw JsonFields.Error(code, JsonPath.Child(itemPath, "version"), JsonPath.Quote(version) + " does not match address " + parsed);
                }
            }

            list.Add(new ResultIpConfig
            {
                Address = parsed,
                Gateway = ParseOptionalIp(gateway, JsonPath.Child(itemPath, "gateway"), code),
                Interface = iface,
            });
        }

        return list;
    }

    private static List<ResultRoute> ParseRoutes(JsonElement e, string path, CniErrorCode code)
    {
        if (e.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        JsonFields.ExpectArray(e, path, code);
        var list = new List<ResultRoute>();
        var index = 0;
        foreach (var item in e.EnumerateArray())
        {
            var itemPath = JsonPath.Index(path, index++);
            JsonFields.ExpectObject(item, itemPath, code);
            string? dst = null, gw = null;
            int? mtu = null, advmss = null, priority = null, table = null, scope = null;
            foreach (var p in item.EnumerateObject())
            {
                var key = JsonFields.Name(p, itemPath, code);
                var child = JsonPath.Child(itemPath, key);
                switch (key)
                {
                    case "dst": dst = JsonFields.OptString(p.Value, child, code); break;
                    case "gw": gw = JsonFields.OptString(p.Value, child, code); break;
                    case "mtu": mtu = (int?)JsonFields.OptInteger(p.Value, child, code, 0, int.MaxValue); break;
                    case "advmss": advmss = (int?)JsonFields.OptInteger(p.Value, child, code, 0, int.MaxValue); break;
                    case "priority": priority = (int?)JsonFields.OptInteger(p.Value, child, code, 0, int.MaxValue); break;
                    case "table": table = (int?)JsonFields.OptInteger(p.Value, child, code, 0, int.MaxValue); break;
                    case "scope": scope = (int?)JsonFields.OptInteger(p.Value, child, code, 0, 255); break;
                    default: break;
                }
            }

            if (string.IsNullOrEmpty(dst))
            {
                throw JsonFields.Error(code, JsonPath.Child(itemPath, "dst"), "is required");
            }

            if (!IpAddressWithPrefix.TryParse(dst, out var parsedDst))
            {
                throw JsonFields.Error(code, JsonPath.Child(itemPath, "dst"), JsonPath.Quote(dst) + " is not an address in CIDR notation");
            }

            list.Add(new ResultRoute
            {
                Dst = parsedDst,
                Gw = ParseOptionalIp(gw, JsonPath.Child(itemPath, "gw"), code),
                Mtu = mtu,
                AdvMss = advmss,
                Priority = priority,
                Table = table,
                Scope = scope,
            });
        }

        return list;
    }

    private static IPAddress? ParseOptionalIp(string? text, string path, CniErrorCode code)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return IpText.TryParseAddress(text, out var ip)
            ? ip
            : throw JsonFields.Error(code, path, JsonPath.Quote(text) + " is not an IP address");
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
