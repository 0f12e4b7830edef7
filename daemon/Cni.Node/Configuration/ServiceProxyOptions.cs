namespace Cni.Node.Configuration;

/// <summary>The service proxy's settings (node config section <c>serviceProxy</c>).</summary>
public sealed record ServiceProxyOptions
{
    /// <summary>
    /// Whether wincnid programs Services; null (the default) means "when it has Kubernetes access". Off where
    /// kube-proxy or another proxy keeps running on the node.
    /// </summary>
    public bool? Enabled { get; init; }

    /// <summary>
    /// The least time between the starts of two passes, so a burst of events costs one pass; kube-proxy's
    /// minSyncPeriod (kubernetes/kubernetes pkg/proxy/apis/config/types.go), which defaults to 1 s.
    /// </summary>
    public TimeSpan MinSyncInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a pass runs without any event, so load balancers changed out of band are repaired.</summary>
    public TimeSpan ResyncPeriod { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>HCN writes in flight on HNS (and the memory dataplane that emulates it): HNS serializes much of its work.</summary>
    public const int DefaultParallelWrites = 8;

    /// <summary>
    /// HCN writes in flight on a dataplane that commits concurrent writes together (KernelHcn: one nftables transaction
    /// and one state write per commit), where more in flight means fewer, larger commits. Measured with the
    /// services-kernel bench at 10,000 Services: initial programming 7.3 s at 8 in flight, 5.0 s at 64.
    /// </summary>
    public const int BatchingDataplaneParallelWrites = 64;

    /// <summary>The most HCN writes one pass runs at once; null (the default) lets the dataplane decide (<see cref="ParallelWritesFor"/>).</summary>
    public int? MaxParallelWrites { get; init; }

    /// <summary>The writes in flight: as configured, else the dataplane's default.</summary>
    /// <param name="batchingDataplane">Whether the dataplane commits concurrent writes together (KernelHcn).</param>
    public int ParallelWritesFor(bool batchingDataplane) =>
        MaxParallelWrites ?? (batchingDataplane ? BatchingDataplaneParallelWrites : DefaultParallelWrites);

    /// <summary>Direct server return: chosen from HNS's features, forced on, or off.</summary>
    public DsrMode Dsr { get; init; } = DsrMode.Auto;

    /// <summary>Whether the proxy runs, given whether wincnid has Kubernetes access.</summary>
    public bool IsEnabled(bool hasKubernetesAccess) => Enabled ?? hasKubernetesAccess;
}
