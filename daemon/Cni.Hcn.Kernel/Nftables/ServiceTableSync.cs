using System.Text;

namespace Cni.Hcn.Kernel.Nftables;

/// <summary>
/// The services table as the kernel has it (a mirror of every load balancer's elements and of how many elements each
/// backend group's map holds; no listing of the kernel ever), and the transaction that takes it to a desired state:
/// only the elements of the load balancers added, changed or removed since the last applied plan, as kube-proxy's
/// partial sync does (kubernetes pkg/proxy/nftables/proxier.go, <c>nftElementStorage</c>). A full re-render replaces
/// the table when the mirror cannot be trusted: at start, after a failed transaction (<see cref="Invalidate"/>) and
/// when the table appears or goes.
/// </summary>
/// <remarks>
/// Transaction order: every element that goes away is deleted first (a key whose value changes, or a frontend moving
/// from one load balancer to another in the same sync, would otherwise collide: re-adding a key with another value
/// fails with EEXIST). Only when a backend group appears or empties do rules change: a new group's map and chain
/// (with its one rule) are added, the frontend kind's chain that jumps to the groups is flushed and rewritten, and an
/// emptied group's chain and map are deleted after that (a chain or map a rule still references cannot go); the
/// kernel then validates the table, which is cheap as the table has a few chains and no verdict maps.
/// New elements are added last. Anything that does not match the mirror (a missing table, map or element) fails the
/// whole transaction, which the caller answers with <see cref="Invalidate"/> and a full render.
/// One instance per family: the <c>ip</c> table (the default) and the <c>ip6</c> one (<see cref="NftFamily"/>).
/// </remarks>
internal sealed class ServiceTableSync
{
    private static readonly Dictionary<BackendGroup, int> NoGroups = [];
    private static readonly Dictionary<NftElement, int> NoShared = [];
    private readonly NftFamily _family;
    private readonly string _ip;
    private Dictionary<Guid, LoadBalancerRendering> _applied = [];
    private Dictionary<BackendGroup, int> _groups = [];

    /// <summary>How many load balancers hold each element of a set elements are shared in (<see cref="ServiceRenderer.IsShared"/>).</summary>
    private Dictionary<NftElement, int> _shared = [];
    private bool _trusted;
    private bool _mayExist = true;

    /// <summary>A sync of the <c>ip</c> services table, or of <paramref name="family"/>'s.</summary>
    public ServiceTableSync(NftFamily? family = null)
    {
        _family = family ?? NftFamily.Ip;
        _ip = _family.Name;
    }

    /// <summary>The family of the table this instance syncs.</summary>
    public NftFamily Family => _family;

    /// <summary>Whether the mirror matches the kernel, so <see cref="PlanChanges"/> can be used.</summary>
    public bool Trusted => _trusted;

    /// <summary>Forgets the mirror: the next plan replaces the whole table.</summary>
    /// <param name="tableExists">False when the caller has just seen that the kernel has no services table (a listing
    /// at start), so a node without load balancers needs no transaction; true when unknown.</param>
    public void Invalidate(bool tableExists = true)
    {
        _trusted = false;
        _mayExist = tableExists;
    }

    /// <summary>The transaction that takes the kernel to <paramref name="desired"/>; its text is empty when nothing changes.</summary>
    /// <param name="desired">Every load balancer's rendering, by load-balancer ID.</param>
    public ServiceTablePlan Plan(IReadOnlyDictionary<Guid, LoadBalancerRendering> desired)
    {
        ArgumentNullException.ThrowIfNull(desired);
        return PlanOwned(new Dictionary<Guid, LoadBalancerRendering>(desired));
    }

