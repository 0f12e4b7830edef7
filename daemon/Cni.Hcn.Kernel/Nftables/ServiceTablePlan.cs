namespace Cni.Hcn.Kernel.Nftables;

/// <summary>One services-table transaction (<see cref="ServiceTableSync.Plan"/>) and what it stands for.</summary>
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
    IReadOnlyDictionary<Guid, LoadBalancerRendering>? Desired, IReadOnlyDictionary<Guid, LoadBalancerRendering?>? Changes,
    IReadOnlyDictionary<BackendGroup, int> GroupElements, IReadOnlyDictionary<NftElement, int> SharedElements,
    bool Full, int Added, int Changed, int Removed, int Elements)
{
    private readonly Func<string>? _render;
    private string? _text;

    /// <summary>A plan whose nft commands are <paramref name="text"/>.</summary>
    public ServiceTablePlan(string text, IReadOnlyDictionary<Guid, LoadBalancerRendering>? desired, IReadOnlyDictionary<Guid, LoadBalancerRendering?>? changes,
        IReadOnlyDictionary<BackendGroup, int> groupElements, IReadOnlyDictionary<NftElement, int> sharedElements,
        bool full, int added, int changed, int removed, int elements)
        : this(desired, changes, groupElements, sharedElements, full, added, changed, removed, elements)
    {
        _text = text;
    }

    /// <summary>A plan that only deletes and adds elements: applied over netlink as it is, rendered as text only if needed.</summary>
    public ServiceTablePlan(NftElementChanges elementChanges, Func<string> render, IReadOnlyDictionary<Guid, LoadBalancerRendering?>? changes,
        IReadOnlyDictionary<BackendGroup, int> groupElements, IReadOnlyDictionary<NftElement, int> sharedElements, int added, int changed, int removed)
        : this(null, changes, groupElements, sharedElements, Full: false, added, changed, removed, elementChanges.Delete.Count + elementChanges.Add.Count)
    {
        ElementChanges = elementChanges;
        _render = render;
    }

    /// <summary>The nft commands; empty when the kernel already matches.</summary>
    public string Text => _text ??= _render?.Invoke() ?? string.Empty;

    /// <summary>Whether the kernel already matches (no commands), without rendering them.</summary>
    public bool IsEmpty => ElementChanges is { } elements ? elements.Delete.Count + elements.Add.Count == 0 : Text.Length == 0;

    /// <summary>Set when the transaction is element changes only (no set, map, chain or rule changes).</summary>
    public NftElementChanges? ElementChanges { get; }
}

/// <summary>Elements a transaction deletes (first) and adds (after).</summary>
/// <param name="Delete">Deleted elements.</param>
/// <param name="Add">Added elements.</param>
internal sealed record NftElementChanges(IReadOnlyList<NftElement> Delete, IReadOnlyList<NftElement> Add);
