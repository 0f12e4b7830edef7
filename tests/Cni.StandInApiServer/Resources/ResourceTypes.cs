namespace Cni.StandInApiServer.Resources;

/// <summary>The resources the stand-in serves.</summary>
public static class ResourceTypes
{
    /// <summary>core/v1 nodes.</summary>
    public static ResourceType Nodes { get; } = new("", "v1", "nodes", "node", "Node", Namespaced: false, HasStatus: true, ["no"]);

    /// <summary>core/v1 namespaces.</summary>
    public static ResourceType Namespaces { get; } =
        new("", "v1", "namespaces", "namespace", "Namespace", Namespaced: false, HasStatus: true, ["ns"]);

    /// <summary>core/v1 pods.</summary>
    public static ResourceType Pods { get; } = new("", "v1", "pods", "pod", "Pod", Namespaced: true, HasStatus: true, ["po"]);

    /// <summary>core/v1 services.</summary>
    public static ResourceType Services { get; } = new("", "v1", "services", "service", "Service", Namespaced: true, HasStatus: true, ["svc"]);

    /// <summary>discovery.k8s.io/v1 endpointslices.</summary>
    public static ResourceType EndpointSlices { get; } =
        new("discovery.k8s.io", "v1", "endpointslices", "endpointslice", "EndpointSlice", Namespaced: true, HasStatus: false, []);

    /// <summary>events.k8s.io/v1 events (what wincnid reports on Nodes and Pods).</summary>
    public static ResourceType Events { get; } =
        new("events.k8s.io", "v1", "events", "event", "Event", Namespaced: true, HasStatus: false, ["ev"]);

    /// <summary>All of them, in discovery order.</summary>
    public static IReadOnlyList<ResourceType> All { get; } = [Nodes, Namespaces, Pods, Services, EndpointSlices, Events];

    /// <summary>Finds a resource by group and plural; null when not served.</summary>
    public static ResourceType? Find(string group, string version, string plural) =>
        All.FirstOrDefault(t => t.Group == group && t.Version == version && t.Plural == plural);

    /// <summary>Finds a resource by plural (unique across the served groups); throws when not served.</summary>
    public static ResourceType ByPlural(string plural) =>
        All.FirstOrDefault(t => t.Plural == plural) ?? throw new ArgumentException($"resource \"{plural}\" is not served", nameof(plural));

    /// <summary>Finds a resource by kind; throws when not served.</summary>
    public static ResourceType ByKind(string kind) =>
        All.FirstOrDefault(t => t.Kind == kind) ?? throw new ArgumentException($"kind \"{kind}\" is not served", nameof(kind));
}
