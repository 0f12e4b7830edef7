using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Model;

/// <summary>A load balancer's port mapping (kube-proxy always uses exactly one per load balancer).</summary>
public sealed record LoadBalancerPortMapping
{
    /// <summary>IP protocol (a number).</summary>
    public ProtocolType Protocol { get; init; }

    /// <summary>Backend (target) port.</summary>
    public ushort InternalPort { get; init; }

    /// <summary>Frontend (service or node) port.</summary>
    public ushort ExternalPort { get; init; }

    /// <summary>Distribution (affinity) type (a number).</summary>
    public LoadBalancerDistribution DistributionType { get; init; }

    /// <summary>Flags (a number).</summary>
    public LoadBalancerPortMappingFlags Flags { get; init; }
}
