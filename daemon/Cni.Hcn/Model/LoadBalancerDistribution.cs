namespace Cni.Hcn.Model;

/// <summary><see cref="LoadBalancerPortMapping"/> <c>DistributionType</c>, a number on the wire.</summary>
public enum LoadBalancerDistribution : uint
{
    /// <summary>Per connection (5-tuple).</summary>
    None = 0,

    /// <summary>Source IP and protocol affinity.</summary>
    SourceIPProtocol = 1,

    /// <summary>Client-IP affinity (<c>sessionAffinity: ClientIP</c>); needs HNS 12.0.</summary>
    SourceIP = 2,
}
