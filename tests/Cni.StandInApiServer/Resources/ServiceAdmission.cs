using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Cni.StandInApiServer.Storage;

namespace Cni.StandInApiServer.Resources;

/// <summary>What the real server does to a Service on create/update: defaults, cluster IP and node port allocation,
/// and the validation of those fields.</summary>
internal sealed class ServiceAdmission(IPNetwork serviceCidr)
{
    private const int NodePortMin = 30000;
    private const int NodePortMax = 32767;

    /// <summary>Defaults and allocates <paramref name="svc"/>; <paramref name="old"/> is the stored version on update.</summary>
    public void Admit(JsonObject svc, JsonObject? old, IEnumerable<JsonObject> otherServices)
    {
        var type = ResourceTypes.Services;
        var name = (string?)svc["metadata"]?["name"] ?? "";
        if (svc["spec"] is not JsonObject spec)
        {
            spec = [];
            svc["spec"] = spec;
        }

        var oldSpec = old?["spec"] as JsonObject;
        var serviceType = (string?)spec["type"] ?? "ClusterIP";
        spec["type"] = serviceType;
        if (serviceType is not ("ClusterIP" or "NodePort" or "LoadBalancer" or "ExternalName"))
        {
            throw ApiException.Invalid(type, name, ("spec.type", "FieldValueNotSupported",
                $"Unsupported value: \"{serviceType}\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\""));
        }

        spec["sessionAffinity"] ??= "None";
        var others = otherServices.ToList();
        if (serviceType != "ExternalName")
        {
            AdmitClusterIp(spec, oldSpec, others, name);
            spec["internalTrafficPolicy"] ??= "Cluster";
        }

        var ports = spec["ports"] as JsonArray;
        var headless = (string?)spec["clusterIP"] == "None";
        if ((ports is null || ports.Count == 0) && !headless && serviceType != "ExternalName")
        {
            throw ApiException.Invalid(type, name, ("spec.ports", "FieldValueRequired", "Required value"));
        }

        var usedNodePorts = others.SelectMany(o => (o["spec"]?["ports"] as JsonArray)?.OfType<JsonObject>() ?? [])
            .Select(p => AsInt(p["nodePort"])).OfType<int>().ToHashSet();
        for (var i = 0; ports is not null && i < ports.Count; i++)
        {
            if (ports[i] is not JsonObject port) continue;
            if (AsInt(port["port"]) is not { } number || number is < 1 or > 65535)
            {
                throw ApiException.Invalid(type, name, ($"spec.ports[{i}].port", "FieldValueInvalid",
                    $"Invalid value: {port["port"]?.ToJsonString() ?? "0"}: must be between 1 and 65535, inclusive"));
            }

            port["protocol"] ??= "TCP";
            port["targetPort"] ??= number;
            if (serviceType is "NodePort" or "LoadBalancer")
            {
                AdmitNodePort(port, oldSpec, usedNodePorts, name, i);
            }
            else
            {
                port.Remove("nodePort");
            }
        }

        if (serviceType is "NodePort" or "LoadBalancer") spec["externalTrafficPolicy"] ??= "Cluster";
        if (svc["status"] is not JsonObject) svc["status"] = new JsonObject { ["loadBalancer"] = new JsonObject() };
    }

