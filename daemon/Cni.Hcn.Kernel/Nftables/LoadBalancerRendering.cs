namespace Cni.Hcn.Kernel.Nftables;

/// <summary>
/// What one load balancer puts into the services table: its own chain (rules as nft text, one per line) and the
/// dispatch-map elements that lead to it. Two renderings are equal when the kernel objects would be identical, which
/// is what the incremental sync compares.
/// </summary>
/// <param name="Chain">The chain's name, stable for the load balancer's lifetime (<see cref="ServiceRenderer.ChainName"/>).</param>
/// <param name="Rules">The chain's rules, in order.</param>
/// <param name="Elements">The dispatch-map elements, in a canonical order.</param>
internal sealed record LoadBalancerRendering(string Chain, IReadOnlyList<string> Rules, IReadOnlyList<NftElement> Elements)
{
    /// <inheritdoc/>
    public bool Equals(LoadBalancerRendering? other) =>
        other is not null && string.Equals(Chain, other.Chain, StringComparison.Ordinal)
        && Rules.SequenceEqual(other.Rules, StringComparer.Ordinal) && Elements.SequenceEqual(other.Elements);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(StringComparer.Ordinal.GetHashCode(Chain), Rules.Count, Elements.Count);
}
