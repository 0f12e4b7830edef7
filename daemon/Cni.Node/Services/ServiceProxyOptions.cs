namespace Cni.Node.Services;

/// <summary>The service proxy's settings (the node-config section that fills them comes with the daemon wiring).</summary>
public sealed record ServiceProxyOptions
{
    /// <summary>Whether wincnid programs Services at all (off when kube-proxy or another proxy runs on the node).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>
    /// The least time between the starts of two passes, so a burst of events costs one pass; kube-proxy's
    /// minSyncPeriod (kubernetes/kubernetes pkg/proxy/apis/config/types.go), which defaults to 1 s.
    /// </summary>
    public TimeSpan MinSyncInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a pass runs without any event, so load balancers changed out of band are repaired.</summary>
    public TimeSpan ResyncPeriod { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The most HCN writes one pass runs at once.</summary>
    public int MaxParallelWrites { get; init; } = 8;

    /// <summary>Turns DSR off even where HNS supports it.</summary>
    public bool DisableDsr { get; init; }
}