    private void AdmitClusterIp(JsonObject spec, JsonObject? oldSpec, List<JsonObject> others, string name)
    {
        var type = ResourceTypes.Services;
        var requested = (string?)spec["clusterIP"] ?? (string?)(spec["clusterIPs"] as JsonArray)?.FirstOrDefault();
        var oldIp = (string?)oldSpec?["clusterIP"];
        if (string.IsNullOrEmpty(requested) && !string.IsNullOrEmpty(oldIp))
        {
            requested = oldIp; // an update that omits the allocated IP keeps it, as the real server does
        }

        if (oldIp is not null && requested != oldIp)
        {
            throw ApiException.Invalid(type, name, ("spec.clusterIPs[0]", "FieldValueInvalid",
                $"Invalid value: []string{{\"{requested}\"}}: may not change once set"));
        }

        if (requested == "None")
        {
            spec["clusterIP"] = "None";
            spec["clusterIPs"] = new JsonArray("None");
        }
        else
        {
            var used = others.Select(o => (string?)o["spec"]?["clusterIP"]).OfType<string>().ToHashSet(StringComparer.Ordinal);
            if (string.IsNullOrEmpty(requested))
            {
                requested = Allocate(used) ?? throw new ApiException(500, "InternalError",
                    $"Internal error occurred: failed to allocate a serviceIP: range is full");
            }
            else if (oldIp is null)
            {
                if (!IPAddress.TryParse(requested, out var ip) || ip.AddressFamily != AddressFamily.InterNetwork)
                {
                    throw ApiException.Invalid(type, name, ("spec.clusterIPs[0]", "FieldValueInvalid",
                        $"Invalid value: \"{requested}\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
                }

                if (!serviceCidr.Contains(ip))
                {
                    throw ApiException.Invalid(type, name, ("spec.clusterIPs[0]", "FieldValueInvalid",
                        $"Invalid value: \"{requested}\": failed to allocate IP {requested}: the provided IP ({requested}) is not in the valid range. The range of valid IPs is {serviceCidr}"));
                }

                if (used.Contains(requested))
                {
                    throw ApiException.Invalid(type, name, ("spec.clusterIPs[0]", "FieldValueInvalid",
                        $"Invalid value: \"{requested}\": failed to allocate IP {requested}: provided IP is already allocated"));
                }
            }

            spec["clusterIP"] = requested;
            spec["clusterIPs"] = new JsonArray(requested);
        }

        spec["ipFamilies"] ??= new JsonArray("IPv4");
        spec["ipFamilyPolicy"] ??= "SingleStack";
    }

    private string? Allocate(HashSet<string> used)
    {
        var bytes = serviceCidr.BaseAddress.GetAddressBytes();
        var baseValue = (uint)(bytes[0] << 24 | bytes[1] << 16 | bytes[2] << 8 | bytes[3]);
        var size = 1u << (32 - serviceCidr.PrefixLength);

        // Skip the network and broadcast addresses, as the real allocator does.
        for (var offset = 1u; offset < size - 1; offset++)
        {
            var value = baseValue + offset;
            var ip = new IPAddress([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]).ToString();
            if (!used.Contains(ip)) return ip;
        }

        return null;
    }

    /// <summary>An integer field, or null when absent or not an integer (validation reports that separately).</summary>
    private static int? AsInt(JsonNode? node) =>
        node is JsonValue v && int.TryParse(v.ToJsonString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static void AdmitNodePort(JsonObject port, JsonObject? oldSpec, HashSet<int> used, string name, int index)
    {
        var type = ResourceTypes.Services;
        if (port["nodePort"] is { } given && AsInt(given) is null)
        {
            throw ApiException.Invalid(type, name, ($"spec.ports[{index}].nodePort", "FieldValueInvalid",
                $"Invalid value: {given.ToJsonString()}: must be an integer"));
        }

        var requested = AsInt(port["nodePort"]);
        if (requested is null or 0)
        {
            // Keep the port an update omitted, matched by port number and protocol.
            var previous = (oldSpec?["ports"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(p =>
                AsInt(p["port"]) == AsInt(port["port"]) && ((string?)p["protocol"] ?? "TCP") == (string?)port["protocol"]);
            requested = AsInt(previous?["nodePort"]);
        }

        if (requested is null or 0)
        {
            var free = Enumerable.Range(NodePortMin, NodePortMax - NodePortMin + 1).FirstOrDefault(p => !used.Contains(p));
            if (free == 0)
            {
                throw new ApiException(500, "InternalError", "Internal error occurred: failed to allocate a nodePort: range is full");
            }

            requested = free;
        }
        else
        {
            var wasOurs = (oldSpec?["ports"] as JsonArray)?.OfType<JsonObject>().Any(p => AsInt(p["nodePort"]) == requested) ?? false;
            if (requested is < NodePortMin or > NodePortMax)
            {
                throw ApiException.Invalid(type, name, ($"spec.ports[{index}].nodePort", "FieldValueInvalid",
                    string.Create(CultureInfo.InvariantCulture,
                        $"Invalid value: {requested}: provided port is not in the valid range. The range of valid ports is {NodePortMin}-{NodePortMax}")));
            }

            if (!wasOurs && used.Contains(requested.Value))
            {
                throw ApiException.Invalid(type, name, ($"spec.ports[{index}].nodePort", "FieldValueInvalid",
                    string.Create(CultureInfo.InvariantCulture, $"Invalid value: {requested}: provided port is already allocated")));
            }
        }

        port["nodePort"] = requested.Value;
        used.Add(requested.Value);
    }
}
