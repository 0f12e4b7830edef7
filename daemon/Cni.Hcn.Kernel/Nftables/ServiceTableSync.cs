using System.Text;

namespace Cni.Hcn.Kernel.Nftables;

/// <summary>
/// The services table as the kernel has it (a mirror of every load balancer's chain and map elements, no listing of
/// the kernel ever), and the transaction that takes it to a desired state: only the load balancers added, changed or
/// removed since the last applied plan, as kube-proxy's partial sync does (kubernetes pkg/proxy/nftables/proxier.go,
/// <c>skipServiceUpdate</c> and <c>nftElementStorage</c>). A full re-render replaces the table when the mirror cannot
/// be trusted: at start, after a failed transaction (<see cref="Invalidate"/>) and when the table appears or goes.
/// </summary>
/// <remarks>
/// Transaction order: every element that goes away is deleted first (a frontend moving from one load balancer to
/// another in the same sync would otherwise collide, since re-adding a key with another verdict fails with EEXIST),
/// then removed chains are flushed and deleted (kernel 6.2+ accepts deleting a chain in the same transaction as the
/// element that referenced it), then chains are added or flushed and rewritten, and new elements are added last.
/// Anything that does not match the mirror (a missing table, chain or element) fails the whole transaction, which
/// the caller answers with <see cref="Invalidate"/> and a full render.
/// </remarks>
internal sealed class ServiceTableSync
{
    private Dictionary<Guid, LoadBalancerRendering> _applied = [];
    private bool _trusted;
    private bool _mayExist = true;

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
        var table = ServiceRenderer.Table;
        if (desired.Count == 0)
        {
            // No table without load balancers (the node without services has no wincni_services, as before).
            var text = _applied.Count > 0 || (!_trusted && _mayExist) ? $"table ip {table}\ndelete table ip {table}\n" : string.Empty;
            return new ServiceTablePlan(text, desired, Full: !_trusted, Added: 0, Changed: 0, Removed: _applied.Count);
        }

        if (!_trusted || _applied.Count == 0)
        {
            var text = $"table ip {table}\ndelete table ip {table}\n" + ServiceRenderer.RenderTable(desired.Values);
            return new ServiceTablePlan(text, desired, Full: true, Added: desired.Count, Changed: 0, Removed: 0);
        }

        var pairs = _applied.Where(a => !desired.ContainsKey(a.Key)).Select(a => (Old: (LoadBalancerRendering?)a.Value, New: (LoadBalancerRendering?)null))
            .Concat(desired.Select(d => (Old: _applied.GetValueOrDefault(d.Key), New: (LoadBalancerRendering?)d.Value)));
        return Incremental(pairs, desired);
    }

    /// <summary>
    /// The transaction for a few load balancers that changed (null: removed), comparing only those with the mirror:
    /// what a change to one load balancer costs does not depend on how many others there are.
    /// </summary>
    /// <param name="changes">The changed load balancers' renderings by ID; null for one that is gone or renders nothing.</param>
    public ServiceTablePlan PlanChanges(IReadOnlyDictionary<Guid, LoadBalancerRendering?> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
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

        if (desired.Count == 0 || !_trusted || _applied.Count == 0)
        {
            return Plan(desired);
        }

        return Incremental(changes.Select(c => (Old: _applied.GetValueOrDefault(c.Key), New: c.Value)), desired);
    }

    private static ServiceTablePlan Incremental(
        IEnumerable<(LoadBalancerRendering? Old, LoadBalancerRendering? New)> pairs, IReadOnlyDictionary<Guid, LoadBalancerRendering> desired)
    {
        var table = ServiceRenderer.Table;
        var deleteElements = new List<NftElement>();
        var addElements = new List<NftElement>();
        var removedChains = new List<string>();
        var rewritten = new List<(LoadBalancerRendering Rendering, bool Exists)>();
        int added = 0, changed = 0, removed = 0;
        foreach (var (old, rendering) in pairs)
        {
            if (rendering is null)
            {
                if (old is not null)
                {
                    removed++;
                    deleteElements.AddRange(old.Elements);
                    removedChains.Add(old.Chain);
                }

                continue;
            }

            if (old is null)
            {
                added++;
                rewritten.Add((rendering, false));
                addElements.AddRange(rendering.Elements);
                continue;
            }

            if (old.Equals(rendering))
            {
                continue;
            }

            changed++;
            if (!old.Rules.SequenceEqual(rendering.Rules, StringComparer.Ordinal))
            {
                rewritten.Add((rendering, true));
            }

            var before = old.Elements.ToHashSet();
            var after = rendering.Elements.ToHashSet();
            deleteElements.AddRange(old.Elements.Where(e => !after.Contains(e)));
            addElements.AddRange(rendering.Elements.Where(e => !before.Contains(e)));
        }

        var batch = new StringBuilder();
        AppendElements(batch, "delete", deleteElements, withVerdict: false);
        foreach (var chain in removedChains)
        {
            batch.Append("flush chain ip ").Append(table).Append(' ').Append(chain).Append('\n');
            batch.Append("delete chain ip ").Append(table).Append(' ').Append(chain).Append('\n');
        }

        foreach (var (rendering, exists) in rewritten)
        {
            batch.Append(exists ? "flush" : "add").Append(" chain ip ").Append(table).Append(' ').Append(rendering.Chain).Append('\n');
            foreach (var rule in rendering.Rules)
            {
                batch.Append("add rule ip ").Append(table).Append(' ').Append(rendering.Chain).Append(' ').Append(rule).Append('\n');
            }
        }

        AppendElements(batch, "add", addElements, withVerdict: true);
        return new ServiceTablePlan(batch.ToString(), desired, Full: false, added, changed, removed);
    }

    /// <summary>Records that the kernel now has what <paramref name="plan"/> described.</summary>
    public void Accept(ServiceTablePlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        _applied = new Dictionary<Guid, LoadBalancerRendering>(plan.Desired);
        _trusted = true;
        _mayExist = plan.Desired.Count > 0;
    }

    private static void AppendElements(StringBuilder batch, string verb, List<NftElement> elements, bool withVerdict)
    {
        foreach (var map in elements.GroupBy(e => e.Map, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            batch.Append(verb).Append(" element ip ").Append(ServiceRenderer.Table).Append(' ').Append(map.Key).Append(" { ");
            var first = true;
            foreach (var element in map)
            {
                batch.Append(first ? string.Empty : ", ").Append(element.Key);
                if (withVerdict)
                {
                    batch.Append(" : ").Append(element.Verdict);
                }

                first = false;
            }

            batch.Append(" }\n");
        }
    }
}
