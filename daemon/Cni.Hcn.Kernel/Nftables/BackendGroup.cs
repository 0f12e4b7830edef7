using System.Globalization;

namespace Cni.Hcn.Kernel.Nftables;

/// <summary>
/// The load balancers of one frontend kind, distribution and backend count k, which share one backend map in the
/// services table and one DNAT rule reading it, alone in a chain of the same name:
/// <c>dnat ip to &lt;frontend&gt; . &lt;pick&gt; map @&lt;map&gt;</c>, where the map holds, for every load balancer
/// of the group, k elements <c>frontend . i : backend . port</c>. The
/// pick is a number below k: random (<c>numgen random mod k</c>) or a hash of the client address (<c>jhash ip saddr
/// mod k seed 0x0</c>, a fixed seed, so a client keeps its backend across reloads, the SourceIP distribution). A
/// frontend that is not in the map makes the lookup fail, so the rule does not match and the next group's is tried.
/// </summary>
/// <param name="NodePort">True for frontends without VIP (<c>protocol . port</c> on every local address).</param>
/// <param name="SourceHash">True for the SourceIP distribution.</param>
/// <param name="Size">The backend count k (at least 1).</param>
internal readonly record struct BackendGroup(bool NodePort, bool SourceHash, int Size)
{
    private const string VipPrefix = "vips_";
    private const string NodePortPrefix = "nodeports_";

    /// <summary>Map names by group; groups are few (kind × distribution × backend count).</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<BackendGroup, string> Names = new();

    /// <summary>
    /// The backend map's name: <c>vips_rr_5</c>, <c>nodeports_sh_2</c>, … One instance per group: every element of
    /// the map holds it (220,000 copies of a handful of names were 9 MiB at 10,000 Services).
    /// </summary>
    public string Map => Names.GetOrAdd(this, static g => string.Create(CultureInfo.InvariantCulture, $"{(g.NodePort ? NodePortPrefix : VipPrefix)}{(g.SourceHash ? "sh" : "rr")}_{g.Size}"));

    /// <summary>The frontend key of a packet, as nft expressions.</summary>
    public string Frontend => FrontendIn(NftFamily.Ip);

    /// <summary>The expression that picks a backend index below <see cref="Size"/>.</summary>
    public string Pick => PickIn(NftFamily.Ip);

    /// <summary>
    /// The map's definition (its body inside <c>{ }</c>). The index is typed as numgen's result for both picks (both
    /// are 32-bit integers): nft 1.0.6 crashes listing a map whose <c>typeof</c> names jhash (seen on this machine).
    /// </summary>
    public string Definition => DefinitionIn(NftFamily.Ip);

    /// <summary>
    /// The group's chain, which holds <see cref="Rule"/> alone and is jumped to from the frontend kind's chain. The
    /// rule lives apart so that the frontend chain can be rewritten when a group comes or goes without re-adding rules
    /// that read existing maps: nft 1.0.6 rejects a new rule reading a map it fetched from the kernel whose value is
    /// typed <c>ip daddr . th dport</c> ("conflicting protocols specified: ip vs. th"; typing the port as
    /// <c>tcp dport</c> instead makes nft add a TCP-only match).
    /// </summary>
    public string Chain => Map;

    /// <summary>The rule that load-balances the group's connections.</summary>
    public string Rule => RuleIn(NftFamily.Ip);

    /// <summary><see cref="Frontend"/> in a table of <paramref name="family"/> (<c>ip6 daddr</c> in <c>ip6</c>).</summary>
    public string FrontendIn(NftFamily family)
    {
        ArgumentNullException.ThrowIfNull(family);
        return NodePort ? "meta l4proto . th dport" : family.Name + " daddr . meta l4proto . th dport";
    }

    /// <summary><see cref="Pick"/> in a table of <paramref name="family"/>.</summary>
    public string PickIn(NftFamily family)
    {
        ArgumentNullException.ThrowIfNull(family);
        return SourceHash
            ? string.Create(CultureInfo.InvariantCulture, $"jhash {family.Name} saddr mod {Size} seed 0x0")
            : string.Create(CultureInfo.InvariantCulture, $"numgen random mod {Size}");
    }

    /// <summary><see cref="Definition"/> in a table of <paramref name="family"/>.</summary>
    public string DefinitionIn(NftFamily family) =>
        string.Create(CultureInfo.InvariantCulture, $"typeof {FrontendIn(family)} . numgen random mod {Size} : {family.Name} daddr . th dport");

    /// <summary><see cref="Rule"/> in a table of <paramref name="family"/>.</summary>
    public string RuleIn(NftFamily family) => $"dnat {family.Name} to {FrontendIn(family)} . {PickIn(family)} map @{Map}";

    /// <summary>The group of a load balancer; one backend needs no pick, so both distributions share that group.</summary>
    public static BackendGroup Of(bool nodePort, bool sourceHash, int size) => new(nodePort, sourceHash && size > 1, size);

    /// <summary>The group whose backend map is <paramref name="map"/>, or null for any other set or map.</summary>
    public static BackendGroup? FromMap(string map)
    {
        ArgumentNullException.ThrowIfNull(map);
        var nodePort = map.StartsWith(NodePortPrefix, StringComparison.Ordinal);
        if (!nodePort && !map.StartsWith(VipPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = map[(nodePort ? NodePortPrefix : VipPrefix).Length..];
        var sourceHash = rest.StartsWith("sh_", StringComparison.Ordinal);
        if (!sourceHash && !rest.StartsWith("rr_", StringComparison.Ordinal))
        {
            return null;
        }

        return int.TryParse(rest.AsSpan(3), NumberStyles.None, CultureInfo.InvariantCulture, out var size) && size > 0
            ? new BackendGroup(nodePort, sourceHash, size)
            : null;
    }

    /// <summary>Groups in the order their rules are written: by backend count, random before source hash.</summary>
    public static IEnumerable<BackendGroup> Ordered(IEnumerable<BackendGroup> groups) =>
        groups.Distinct().OrderBy(g => g.Size).ThenBy(g => g.SourceHash);
}
