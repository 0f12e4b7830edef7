namespace Cni.Node.Services;

/// <summary>
/// Deterministic HCN load-balancer IDs: the engine creates each load balancer under the ID of its key, so what a
/// restarted wincnid finds in HCN maps back to its key without a state file.
/// </summary>
/// <remarks>
/// A name-based UUID v5 maps a key to an ID but not back, so a load balancer of a Service deleted while wincnid was
/// down could not be told from one another agent made. The IDs here are RFC 9562 UUID v8 (custom): a fixed
/// 32-bit wincni tag, then 90 bits of SHA-256 of the key. The tag marks every wincni load balancer (orphans
/// included) and the hash identifies the key. HNS takes the ID given to HcnCreateLoadBalancer (hcsshim
/// hcn/hcnloadbalancer.go passes one).
/// </remarks>
public static class LoadBalancerIds
{
    /// <summary>"wcni" in ASCII: the first four bytes of every wincni load-balancer ID.</summary>
    private const uint Tag = 0x77636E69;

    /// <summary>The ID of the load balancer with <paramref name="key"/>.</summary>
    public static Guid IdOf(LoadBalancerKey key)
    {
        ArgumentNullException.ThrowIfNull(key.Value);
        return TaggedIds.Create(Tag, key.Value);
    }

    /// <summary>Whether <paramref name="id"/> is a wincni load-balancer ID (tag, version 8, RFC variant).</summary>
    public static bool IsOwned(Guid id) => TaggedIds.HasTag(Tag, id);
}
