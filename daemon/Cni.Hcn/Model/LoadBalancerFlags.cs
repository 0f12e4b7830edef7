namespace Cni.Hcn.Model;

/// <summary>HostComputeLoadBalancer <c>Flags</c>, a number on the wire (hcsshim hcn/hcnloadbalancer.go).</summary>
[Flags]
public enum LoadBalancerFlags : uint
{
    /// <summary>No flags.</summary>
    None = 0,

    /// <summary>Direct server return (DSR); needs the DSR feature.</summary>
    EnableDirectServerReturn = 1,

    /// <summary>An IPv6 load balancer.</summary>
    IPv6 = 2,
}
