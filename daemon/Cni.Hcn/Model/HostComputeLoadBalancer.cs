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
    /// Backend endpoint IDs. Null or empty: the frontend has no usable backend and rejects new connections, where the
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
}
