using System.Globalization;
using System.Net;
using System.Net.Sockets;
using k8s.Models;

namespace Cni.StandInApiServer.Controllers;

/// <summary>How a Pod becomes an endpoint of a Service, as the real EndpointSlice controller decides it
/// (k8s.io/endpointslice: ShouldPodBeInEndpoints, getEndpointPorts, podToEndpoint; FindPort of pkg/api/v1/pod).</summary>
internal static class PodEndpoints
{
    /// <summary>The Node label whose value becomes an endpoint's zone.</summary>
    public const string ZoneLabel = "topology.kubernetes.io/zone";

    /// <summary>A pod is an endpoint once it has an IP and until it is terminal (Succeeded/Failed); terminating pods
    /// stay, with their conditions saying so (KEP-1669).</summary>
    public static bool ShouldBeInEndpoints(V1Pod pod)
    {
        var status = pod.Status;
        if (status?.Phase is "Succeeded" or "Failed") return false;
        return !string.IsNullOrEmpty(status?.PodIP) || status?.PodIPs is { Count: > 0 };
    }

    /// <summary>The pod's Ready condition is True.</summary>
    public static bool IsReady(V1Pod pod) =>
        pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    /// <summary>The slice ports of <paramref name="pod"/> for <paramref name="service"/>, in Service port order: a
    /// numeric targetPort as is, a named one resolved against the pod's container ports (and sidecars'); a port the pod
    /// does not have is left out, which puts the pod in another group of slices than pods that have it.</summary>
    public static List<Discoveryv1EndpointPort> Ports(V1Service service, V1Pod pod)
    {
        var ports = new List<Discoveryv1EndpointPort>();
        foreach (var servicePort in service.Spec?.Ports ?? [])
        {
            if (FindPort(pod, servicePort) is not { } number) continue;
            ports.Add(new Discoveryv1EndpointPort
            {
                Name = servicePort.Name ?? "",
                Port = number,
                Protocol = servicePort.Protocol ?? "TCP",
                AppProtocol = servicePort.AppProtocol,
            });
        }

        return ports;
    }

    /// <summary>A canonical text of a port set (order-insensitive), the key slices are grouped by.</summary>
    public static string PortSetKey(IEnumerable<Discoveryv1EndpointPort>? ports) =>
        string.Join(";", (ports ?? []).Select(p => string.Create(CultureInfo.InvariantCulture,
            $"{p.Name ?? ""}/{p.Protocol ?? "TCP"}/{p.Port}/{p.AppProtocol ?? ""}")).Order(StringComparer.Ordinal));

    /// <summary>The endpoint of <paramref name="pod"/> in a slice of <paramref name="addressType"/>; no addresses when the
    /// pod has none of that family.</summary>
    public static V1Endpoint ToEndpoint(V1Pod pod, V1Node? node, V1Service service, string addressType)
    {
        var serving = IsReady(pod);
        var terminating = pod.Metadata.DeletionTimestamp is not null;

        // As upstream: ready is never true for a terminating pod unless the Service publishes not-ready addresses.
        var ready = service.Spec?.PublishNotReadyAddresses == true || serving && !terminating;
        var endpoint = new V1Endpoint
        {
            Addresses = Addresses(pod, addressType),
            Conditions = new V1EndpointConditions { Ready = ready, Serving = serving, Terminating = terminating },
            TargetRef = new V1ObjectReference { Kind = "Pod", NamespaceProperty = pod.Metadata.NamespaceProperty, Name = pod.Metadata.Name, Uid = pod.Metadata.Uid },
        };
        if (!string.IsNullOrEmpty(pod.Spec?.NodeName)) endpoint.NodeName = pod.Spec.NodeName;
        if (node?.Metadata.Labels?.TryGetValue(ZoneLabel, out var zone) == true && zone.Length > 0) endpoint.Zone = zone;
        if (!string.IsNullOrEmpty(pod.Spec?.Hostname) && pod.Spec.Subdomain == service.Metadata.Name
            && pod.Metadata.NamespaceProperty == service.Metadata.NamespaceProperty)
        {
            endpoint.Hostname = pod.Spec.Hostname;
        }

        return endpoint;
    }

    /// <summary>What identifies an endpoint across passes (upstream hashes addresses, hostname and the target pod).</summary>
    public static string IdentityKey(V1Endpoint endpoint) =>
        string.Join(",", (endpoint.Addresses ?? []).Order(StringComparer.Ordinal)) + "|" + endpoint.Hostname + "|"
        + endpoint.TargetRef?.NamespaceProperty + "/" + endpoint.TargetRef?.Name;

    private static List<string> Addresses(V1Pod pod, string addressType)
    {
        IEnumerable<string?> ips = pod.Status?.PodIPs is { Count: > 0 } podIps ? podIps.Select(p => (string?)p.Ip) : [pod.Status?.PodIP];
        var wanted = addressType == "IPv6" ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        return ips.Where(ip => IPAddress.TryParse(ip, out var parsed) && parsed.AddressFamily == wanted).Select(ip => ip!).ToList();
    }

    /// <summary>FindPort: the container port a Service port targets on this pod, or null.</summary>
    private static int? FindPort(V1Pod pod, V1ServicePort servicePort)
    {
        var target = servicePort.TargetPort?.Value;
        if (string.IsNullOrEmpty(target)) return servicePort.Port;
        if (int.TryParse(target, NumberStyles.None, CultureInfo.InvariantCulture, out var number)) return number;
        var protocol = servicePort.Protocol ?? "TCP";

        // Regular containers, then sidecars (init containers that keep running), as upstream searches them.
        var containers = (pod.Spec?.Containers ?? []).Concat((pod.Spec?.InitContainers ?? []).Where(c => c.RestartPolicy == "Always"));
        foreach (var container in containers)
        {
            foreach (var port in container.Ports ?? [])
            {
                if (port.Name == target && (port.Protocol ?? "TCP") == protocol) return port.ContainerPort;
            }
        }

        return null;
    }
}
