using k8s.Models;

namespace Cni.Node.Kubernetes.Cache;

/// <summary>The list/watch sources wincnid uses. Another resource is one line: its collection path and list type.</summary>
public static class KubernetesListWatchSources
{
    /// <summary>All Nodes.</summary>
    /// <param name="requestTimeout">Bound on one list request.</param>
    public static IListWatchSource<V1Node> Nodes(k8s.Kubernetes client, TimeSpan? requestTimeout = null) =>
        new KubernetesListWatchSource<V1Node, V1NodeList>(client, "api/v1/nodes", requestTimeout: requestTimeout);

    /// <summary>All Services (for the service proxy).</summary>
    /// <param name="requestTimeout">Bound on one list request.</param>
    public static IListWatchSource<V1Service> Services(k8s.Kubernetes client, TimeSpan? requestTimeout = null) =>
        new KubernetesListWatchSource<V1Service, V1ServiceList>(client, "api/v1/services", requestTimeout: requestTimeout);

    /// <summary>All EndpointSlices (for the service proxy).</summary>
    /// <param name="requestTimeout">Bound on one list request.</param>
    public static IListWatchSource<V1EndpointSlice> EndpointSlices(k8s.Kubernetes client, TimeSpan? requestTimeout = null) =>
        new KubernetesListWatchSource<V1EndpointSlice, V1EndpointSliceList>(client, "apis/discovery.k8s.io/v1/endpointslices", requestTimeout: requestTimeout);
}