    /// <summary>
    /// The transaction for a few load balancers that changed (null: removed), comparing only those with the mirror:
    /// what a change to one load balancer costs does not depend on how many others there are (nothing here, nor in
    /// <see cref="Accept"/>, touches the other load balancers).
    /// </summary>
    /// <param name="changes">The changed load balancers' renderings by ID; null for one that is gone or renders nothing.</param>
    public ServiceTablePlan PlanChanges(IReadOnlyDictionary<Guid, LoadBalancerRendering?> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var remaining = _applied.Count + changes.Count(c => c.Value is not null && !_applied.ContainsKey(c.Key))
            - changes.Count(c => c.Value is null && _applied.ContainsKey(c.Key));
        if (remaining == 0 || !_trusted || _applied.Count == 0)
        {
            var desired = new Dictionary<Guid, LoadBalancerRendering>(_applied);
            foreach (var (id, rendering) in changes)
            {
                if (rendering is null)
                {
                    desired.Remove(id);
                }
                else
                {
                    desired[id] = rendering;
                }
            }

            return PlanOwned(desired);
        }

        var owned = new Dictionary<Guid, LoadBalancerRendering?>(changes);
        return Incremental(owned.Select(c => (Old: _applied.GetValueOrDefault(c.Key), New: c.Value)), desired: null, owned);
    }

    /// <summary>Records that the kernel now has what <paramref name="plan"/> described.</summary>
    public void Accept(ServiceTablePlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.Desired is { } desired)
        {
            // Plans own their dictionary (a copy made while planning), so the mirror can take it as it is.
            _applied = desired as Dictionary<Guid, LoadBalancerRendering> ?? new Dictionary<Guid, LoadBalancerRendering>(desired);
        }
        else
        {
            foreach (var (id, rendering) in plan.Changes ?? new Dictionary<Guid, LoadBalancerRendering?>())
            {
                if (rendering is null)
                {
                    _applied.Remove(id);
                }
                else
                {
                    _applied[id] = rendering;
                }
            }
        }

        _groups = new Dictionary<BackendGroup, int>(plan.GroupElements);
        if (plan.Full || _applied.Count == 0)
        {
            _shared = new Dictionary<NftElement, int>(plan.SharedElements);
        }
        else
        {
            foreach (var (element, holders) in plan.SharedElements)
            {
                if (holders > 0)
                {
                    _shared[element] = holders;
                }
                else
                {
                    _shared.Remove(element);
                }
            }
        }

