namespace Cni.Hcn.Kernel.Nftables;

/// <summary>One services-table transaction (<see cref="ServiceTableSync.Plan"/>) and what it stands for.</summary>
/// <param name="Text">The nft commands; empty when the kernel already matches.</param>
/// <param name="Desired">Every rendering the kernel has once the text is applied, when the plan was made from the
/// whole desired state; null for a plan of a few changes (<see cref="ServiceTableSync.PlanChanges"/>).</param>
/// <param name="Changes">The changes a plan of a few changes applies (null: removed); null otherwise.</param>
/// <param name="GroupElements">How many elements each backend group's map holds once the text is applied (the maps that exist).</param>
/// <param name="SharedElements">How many load balancers hold each shared element once the text is applied: all of
/// them for a full plan, only those the plan touches otherwise (0: the element is gone).</param>
/// <param name="Full">Whether the text replaces the whole table rather than changing it.</param>
/// <param name="Added">Load balancers the transaction adds.</param>
/// <param name="Changed">Load balancers the transaction changes.</param>
/// <param name="Removed">Load balancers the transaction removes.</param>
/// <param name="Elements">Elements the transaction adds or deletes (all of them for a full one).</param>
internal sealed record ServiceTablePlan(
    string Text, IReadOnlyDictionary<Guid, LoadBalancerRendering>? Desired, IReadOnlyDictionary<Guid, LoadBalancerRendering?>? Changes,
    IReadOnlyDictionary<BackendGroup, int> GroupElements, IReadOnlyDictionary<NftElement, int> SharedElements,
    bool Full, int Added, int Changed, int Removed, int Elements);
