namespace Cni.Hcn.Model;

/// <summary><see cref="LoadBalancerPortMapping"/> <c>Flags</c>, a number on the wire (reference §7, §14.5).</summary>
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
    /// hcsshim <c>UseMux</c> ("enables DSR for NodePort access of VIP"). MS-docs call bit 4 <c>NotUsed</c> (§14.5);
    /// the hcsshim name is kept because kube-proxy sends it.
    /// </summary>
    UseMux = 4,

    /// <summary>Deliver with destination IP = VIP.</summary>
    EnablePreserveDip = 8,

    /// <summary>Defined by kube-proxy only, not by hcsshim or MS-docs (§14.5); NodePort/ExternalIP/LB ingress.</summary>
    VipExternalIP = 16,
}
