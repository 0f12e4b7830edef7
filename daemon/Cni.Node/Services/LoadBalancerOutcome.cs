namespace Cni.Node.Services;

/// <summary>What a pass did with (or found for) one desired load balancer.</summary>
public enum LoadBalancerOutcome
{
    /// <summary>HCN already had it as desired; nothing written.</summary>
    Unchanged,

    /// <summary>Created.</summary>
    Created,

    /// <summary>Changed in place (ModifyLoadBalancer).</summary>
    Modified,

    /// <summary>Changed by delete and create (HNS without ModifyLoadBalancer).</summary>
    Recreated,

    /// <summary>Deliberately not programmed (no backends on a dataplane that cannot hold an empty load balancer); see the reason.</summary>
    NotProgrammed,

    /// <summary>A write failed; retried after its backoff.</summary>
    Failed,

    /// <summary>Failed earlier and its backoff has not passed; HCN left as it was.</summary>
    BackingOff,
}
