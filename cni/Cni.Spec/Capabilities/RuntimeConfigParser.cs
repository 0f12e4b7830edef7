using System.Globalization;
using System.Net;
using System.Text.Json;
using Cni.Spec.Json;

namespace Cni.Spec.Capabilities;

/// <summary>
/// Reads <c>runtimeConfig</c> with case-insensitive keys at every level (containerd: PascalCase; CONVENTIONS: camelCase).
/// A wrong JSON type is code 6, a value that fails validation is code 7; messages use the camelCase path
/// ("runtimeConfig.portMappings[0].hostPort") whatever casing arrived.
/// </summary>
internal static class RuntimeConfigParser
{
    private const CniErrorCode Decode = CniErrorCode.DecodingFailure;
    private const CniErrorCode Invalid = CniErrorCode.InvalidNetworkConfig;

    public static RuntimeConfig? Parse(JsonElement e, string path)
    {
        if (e.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        JsonFields.ExpectObject(e, path, Decode);
        IReadOnlyList<PortMapping>? portMappings = null;
        DnsCapability? dns = null;
        IReadOnlyList<string>? ips = null, aliases = null;
        string? mac = null, infiniband = null, deviceId = null, cgroupPath = null;
        BandwidthCapability? bandwidth = null;
        IReadOnlyList<IReadOnlyList<IpRange>>? ipRanges = null;
        IReadOnlyDictionary<string, string>? annotations = null;

        foreach (var p in e.EnumerateObject())
        {
            var key = JsonFields.Name(p, path, Decode);
            switch (key.ToUpperInvariant())
            {
                case "PORTMAPPINGS":
                    portMappings = ParsePortMappings(p.Value, JsonPath.Child(path, "portMappings"));
                    break;
                case "DNS":
                    dns = ParseDns(p.Value, JsonPath.Child(path, "dns"));
                    break;
                case "IPS":
                    ips = ParseIps(p.Value, JsonPath.Child(path, "ips"));
                    break;
                case "MAC":
                    mac = ParseMac(p.Value, JsonPath.Child(path, "mac"), 6);
                    break;
                case "BANDWIDTH":
                    bandwidth = ParseBandwidth(p.Value, JsonPath.Child(path, "bandwidth"));
                    break;
                case "IPRANGES":
                    ipRanges = ParseIpRanges(p.Value, JsonPath.Child(path, "ipRanges"));
                    break;
                case "INFINIBANDGUID":
                    infiniband = ParseMac(p.Value, JsonPath.Child(path, "infinibandGUID"), 8);
                    break;
                case "DEVICEID":
                    deviceId = JsonFields.OptString(p.Value, JsonPath.Child(path, "deviceID"), Decode);
                    break;
                case "ALIASES":
                    aliases = JsonFields.OptStringList(p.Value, JsonPath.Child(path, "aliases"), Decode);
                    break;
                case "CGROUPPATH":
                    cgroupPath = JsonFields.OptString(p.Value, JsonPath.Child(path, "cgroupPath"), Decode);
                    break;
                case "IO.KUBERNETES.CRI.POD-ANNOTATIONS":
                    annotations = JsonFields.OptStringMap(p.Value, JsonPath.Child(path, "io.kubernetes.cri.pod-annotations"), Decode);
                    break;
                default:
                    break; // a capability wincni does not use; kept in Raw
            }
        }

        return new RuntimeConfig
        {
            PortMappings = portMappings,
            Dns = dns,
            Ips = ips,
            Mac = mac,
            Bandwidth = bandwidth,
            IpRanges = ipRanges,
            InfinibandGuid = infiniband,
            DeviceId = deviceId,
            Aliases = aliases,
            CgroupPath = cgroupPath,
            PodAnnotations = annotations,
            Raw = e.Clone(),
        };
    }

    private static List<PortMapping>? ParsePortMappings(JsonElement e, string path)
    {
        if (e.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        JsonFields.ExpectArray(e, path, Decode);
        var list = new List<PortMapping>();
        var index = 0;
        foreach (var item in e.EnumerateArray())
        {
            var itemPath = JsonPath.Index(path, index++);
            JsonFields.ExpectObject(item, itemPath, Decode);
            long? hostPort = null, containerPort = null;
            string? protocol = null, hostIp = null;
            foreach (var p in item.EnumerateObject())
            {
                switch (JsonFields.Name(p, itemPath, Decode).ToUpperInvariant())
                {
                    case "HOSTPORT": hostPort = Port(p.Value, JsonPath.Child(itemPath, "hostPort")); break;
                    case "CONTAINERPORT": containerPort = Port(p.Value, JsonPath.Child(itemPath, "containerPort")); break;
                    case "PROTOCOL": protocol = JsonFields.OptString(p.Value, JsonPath.Child(itemPath, "protocol"), Decode); break;
                    case "HOSTIP": hostIp = JsonFields.OptString(p.Value, JsonPath.Child(itemPath, "hostIP"), Decode); break;
                    default: break;
                }
            }

            if (hostPort is null)
            {
                throw JsonFields.Error(Invalid, JsonPath.Child(itemPath, "hostPort"), "is required");
            }

            if (containerPort is null)
            {
                throw JsonFields.Error(Invalid, JsonPath.Child(itemPath, "containerPort"), "is required");
            }

            var normalized = string.IsNullOrEmpty(protocol) ? "tcp" : protocol.ToUpperInvariant() switch
            {
                "TCP" => "tcp",
                "UDP" => "udp",
                "SCTP" => "sctp",
                _ => throw JsonFields.Error(Invalid, JsonPath.Child(itemPath, "protocol"), JsonPath.Quote(protocol) + " is not tcp, udp or sctp"),
            };

            if (!string.IsNullOrEmpty(hostIp) && !IpText.TryParseAddress(hostIp, out _))
            {
                throw JsonFields.Error(Invalid, JsonPath.Child(itemPath, "hostIP"), JsonPath.Quote(hostIp) + " is not an IP address");
            }

            list.Add(new PortMapping
            {
                HostPort = (int)hostPort.Value,
                ContainerPort = (int)containerPort.Value,
                Protocol = normalized,
                HostIp = string.IsNullOrEmpty(hostIp) ? null : hostIp,
            });
        }

        return list;
    }

    private static long? Port(JsonElement e, string path)
    {
        if (e.ValueKind is not (JsonValueKind.Number or JsonValueKind.Null))
        {
            throw JsonFields.WrongType(Decode, path, "a number", e);
        }

        return JsonFields.OptInteger(e, path, Invalid, 1, 65535);
    }

    private static DnsCapability? ParseDns(JsonElement e, string path)
    {
        if (e.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        JsonFields.ExpectObject(e, path, Decode);
        List<string>? servers = null, searches = null, options = null;
        foreach (var p in e.EnumerateObject())
        {
            switch (JsonFields.Name(p, path, Decode).ToUpperInvariant())
            {
                case "SERVERS": servers = JsonFields.OptStringList(p.Value, JsonPath.Child(path, "servers"), Decode); break;
                case "SEARCHES": searches = JsonFields.OptStringList(p.Value, JsonPath.Child(path, "searches"), Decode); break;
                case "OPTIONS": options = JsonFields.OptStringList(p.Value, JsonPath.Child(path, "options"), Decode); break;
                default: break;
            }
        }

        for (var i = 0; i < (servers?.Count ?? 0); i++)
        {
            if (!IpText.TryParseAddress(servers![i], out _))
            {
                throw JsonFields.Error(Invalid, JsonPath.Index(JsonPath.Child(path, "servers"), i), JsonPath.Quote(servers[i]) + " is not an IP address");
            }
        }

        return new DnsCapability { Servers = servers ?? [], Searches = searches ?? [], Options = options ?? [] };
    }

    private static List<string>? ParseIps(JsonElement e, string path)
    {
        var ips = JsonFields.OptStringList(e, path, Decode);
        for (var i = 0; i < (ips?.Count ?? 0); i++)
        {
            var text = ips![i];
            if (!IpText.TryParseAddress(text, out _) && !IpAddressWithPrefix.TryParse(text, out _))
            {
                throw JsonFields.Error(Invalid, JsonPath.Index(path, i), JsonPath.Quote(text) + " is not an IP address (with optional prefix)");
            }
        }

        return ips;
    }

    /// <summary>Colon- or dash-separated hex octets: 6 for a MAC, 8 for an InfiniBand GUID.</summary>
    private static string? ParseMac(JsonElement e, string path, int octets)
    {
        var text = JsonFields.OptString(e, path, Decode);
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (!IsHardwareAddress(text, octets))
        {
            throw JsonFields.Error(
                Invalid,
                path,
                JsonPath.Quote(text) + string.Create(CultureInfo.InvariantCulture, $" is not {octets} hex octets separated by ':' or '-'"));
        }

        return text;
    }

    internal static bool IsHardwareAddress(string text, int octets)
    {
        if (text.Length != (octets * 3) - 1)
        {
            return false;
        }

        var separator = text[2];
        if (separator is not (':' or '-'))
        {
            return false;
        }

        for (var i = 0; i < text.Length; i++)
        {
            var ok = i % 3 == 2 ? text[i] == separator : char.IsAsciiHexDigit(text[i]);
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static BandwidthCapability? ParseBandwidth(JsonElement e, string path)
    {
        if (e.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        JsonFields.ExpectObject(e, path, Decode);
        ulong? ingressRate = null, ingressBurst = null, egressRate = null, egressBurst = null;
        foreach (var p in e.EnumerateObject())
        {
            switch (JsonFields.Name(p, path, Decode).ToUpperInvariant())
            {
                case "INGRESSRATE": ingressRate = Unsigned(p.Value, JsonPath.Child(path, "ingressRate")); break;
                case "INGRESSBURST": ingressBurst = Unsigned(p.Value, JsonPath.Child(path, "ingressBurst")); break;
                case "EGRESSRATE": egressRate = Unsigned(p.Value, JsonPath.Child(path, "egressRate")); break;
                case "EGRESSBURST": egressBurst = Unsigned(p.Value, JsonPath.Child(path, "egressBurst")); break;
                default: break;
            }
        }

        return new BandwidthCapability { IngressRate = ingressRate, IngressBurst = ingressBurst, EgressRate = egressRate, EgressBurst = egressBurst };
    }

    private static ulong? Unsigned(JsonElement e, string path)
    {
        if (e.ValueKind is not (JsonValueKind.Number or JsonValueKind.Null))
        {
            throw JsonFields.WrongType(Decode, path, "a number", e);
        }

        return JsonFields.OptUnsigned(e, path, Invalid);
    }

    private static List<IReadOnlyList<IpRange>>? ParseIpRanges(JsonElement e, string path)
    {
        if (e.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        JsonFields.ExpectArray(e, path, Decode);
        var outer = new List<IReadOnlyList<IpRange>>();
        var i = 0;
        foreach (var set in e.EnumerateArray())
        {
            var setPath = JsonPath.Index(path, i++);
            JsonFields.ExpectArray(set, setPath, Decode);
            var inner = new List<IpRange>();
            var j = 0;
            foreach (var range in set.EnumerateArray())
            {
                inner.Add(ParseIpRange(range, JsonPath.Index(setPath, j++)));
            }

            outer.Add(inner);
        }

        return outer;
    }

    private static IpRange ParseIpRange(JsonElement e, string path)
    {
        JsonFields.ExpectObject(e, path, Decode);
        string? subnet = null, start = null, end = null, gateway = null;
        foreach (var p in e.EnumerateObject())
        {
            switch (JsonFields.Name(p, path, Decode).ToUpperInvariant())
            {
                case "SUBNET": subnet = JsonFields.OptString(p.Value, JsonPath.Child(path, "subnet"), Decode); break;
                case "RANGESTART": start = JsonFields.OptString(p.Value, JsonPath.Child(path, "rangeStart"), Decode); break;
                case "RANGEEND": end = JsonFields.OptString(p.Value, JsonPath.Child(path, "rangeEnd"), Decode); break;
                case "GATEWAY": gateway = JsonFields.OptString(p.Value, JsonPath.Child(path, "gateway"), Decode); break;
                default: break;
            }
        }

        if (string.IsNullOrEmpty(subnet))
        {
            throw JsonFields.Error(Invalid, JsonPath.Child(path, "subnet"), "is required");
        }

        if (!IpAddressWithPrefix.TryParse(subnet, out var parsedSubnet))
        {
            throw JsonFields.Error(Invalid, JsonPath.Child(path, "subnet"), JsonPath.Quote(subnet) + " is not a CIDR");
        }

        return new IpRange
        {
            Subnet = parsedSubnet,
            RangeStart = OptionalIp(start, JsonPath.Child(path, "rangeStart")),
            RangeEnd = OptionalIp(end, JsonPath.Child(path, "rangeEnd")),
            Gateway = OptionalIp(gateway, JsonPath.Child(path, "gateway")),
        };
    }

    private static IPAddress? OptionalIp(string? text, string path)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return IpText.TryParseAddress(text, out var ip)
            ? ip
            : throw JsonFields.Error(Invalid, path, JsonPath.Quote(text) + " is not an IP address");
    }
}
