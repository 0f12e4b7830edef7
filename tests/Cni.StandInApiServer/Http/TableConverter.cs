using System.Globalization;
using System.Text.Json.Nodes;
using Cni.StandInApiServer.Resources;

namespace Cni.StandInApiServer.Http;

/// <summary>Server-side printing (<c>Accept: application/json;as=Table;v=v1;g=meta.k8s.io</c>) with the columns the
/// real server prints for each kind, so <c>kubectl get</c> looks as on a cluster.</summary>
internal static class TableConverter
{
    /// <summary>Whether the Accept header asks for a Table.</summary>
    public static bool Wanted(string? accept) =>
        accept is not null && accept.Split(',').Any(a => a.Contains("as=Table", StringComparison.Ordinal) && a.Contains("g=meta.k8s.io", StringComparison.Ordinal));

    /// <summary>A Table of <paramref name="items"/>; <paramref name="includeObject"/> is None, Metadata (default) or Object.</summary>
    public static JsonObject Convert(ResourceType type, IEnumerable<JsonObject> items, JsonObject listMetadata, string? includeObject,
        DateTimeOffset now, bool withColumns = true)
    {
        var rows = new JsonArray();
        foreach (var item in items)
        {
            var row = new JsonObject { ["cells"] = new JsonArray(Cells(type, item, now).ToArray()) };
            switch (includeObject)
            {
                case "None":
                    break;
                case "Object":
                    row["object"] = WithKind(type, item);
                    break;
                default:
                    row["object"] = new JsonObject
                    {
                        ["kind"] = "PartialObjectMetadata",
                        ["apiVersion"] = "meta.k8s.io/v1",
                        ["metadata"] = item["metadata"]?.DeepClone(),
                    };
                    break;
            }

            rows.Add(row);
        }

        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = listMetadata,
            ["columnDefinitions"] = withColumns ? Columns(type) : new JsonArray(),
            ["rows"] = rows,
        };
    }

    private static JsonObject WithKind(ResourceType type, JsonObject item)
    {
        var copy = (JsonObject)item.DeepClone();
        copy["kind"] = type.Kind;
        copy["apiVersion"] = type.ApiVersion;
        return copy;
    }

    private static JsonArray Columns(ResourceType type)
    {
        var columns = type.Plural switch
        {
            "nodes" => new[]
            {
                ("Name", "string", 0), ("Status", "string", 0), ("Roles", "string", 0), ("Age", "string", 0), ("Version", "string", 0),
                ("Internal-IP", "string", 1), ("External-IP", "string", 1), ("OS-Image", "string", 1), ("Kernel-Version", "string", 1),
                ("Container-Runtime", "string", 1),
            },
            "namespaces" => [("Name", "string", 0), ("Status", "string", 0), ("Age", "string", 0)],
            "pods" =>
            [
                ("Name", "string", 0), ("Ready", "string", 0), ("Status", "string", 0), ("Restarts", "string", 0), ("Age", "string", 0),
                ("IP", "string", 1), ("Node", "string", 1), ("Nominated Node", "string", 1), ("Readiness Gates", "string", 1),
            ],
            "services" =>
            [
                ("Name", "string", 0), ("Type", "string", 0), ("Cluster-IP", "string", 0), ("External-IP", "string", 0),
                ("Port(s)", "string", 0), ("Age", "string", 0), ("Selector", "string", 1),
            ],
            _ => [("Name", "string", 0), ("AddressType", "string", 0), ("Ports", "string", 0), ("Endpoints", "string", 0), ("Age", "string", 0)],
        };
        return new JsonArray(columns.Select(c => (JsonNode)new JsonObject
        {
            ["name"] = c.Item1,
            ["type"] = c.Item2,
            ["format"] = c.Item1 == "Name" ? "name" : "",
            ["description"] = c.Item1 == "Name" ? "Name must be unique within a namespace." : c.Item1,
            ["priority"] = c.Item3,
        }).ToArray());
    }

    private static IEnumerable<JsonNode?> Cells(ResourceType type, JsonObject o, DateTimeOffset now)
    {
        var name = (string?)o["metadata"]?["name"] ?? "";
        var age = Age(o, now);
        switch (type.Plural)
        {
            case "nodes":
            {
                var ready = (o["status"]?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == "Ready");
                var status = (string?)ready?["status"] switch { "True" => "Ready", "False" => "NotReady", _ => "Unknown" };
                if (o["spec"]?["unschedulable"] is JsonValue u && u.TryGetValue<bool>(out var unschedulable) && unschedulable)
                {
                    status += ",SchedulingDisabled";
                }

                var roles = (o["metadata"]?["labels"] as JsonObject)?.Select(p => p.Key)
                    .Where(k => k.StartsWith("node-role.kubernetes.io/", StringComparison.Ordinal))
                    .Select(k => k["node-role.kubernetes.io/".Length..]).Where(r => r.Length > 0).Order(StringComparer.Ordinal).ToList() ?? [];
                string Address(string kind) =>
                    (string?)(o["status"]?["addresses"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(a => (string?)a["type"] == kind)?["address"] ?? "<none>";
                string Info(string field) => (string?)o["status"]?["nodeInfo"]?[field] ?? "";
                return [name, status, roles.Count > 0 ? string.Join(",", roles) : "<none>", age, Info("kubeletVersion"),
                    Address("InternalIP"), Address("ExternalIP"), Info("osImage"), Info("kernelVersion"), Info("containerRuntimeVersion")];
            }

            case "namespaces":
                return [name, (string?)o["status"]?["phase"] ?? "", age];
            case "pods":
                return PodCells(o, name, age);
            case "services":
            {
                var spec = o["spec"];
                var serviceType = (string?)spec?["type"] ?? "ClusterIP";
                var ingress = (o["status"]?["loadBalancer"]?["ingress"] as JsonArray)?.OfType<JsonObject>()
                    .Select(i => (string?)i["ip"] ?? (string?)i["hostname"]).OfType<string>().ToList() ?? [];
                var external = serviceType switch
                {
                    "LoadBalancer" => ingress.Count > 0 ? string.Join(",", ingress) : "<pending>",
                    "ExternalName" => (string?)spec?["externalName"] ?? "<none>",
                    _ => "<none>",
                };
                var ports = (spec?["ports"] as JsonArray)?.OfType<JsonObject>().Select(p =>
                    (p["nodePort"] is null ? $"{p["port"]}" : $"{p["port"]}:{p["nodePort"]}") + "/" + ((string?)p["protocol"] ?? "TCP")).ToList() ?? [];
                var selector = (spec?["selector"] as JsonObject)?.Select(p => $"{p.Key}={p.Value}").ToList() ?? [];
                return [name, serviceType, (string?)spec?["clusterIP"] ?? "<none>", external,
                    ports.Count > 0 ? string.Join(",", ports) : "<none>", age, selector.Count > 0 ? string.Join(",", selector) : "<none>"];
            }

            default:
            {
                var ports = (o["ports"] as JsonArray)?.OfType<JsonObject>().Select(p => p["port"]?.ToJsonString()).OfType<string>().ToList() ?? [];
                var addresses = (o["endpoints"] as JsonArray)?.OfType<JsonObject>()
                    .SelectMany(e => (e["addresses"] as JsonArray)?.Select(a => (string?)a) ?? []).OfType<string>().ToList() ?? [];
                var endpoints = addresses.Count == 0 ? "<unset>"
                    : string.Join(",", addresses.Take(3)) + (addresses.Count > 3 ? $" + {addresses.Count - 3} more..." : "");
                return [name, (string?)o["addressType"] ?? "", ports.Count > 0 ? string.Join(",", ports) : "<unset>", endpoints, age];
            }
        }
    }

    /// <summary>kubectl's printPod, without init containers: READY counts ready running containers, STATUS is the
    /// phase unless a container waits or terminated with a reason, and Terminating once deletion started.</summary>
    private static JsonNode?[] PodCells(JsonObject o, string name, string age)
    {
        var spec = o["spec"];
        var status = o["status"];
        var reason = (string?)status?["reason"] is { Length: > 0 } r ? r : (string?)status?["phase"] ?? "";
        var total = (spec?["containers"] as JsonArray)?.Count ?? 0;
        var ready = 0;
        var restarts = 0;
        foreach (var container in ((status?["containerStatuses"] as JsonArray)?.OfType<JsonObject>() ?? []).Reverse())
        {
            restarts += container["restartCount"] is JsonValue count && count.TryGetValue<int>(out var n) ? n : 0;
            var state = container["state"];
            if ((string?)state?["waiting"]?["reason"] is { Length: > 0 } waiting) reason = waiting;
            else if ((string?)state?["terminated"]?["reason"] is { Length: > 0 } terminated) reason = terminated;
            else if (state?["terminated"] is JsonObject exited)
            {
                reason = exited["signal"] is JsonValue signal && signal.TryGetValue<int>(out var s) && s != 0
                    ? string.Create(CultureInfo.InvariantCulture, $"Signal:{s}")
                    : $"ExitCode:{exited["exitCode"]?.ToJsonString() ?? "0"}";
            }
            else if (container["ready"] is JsonValue isReady && isReady.TryGetValue<bool>(out var yes) && yes && state?["running"] is not null)
            {
                ready++;
            }
        }

        if (o["metadata"]?["deletionTimestamp"] is not null) reason = reason == "NodeLost" ? "Unknown" : "Terminating";
        var ip = (string?)(status?["podIPs"] as JsonArray)?.FirstOrDefault()?["ip"] ?? (string?)status?["podIP"];
        var gates = (spec?["readinessGates"] as JsonArray)?.OfType<JsonObject>().Select(g => (string?)g["conditionType"]).ToList() ?? [];
        var gatesTrue = gates.Count(g => (status?["conditions"] as JsonArray)?.OfType<JsonObject>()
            .Any(c => (string?)c["type"] == g && (string?)c["status"] == "True") == true);
        return [name, string.Create(CultureInfo.InvariantCulture, $"{ready}/{total}"), reason, restarts.ToString(CultureInfo.InvariantCulture), age,
            string.IsNullOrEmpty(ip) ? "<none>" : ip, (string?)spec?["nodeName"] is { Length: > 0 } node ? node : "<none>",
            (string?)status?["nominatedNodeName"] is { Length: > 0 } nominated ? nominated : "<none>",
            gates.Count == 0 ? "<none>" : string.Create(CultureInfo.InvariantCulture, $"{gatesTrue}/{gates.Count}")];
    }

    private static string Age(JsonObject o, DateTimeOffset now)
    {
        if (!DateTimeOffset.TryParse((string?)o["metadata"]?["creationTimestamp"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var created))
        {
            return "<unknown>";
        }

        return HumanDuration(now - created);
    }

    /// <summary>The shape of apimachinery's duration.HumanDuration (what kubectl's AGE column shows).</summary>
    internal static string HumanDuration(TimeSpan d)
    {
        var seconds = (long)Math.Max(0, d.TotalSeconds);
        var i = CultureInfo.InvariantCulture;
        if (seconds < 60 * 2) return string.Create(i, $"{seconds}s");
        var minutes = seconds / 60;
        if (minutes < 10) return seconds % 60 == 0 ? string.Create(i, $"{minutes}m") : string.Create(i, $"{minutes}m{seconds % 60}s");
        if (minutes < 60 * 3) return string.Create(i, $"{minutes}m");
        var hours = minutes / 60;
        if (hours < 8) return minutes % 60 == 0 ? string.Create(i, $"{hours}h") : string.Create(i, $"{hours}h{minutes % 60}m");
        if (hours < 48) return string.Create(i, $"{hours}h");
        if (hours < 24 * 8) return hours % 24 == 0 ? string.Create(i, $"{hours / 24}d") : string.Create(i, $"{hours / 24}d{hours % 24}h");
        if (hours < 24 * 365 * 2) return string.Create(i, $"{hours / 24}d");
        return string.Create(i, $"{hours / 24 / 365}y{hours / 24 % 365}d");
    }
}
