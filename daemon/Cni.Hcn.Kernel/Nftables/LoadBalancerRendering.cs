namespace Cni.Hcn.Kernel.Nftables;

/// <summary>
/// What one load balancer puts into the services table: elements of its shared sets and maps, nothing of its own
/// (no chain, no rule), so adding, changing or removing a load balancer is an element change only, which the kernel
/// commits without revalidating the table's rules. Two renderings are equal when the kernel objects would be
/// identical, which is what the incremental sync compares.
/// </summary>
/// <param name="Elements">The elements, in a canonical order (by set, then key), one per set and key.</param>
internal sealed record LoadBalancerRendering(IReadOnlyList<NftElement> Elements)
{
    /// <summary>
    /// The UDP and SCTP frontends with the backends they DNAT to, as the elements say it in nft text, for the conntrack
    /// cleanup (<see cref="Conntrack.StaleFlows"/>, which has nothing to do for TCP). Not part of equality: it follows
    /// from the same load balancer.
    /// </summary>
    public IReadOnlyList<ServiceFrontend> Frontends { get; init; } = [];

    /// <summary>The backend groups the load balancer is in (their maps must exist while it is there).</summary>
    public IEnumerable<BackendGroup> Groups =>
        Elements.Select(e => BackendGroup.FromMap(e.Set)).Where(g => g.HasValue).Select(g => g!.Value).Distinct();

    /// <inheritdoc/>
    public bool Equals(LoadBalancerRendering? other) => other is not null && Elements.SequenceEqual(other.Elements);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Elements.Count, Elements.Count > 0 ? Elements[0] : default);
}
