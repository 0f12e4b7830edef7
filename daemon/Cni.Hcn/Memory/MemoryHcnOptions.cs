using Cni.Hcn.Versioning;

namespace Cni.Hcn.Memory;

/// <summary>How a <see cref="MemoryHcn"/> presents itself.</summary>
public sealed record MemoryHcnOptions
{
    /// <summary>The HNS version reported by <c>GetVersionAsync</c>; 15.4 (every feature, incl. ModifyLoadBalancer) by default.</summary>
    public HcnVersion Version { get; init; } = new(15, 4);

    /// <summary>
    /// The host management IP. HNS adds a <c>ProviderAddress</c> policy holding it to every Overlay network it creates
    /// (flannel polls for it); null turns that off. (A <c>DrMacAddress</c> is added to every Overlay network too.)
    /// </summary>
    public string? ManagementIp { get; init; } = "192.0.2.10";

    /// <summary>
    /// Whether a load balancer may have no backend endpoint, meaning "this frontend has no usable backend: reject new
    /// connections". False (the default) behaves like HNS, which refuses an empty backend list, so on Windows a
    /// Service without backends can only get no load balancer at all (kubernetes/kubernetes#106936); KernelHcn sets
    /// it, since nftables can reject.
    /// </summary>
    public bool AcceptLoadBalancersWithoutBackends { get; init; }

    /// <summary>Latency added to every call (HNS takes tens of milliseconds per call); zero by default.</summary>
    public TimeSpan Latency { get; init; }
}