        _trusted = true;
        _mayExist = _applied.Count > 0;
    }

    /// <summary>What the mirror holds for load balancer <paramref name="id"/> (the kernel's state when <see cref="Trusted"/>), null when nothing.</summary>
    public LoadBalancerRendering? Applied(Guid id) => _applied.GetValueOrDefault(id);

    /// <summary>
    /// The shape (<see cref="NftTableShape"/>) the kernel's table has when it matches the mirror: rules from the
    /// skeleton of the groups in use, and each set's elements counted by key (a key two load balancers share is one
    /// element in the kernel). Null when no table is expected (no load balancers). Walks every element: for the drift
    /// check only, which runs when something else committed.
    /// </summary>
    public NftTableShape? ExpectedShape()
    {
        if (_applied.Count == 0)
        {
            return null;
        }

        var shape = NftTableShape.Parse(ServiceRenderer.RenderSkeleton(_groups.Keys, _family));
        foreach (var set in _applied.Values.SelectMany(r => r.Elements).GroupBy(e => e.Set, StringComparer.Ordinal))
        {
            shape.Elements[set.Key] = set.Select(e => e.KeyOnly).Distinct().Count();
        }

        return shape;
    }

    /// <summary>The IDs of the load balancers the mirror holds.</summary>
    public IReadOnlyCollection<Guid> LoadBalancers => _applied.Keys;

    private ServiceTablePlan PlanOwned(Dictionary<Guid, LoadBalancerRendering> desired)
    {
        var table = ServiceRenderer.Table;
        if (desired.Count == 0)
        {
            // No table without load balancers (the node without services has no wincni_services, as before).
            var text = _applied.Count > 0 || (!_trusted && _mayExist) ? $"table {_ip} {table}\ndelete table {_ip} {table}\n" : string.Empty;
            return new ServiceTablePlan(text, desired, null, NoGroups, NoShared, full: !_trusted, added: 0, changed: 0, removed: _applied.Count, elements: 0);
        }

        if (!_trusted || _applied.Count == 0)
        {
            var groups = new Dictionary<BackendGroup, int>();
            var shared = new Dictionary<NftElement, int>();
            var elements = 0;
            foreach (var element in desired.Values.SelectMany(r => r.Elements))
            {
                if (ServiceRenderer.IsShared(element.Set))
                {
                    var holders = shared.GetValueOrDefault(element);
                    shared[element] = holders + 1;
                    elements += holders == 0 ? 1 : 0;
                    continue;
                }

                elements++;
                if (BackendGroup.FromMap(element.Set) is { } group)
                {
                    groups[group] = groups.GetValueOrDefault(group) + 1;
                }
            }

            var text = $"table {_ip} {table}\ndelete table {_ip} {table}\n" + ServiceRenderer.RenderTable(desired.Values, _family);
            return new ServiceTablePlan(text, desired, null, groups, shared, full: true, added: desired.Count, changed: 0, removed: 0, elements);
        }

        var pairs = _applied.Where(a => !desired.ContainsKey(a.Key)).Select(a => (Old: (LoadBalancerRendering?)a.Value, New: (LoadBalancerRendering?)null))
            .Concat(desired.Select(d => (Old: _applied.GetValueOrDefault(d.Key), New: (LoadBalancerRendering?)d.Value)));
        return Incremental(pairs, desired, changes: null);
    }

    private ServiceTablePlan Incremental(
        IEnumerable<(LoadBalancerRendering? Old, LoadBalancerRendering? New)> pairs, Dictionary<Guid, LoadBalancerRendering>? desired,
        Dictionary<Guid, LoadBalancerRendering?>? changes)
    {
        var deleteElements = new List<NftElement>();
        var addElements = new List<NftElement>();
        var groups = new Dictionary<BackendGroup, int>(_groups);
        var shared = new Dictionary<NftElement, int>();
        int added = 0, changed = 0, removed = 0;
        foreach (var (old, rendering) in pairs)
        {
            if (old is not null && rendering is not null && old.Equals(rendering))
            {
                continue;
            }

            if (old is null && rendering is null)
            {
                continue;
            }

            if (old is null)
            {
                added++;
            }
            else if (rendering is null)
            {
                removed++;
            }
            else
            {
                changed++;
            }

            var before = old?.Elements ?? [];
            var after = rendering?.Elements ?? [];
            // A load balancer added or removed whole (every one of a first sync) needs no sets to tell what changed.
            var beforeSet = old is null || rendering is null ? null : before.ToHashSet();
            var afterSet = old is null || rendering is null ? null : after.ToHashSet();
            foreach (var element in afterSet is null ? before : before.Where(e => !afterSet.Contains(e)))
            {
                if (ServiceRenderer.IsShared(element.Set))
                {
                    shared[element] = shared.GetValueOrDefault(element, _shared.GetValueOrDefault(element)) - 1;
                    continue;
                }

                deleteElements.Add(element);
                Count(groups, element, -1);
            }

            foreach (var element in beforeSet is null ? after : after.Where(e => !beforeSet.Contains(e)))
            {
                if (ServiceRenderer.IsShared(element.Set))
                {
                    shared[element] = shared.GetValueOrDefault(element, _shared.GetValueOrDefault(element)) + 1;
                    continue;
                }

                addElements.Add(element);
                Count(groups, element, +1);
            }
        }

        // A shared element comes with its first holder and goes with its last.
        foreach (var (element, holders) in shared)
        {
            var held = _shared.GetValueOrDefault(element) > 0;
            if (held && holders <= 0)
            {
                deleteElements.Add(element);
            }
            else if (!held && holders > 0)
            {
                addElements.Add(element);
            }
        }

        var created = groups.Keys.Where(g => !_groups.ContainsKey(g)).ToList();
        var dropped = _groups.Keys.Where(g => !groups.ContainsKey(g)).ToList();
        if (created.Count == 0 && dropped.Count == 0)
        {
            // Elements only, the usual change: sent over netlink as they are (NftElementBatch); text only if asked for.
            var elementChanges = new NftElementChanges(deleteElements, addElements);
            return new ServiceTablePlan(elementChanges, () => RenderElementChanges(elementChanges), changes, groups, shared, added, changed, removed)
            {
                Desired = desired,
            };
        }

        var droppedMaps = dropped.Select(g => g.Map).ToHashSet(StringComparer.Ordinal);
        var table = ServiceRenderer.Table;
        var batch = new StringBuilder();

        // Elements of a map that goes away in this transaction go with it.
        AppendElements(batch, "delete", deleteElements.Where(e => !droppedMaps.Contains(e.Set)), _ip);
        foreach (var group in BackendGroup.Ordered(created))
        {
            batch.Append("add map ").Append(_ip).Append(' ').Append(table).Append(' ').Append(group.Map).Append(" { ").Append(group.DefinitionIn(_family)).Append("; }\n");
            batch.Append("add chain ").Append(_ip).Append(' ').Append(table).Append(' ').Append(group.Chain).Append('\n');
            batch.Append("add rule ").Append(_ip).Append(' ').Append(table).Append(' ').Append(group.Chain).Append(' ').Append(group.RuleIn(_family)).Append('\n');
        }

        foreach (var nodePort in new[] { false, true })
        {
            if (created.Concat(dropped).Any(g => g.NodePort == nodePort))
            {
                var chain = nodePort ? ServiceRenderer.NodePortChain : ServiceRenderer.VipChain;
                batch.Append("flush chain ").Append(_ip).Append(' ').Append(table).Append(' ').Append(chain).Append('\n');
                foreach (var rule in ServiceRenderer.ChainRules(nodePort, groups.Keys, _family))
                {
                    batch.Append("add rule ").Append(_ip).Append(' ').Append(table).Append(' ').Append(chain).Append(' ').Append(rule).Append('\n');
                }
            }
        }

        foreach (var group in BackendGroup.Ordered(dropped))
        {
            batch.Append("flush chain ").Append(_ip).Append(' ').Append(table).Append(' ').Append(group.Chain).Append('\n');
            batch.Append("delete chain ").Append(_ip).Append(' ').Append(table).Append(' ').Append(group.Chain).Append('\n');
            batch.Append("delete map ").Append(_ip).Append(' ').Append(table).Append(' ').Append(group.Map).Append('\n');
        }

        AppendElements(batch, "add", addElements, _ip);
        return new ServiceTablePlan(batch.ToString(), desired, changes, groups, shared, full: false, added, changed, removed, deleteElements.Count + addElements.Count);
    }

    /// <summary>Element changes as nft commands (what a text batch sends for them).</summary>
    private string RenderElementChanges(NftElementChanges changes)
    {
        var batch = new StringBuilder();
        AppendElements(batch, "delete", changes.Delete, _ip);
        AppendElements(batch, "add", changes.Add, _ip);
        return batch.ToString();
    }

    private static void Count(Dictionary<BackendGroup, int> groups, NftElement element, int delta)
    {
        if (BackendGroup.FromMap(element.Set) is not { } group)
        {
            return;
        }

        var count = groups.GetValueOrDefault(group) + delta;
        if (count > 0)
        {
            groups[group] = count;
        }
        else
        {
            groups.Remove(group);
        }
    }

    private static void AppendElements(StringBuilder batch, string verb, IEnumerable<NftElement> elements, string ip)
    {
        foreach (var set in elements.GroupBy(e => e.Set, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            batch.Append(verb).Append(" element ").Append(ip).Append(' ').Append(ServiceRenderer.Table).Append(' ').Append(set.Key).Append(" { ");
            var first = true;
            foreach (var element in set)
            {
                element.AppendTo(batch.Append(first ? string.Empty : ", "), withValue: verb == "add");
                first = false;
            }

            batch.Append(" }\n");
        }
    }
}
