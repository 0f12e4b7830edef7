using System.Globalization;
using System.Text.Json.Nodes;
using Cni.StandInApiServer.Storage;

namespace Cni.StandInApiServer.Resources;

/// <summary>What the real server does to a Pod on create/update: the defaults kubectl shows back (restart and DNS
/// policy, grace period, image pull policy, port protocols), the required fields, a fresh Pending status on create
/// (status is the kubelet's), and the immutability of the spec on update.</summary>
internal static class PodAdmission
{
    private const string ImmutableSpecMessage =
        "Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

    /// <summary>Defaults and validates <paramref name="pod"/>; <paramref name="old"/> is the stored version on update.</summary>
    public static void Admit(JsonObject pod, JsonObject? old)
    {
        var name = (string?)pod["metadata"]?["name"] ?? "";
        if (pod["spec"] is not JsonObject spec)
        {
            spec = [];
            pod["spec"] = spec;
        }

        Default(spec);
        Validate(spec, name);
        if (old is null)
        {
            // The real PrepareForCreate: whatever status the client sent is dropped; the kubelet reports it.
            pod["status"] = new JsonObject { ["phase"] = "Pending", ["qosClass"] = QosClass(spec) };
            return;
        }

        if (!JsonNode.DeepEquals(WithoutMutableFields(spec), WithoutMutableFields(old["spec"] as JsonObject ?? [])))
        {
            throw ApiException.Invalid(ResourceTypes.Pods, name, ("spec", "FieldValueForbidden", ImmutableSpecMessage));
        }
    }

    /// <summary>The grace period a DELETE gets: the requested one, but none for a pod that never ran on a node or has
    /// finished (as the real server decides; there is nothing for a kubelet to stop).</summary>
    public static TimeSpan EffectiveGracePeriod(JsonObject pod, TimeSpan requested)
    {
        var phase = (string?)pod["status"]?["phase"];
        return string.IsNullOrEmpty((string?)pod["spec"]?["nodeName"]) || phase is "Succeeded" or "Failed" ? TimeSpan.Zero : requested;
    }

    private static void Default(JsonObject spec)
    {
        spec["restartPolicy"] ??= "Always";
        spec["dnsPolicy"] ??= "ClusterFirst";
        spec["schedulerName"] ??= "default-scheduler";
        spec["terminationGracePeriodSeconds"] ??= 30;
        spec["enableServiceLinks"] ??= true;
        spec["securityContext"] ??= new JsonObject();
        foreach (var list in new[] { "initContainers", "containers" })
        {
            foreach (var container in (spec[list] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                container["terminationMessagePath"] ??= "/dev/termination-log";
                container["terminationMessagePolicy"] ??= "File";
                container["resources"] ??= new JsonObject();
                if ((string?)container["image"] is { Length: > 0 } image)
                {
                    container["imagePullPolicy"] ??= Tag(image) is null or "latest" ? "Always" : "IfNotPresent";
                }

                foreach (var port in (container["ports"] as JsonArray)?.OfType<JsonObject>() ?? [])
                {
                    port["protocol"] ??= "TCP";
                }
            }
        }
    }

    private static void Validate(JsonObject spec, string name)
    {
        var type = ResourceTypes.Pods;
        if (spec["containers"] is not JsonArray { Count: > 0 } containers)
        {
            throw ApiException.Invalid(type, name, ("spec.containers", "FieldValueRequired", "Required value"));
        }

        var errors = new List<(string, string, string)>();
        var portNames = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < containers.Count; i++)
        {
            var container = containers[i] as JsonObject ?? [];
            var at = string.Create(CultureInfo.InvariantCulture, $"spec.containers[{i}]");
            if (string.IsNullOrEmpty((string?)container["name"])) errors.Add(($"{at}.name", "FieldValueRequired", "Required value"));
            if (string.IsNullOrEmpty((string?)container["image"])) errors.Add(($"{at}.image", "FieldValueRequired", "Required value"));
            var ports = (container["ports"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
            for (var j = 0; j < ports.Count; j++)
            {
                var portAt = string.Create(CultureInfo.InvariantCulture, $"{at}.ports[{j}]");
                var number = ports[j]["containerPort"] is JsonValue v && v.TryGetValue<int>(out var n) ? n : 0;
                if (number is < 1 or > 65535)
                {
                    errors.Add(($"{portAt}.containerPort", "FieldValueInvalid",
                        string.Create(CultureInfo.InvariantCulture, $"Invalid value: {number}: must be between 1 and 65535, inclusive")));
                }

                if ((string?)ports[j]["protocol"] is { } protocol && protocol is not ("TCP" or "UDP" or "SCTP"))
                {
                    errors.Add(($"{portAt}.protocol", "FieldValueNotSupported",
                        $"Unsupported value: \"{protocol}\": supported values: \"SCTP\", \"TCP\", \"UDP\""));
                }

                // Named ports are what a Service's named targetPort resolves against, so they must be unique in the pod.
                if ((string?)ports[j]["name"] is { Length: > 0 } portName && !portNames.Add(portName))
                {
                    errors.Add(($"{portAt}.name", "FieldValueDuplicate", $"Duplicate value: \"{portName}\""));
                }
            }
        }

        if (errors.Count > 0) throw ApiException.Invalid(type, name, [.. errors]);
    }

    /// <summary>The spec minus what an update may change (images, activeDeadlineSeconds, tolerations).</summary>
    private static JsonObject WithoutMutableFields(JsonObject spec)
    {
        var copy = (JsonObject)spec.DeepClone();
        Default(copy);
        copy.Remove("activeDeadlineSeconds");
        copy.Remove("tolerations");
        foreach (var list in new[] { "initContainers", "containers" })
        {
            foreach (var container in (copy[list] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                container.Remove("image");
                container.Remove("imagePullPolicy");
            }
        }

        return copy;
    }

    /// <summary>The image's tag, or null when it has none (a digest counts as pinned).</summary>
    private static string? Tag(string image)
    {
        if (image.Contains('@', StringComparison.Ordinal)) return "";
        var lastSlash = image.LastIndexOf('/');
        var colon = image.LastIndexOf(':');
        return colon > lastSlash ? image[(colon + 1)..] : null;
    }

    /// <summary>The QoS class as the real server computes it, for cpu and memory.</summary>
    private static string QosClass(JsonObject spec)
    {
        var containers = (spec["containers"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        var any = false;
        var guaranteed = containers.Count > 0;
        foreach (var container in containers)
        {
            var requests = container["resources"]?["requests"] as JsonObject;
            var limits = container["resources"]?["limits"] as JsonObject;
            foreach (var resource in new[] { "cpu", "memory" })
            {
                var limit = limits?[resource]?.ToJsonString();
                var request = requests?[resource]?.ToJsonString() ?? limit;
                any |= request is not null || limit is not null;
                guaranteed &= limit is not null && request == limit;
            }
        }

        return !any ? "BestEffort" : guaranteed ? "Guaranteed" : "Burstable";
    }
}
