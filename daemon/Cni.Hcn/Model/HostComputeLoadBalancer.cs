using System.Text.Json.Serialization;

namespace Cni.Hcn.Model;

/// <summary>An HCN load balancer (hcsshim hcn/hcnloadbalancer.go; MS-docs <c>HostComputeLoadBalancer</c>): a VIP/port served by a set of endpoints.</summary>
public sealed record HostComputeLoadBalancer
{
    private readonly SchemaVersion _schemaVersion = SchemaVersion.V2;

    /// <summary>Assigned by HNS; <see cref="Guid.Empty"/> (omitted) on create.</summary>
    [JsonPropertyName("ID")]
    public Guid Id { get; init; }

    /// <summary>
    /// Backend endpoint IDs. Null or empty: the frontend has no usable backend and rejects new connections (or drops
    /// them, <see cref="DropWithoutBackends"/>), where the
    /// implementation accepts that (KernelHcn: TCP reset, ICMP port unreachable); HNS refuses such a load balancer
    /// (kubernetes/kubernetes#106936), see <see cref="Memory.MemoryHcnOptions.AcceptLoadBalancersWithoutBackends"/>.
    /// </summary>
    public IReadOnlyList<Guid>? HostComputeEndpoints { get; init; }

    /// <summary>SNAT source for load-balanced traffic.</summary>
    [JsonPropertyName("SourceVIP")]
    public string? SourceVip { get; init; }

    /// <summary>Frontend VIPs; empty for NodePort load balancers.</summary>
    [JsonPropertyName("FrontendVIPs")]
    public IReadOnlyList<string>? FrontendVips { get; init; }

    public IReadOnlyList<LoadBalancerPortMapping>? PortMappings { get; init; }

    /// <summary>The network (MS-docs, schema 2.5).</summary>
    public Guid HostComputeNetwork { get; init; }

    /// <summary>Schema version; 2.0 when not set or absent (null is taken as 2.0, so it is always written).</summary>
    public SchemaVersion SchemaVersion
    {
        get => _schemaVersion;
        init => _schemaVersion = value ?? SchemaVersion.V2;
    }

    /// <summary>Flags (a number).</summary>
    public LoadBalancerFlags Flags { get; init; }

    /// <summary>
    /// wincni's extension for a load balancer without backends: true drops new connections silently instead of
    /// rejecting them (kube-proxy drops external traffic of a Local traffic policy when the node has no endpoint, so a
    /// cloud load balancer's health check fails over instead of clients seeing resets; kubernetes
    /// pkg/proxy/nftables/proxier.go). Only dataplanes that take load balancers without backends ever see it (HNS
    /// refuses those), so it never reaches HNS; omitted when false.
    /// </summary>
    [JsonPropertyName("WincniDropWithoutBackends")]
    public bool DropWithoutBackends { get; init; }
}
