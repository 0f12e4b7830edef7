namespace Cni.Node.Services;

/// <summary>Where a load balancer listens, one per row of the translation table (kubernetes pkg/proxy/winkernel/proxier.go).</summary>
public enum FrontendKind
{
    /// <summary>The Service's cluster IP and port.</summary>
    ClusterIp,

    /// <summary>Every host address at the node port (no frontend VIP).</summary>
    NodePort,

    /// <summary>One of <c>spec.externalIPs</c> at the port.</summary>
    ExternalIp,

    /// <summary>One of <c>status.loadBalancer.ingress[].ip</c> at the port.</summary>
    LoadBalancerIngress,
}
