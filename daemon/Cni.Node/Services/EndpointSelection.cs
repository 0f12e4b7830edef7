namespace Cni.Node.Services;

/// <summary>
/// The endpoints one ServicePort and family may use from this node, split the way kube-proxy's
/// CategorizeEndpoints splits them (kubernetes pkg/proxy/topology.go).
/// </summary>
/// <param name="Cluster">For Cluster traffic policy: ready endpoints narrowed by topology; if none is ready anywhere, the serving-terminating ones.</param>
/// <param name="Local">For Local traffic policy: this node's ready endpoints; if none, this node's serving-terminating ones.</param>
/// <param name="Topology">The hints that narrowed <paramref name="Cluster"/>.</param>
/// <param name="HasUsableEndpoints">Whether any endpoint anywhere is ready or serving-terminating (no: reject, not drop).</param>
public sealed record EndpointSelection(
    IReadOnlyList<ServiceEndpoint> Cluster,
    IReadOnlyList<ServiceEndpoint> Local,
    TopologyMode Topology,
    bool HasUsableEndpoints);
