using Cni.Hcn.Versioning;

namespace Cni.Hcn.Memory;

/// <summary>How a <see cref="MemoryHcn"/> presents itself.</summary>
public sealed record MemoryHcnOptions
{
    /// <summary>The HNS version reported by <c>GetVersionAsync</c>; 15.4 (every feature, incl. ModifyLoadBalancer) by default.</summary>
    public HcnVersion Version { get; init; } = new(15, 4);

    /// <summary>
    /// The host management IP. HNS adds a <c>ProviderAddress</c> policy holding it to every Overlay network it creates
    /// (flannel polls for it); null turns that off.
    /// </summary>
    public string? ManagementIp { get; init; } = "192.0.2.10";

    /// <summary>Latency added to every call (HNS takes tens of milliseconds per call); zero by default.</summary>
    public TimeSpan Latency { get; init; }
}
