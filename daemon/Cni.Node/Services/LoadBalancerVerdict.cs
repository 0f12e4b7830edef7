namespace Cni.Node.Services;

/// <summary>What a frontend does with a new connection (kube-proxy's reject/drop split, kubernetes pkg/proxy/nftables/proxier.go).</summary>
public enum LoadBalancerVerdict
{
    /// <summary>Load-balance over the backends.</summary>
    Forward,

    /// <summary>No usable endpoint anywhere: refuse the connection (ICMP unreachable / TCP reset) where the dataplane can.</summary>
    Reject,

    /// <summary>Endpoints exist but none on this node and the traffic policy is Local: drop silently.</summary>
    Drop,
}
