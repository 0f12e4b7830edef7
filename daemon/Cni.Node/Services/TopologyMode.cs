namespace Cni.Node.Services;

/// <summary>Which topology hints narrowed the cluster-wide endpoints (kubernetes pkg/proxy/topology.go).</summary>
public enum TopologyMode
{
    /// <summary>No hints used: every endpoint is a candidate (no hints, or the all-or-nothing rules said no).</summary>
    None,

    /// <summary>Only endpoints hinted for this node's zone (<c>trafficDistribution: PreferClose</c>, topology-aware routing).</summary>
    Zone,

    /// <summary>Only endpoints hinted for this node (<c>trafficDistribution: PreferSameNode</c>).</summary>
    Node,
}
