namespace Cni.Hcn.Model;

/// <summary><see cref="LoadBalancerPortMapping"/> <c>Flags</c>, a number on the wire (hcsshim hcn/hcnloadbalancer.go; kube-proxy pkg/proxy/winkernel for bit 16).</summary>
[Flags]
public enum LoadBalancerPortMappingFlags : uint
{
    /// <summary>No flags.</summary>
    None = 0,

    /// <summary>Internal load balancer (hcsshim <c>ILB</c>).</summary>
    EnableInternalLoadBalancer = 1,

    /// <summary>The VIP is reachable from the host.</summary>
    LocalRoutedVip = 2,

    /// <summary>
    /// hcsshim <c>UseMux</c> ("enables DSR for NodePort access of VIP"). MS-docs call bit 4 <c>NotUsed</c>;
    /// the hcsshim name is kept because kube-proxy sends it.
    /// </summary>
    UseMux = 4,

    /// <summary>Deliver with destination IP = VIP.</summary>
    EnablePreserveDip = 8,

    /// <summary>Defined by kube-proxy only, not by hcsshim or MS-docs (kube-proxy pkg/proxy/winkernel); NodePort/ExternalIP/LB ingress.</summary>
    VipExternalIP = 16,
}
