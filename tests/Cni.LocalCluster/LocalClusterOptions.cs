namespace Cni.LocalCluster;

/// <summary>How a <see cref="LocalCluster"/> is built.</summary>
public sealed record LocalClusterOptions
{
    /// <summary>
    /// The node network mode every node runs: <c>overlay</c> (VXLAN), <c>l2bridge</c> (routes via node IPs), <c>nat</c>
    /// (single node, pods behind the node's NAT) or <c>transparent</c> (pods on the underlay, macvlan).
    /// </summary>
    public string Mode { get; init; } = "overlay";

    /// <summary>
    /// With an API server (default): nodes are registered as Nodes and wincnid learns its pod CIDR from its Node.
    /// Without: no API server, and each wincnid runs standalone with podCIDRs and nodeIP in its node config.
    /// </summary>
    public bool Kubernetes { get; init; } = true;

    /// <summary>
    /// YAML appended to every node's config (top-level keys, e.g. <c>serviceProxy: {syncPeriodSeconds: 3}</c>), or
    /// null; for tests that need other daemon settings than the defaults.
    /// </summary>
    public string? ExtraNodeConfig { get; init; }

    /// <summary>
    /// Dual-stack nodes (l2bridge only: wincnid carries IPv6 on l2bridge, as HNS does): each node also gets an IPv6
    /// underlay address and pod CIDR (<see cref="ClusterNode.PodCidr6"/>), and the cluster IPv6 cluster and service CIDRs.
    /// With Kubernetes the Node also lists the IPv6 InternalIP, through which peers route its IPv6 pod CIDR;
    /// standalone nodes have no peer routes in either family.
    /// </summary>
    public bool DualStack { get; init; }

    /// <summary>Where progress lines go (null: nowhere).</summary>
    public TextWriter? Progress { get; init; }
}
