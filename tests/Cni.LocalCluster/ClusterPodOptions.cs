using k8s.Models;

namespace Cni.LocalCluster;

/// <summary>What a pod of the <see cref="LocalCluster"/> is, as its Pod object says (namespace <c>default</c>).</summary>
public sealed record ClusterPodOptions
{
    /// <summary>The labels every pod gets unless told otherwise: <c>app=local-cluster</c>, so one Service can select
    /// all pods of a cluster.</summary>
    public static IReadOnlyDictionary<string, string> DefaultLabels { get; } = new Dictionary<string, string> { ["app"] = "local-cluster" };

    /// <summary>The Pod's labels (what Service selectors match).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = DefaultLabels;

    /// <summary>The container ports the Pod declares; name them so a Service's named targetPort resolves. They are
    /// a declaration only: start a server with <see cref="ClusterPod.StartEchoServerAsync"/>.</summary>
    public IReadOnlyList<V1ContainerPort> Ports { get; init; } = [];

    /// <summary>The pod's name; null: <c>&lt;node&gt;-pod-&lt;n&gt;</c>.</summary>
    public string? Name { get; init; }
}
