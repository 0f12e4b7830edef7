namespace Cni.Node.Services;

/// <summary>How the load-balancer engine applies a pass.</summary>
public sealed record LoadBalancerReconcilerOptions
{
    /// <summary>HCN writes in flight at once (HNS serialises much internally; a few overlap its latency).</summary>
    public int MaxParallelWrites { get; init; } = 8;

    /// <summary>
    /// The dataplane takes a load balancer without backends and rejects its traffic (KernelHcn); HNS refuses one
    /// (kubernetes/kubernetes#106936), so on Windows a frontend without backends gets no load balancer.
    /// </summary>
    public bool AcceptsLoadBalancersWithoutBackends { get; init; }

    /// <summary>
    /// Overlay: the MAC of the host interface that holds the node IP (HNS form, dashes), given to each ClusterIP's
    /// VIP endpoint as winkernel does; null lets HNS choose.
    /// </summary>
    public string? HostMac { get; init; }

    /// <summary>The retry delay of an object after its first failure.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest retry delay.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromMinutes(5);
}
