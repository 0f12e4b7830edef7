using System.Net;

namespace Cni.Node.Networks;

/// <summary>
/// Transparent mode's node facts: another source's (the Node object's node IP, say) with the pod CIDRs replaced by the
/// static pool's subnet. A Node's <c>spec.podCIDRs</c> is for routed modes; Transparent pods live on the physical
/// network, so the pod network never follows it.
/// </summary>
public sealed class StaticPoolAddressingSource : INodeAddressingSource
{
    private readonly INodeAddressingSource _inner;
    private readonly IReadOnlyList<IPNetwork> _podCidrs;

    /// <summary>Creates the source.</summary>
    /// <param name="inner">Where the node IP comes from.</param>
    /// <param name="podCidrs">The static pool's subnet, the only pod CIDR.</param>
    public StaticPoolAddressingSource(INodeAddressingSource inner, IReadOnlyList<IPNetwork> podCidrs)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(podCidrs);
        _inner = inner;
        _podCidrs = podCidrs;
    }

    /// <inheritdoc/>
    public async ValueTask<NodeAddressing?> GetAsync(CancellationToken cancellationToken)
    {
        var inner = await _inner.GetAsync(cancellationToken).ConfigureAwait(false);
        return inner is null ? null : inner with { PodCidrs = _podCidrs };
    }

    /// <inheritdoc/>
    public (NodeNetworkProblem Problem, string Reason)? Waiting => _inner.Waiting;
}
