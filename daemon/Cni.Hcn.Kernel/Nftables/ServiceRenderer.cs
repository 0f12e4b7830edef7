using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Cni.Hcn.Kernel.Naming;
using Cni.Hcn.Model;

namespace Cni.Hcn.Kernel.Nftables;

/// <summary>
/// Renders load balancers into the services table (<c>ip wincni_services</c>) as elements of shared sets and maps
/// read by a fixed, small set of rules, so that a load balancer never has a chain or rule of its own: adding,
/// changing or removing one is an element change, which the kernel commits without validating the table's jump
/// graph (a rule or a verdict-map element makes it validate the whole table: ~33 ms at 20,000 per-LB chains, what
/// the previous per-LB-chain shape paid on every change). One table per family: IPv4 load balancers in
/// <c>ip wincni_services</c>, IPv6 ones (the IPv6 flag, or IPv6 VIPs) in <c>ip6 wincni_services</c>, with the same
/// sets, maps, chains and rules in that family's words (<see cref="NftFamily"/>).
/// <list type="bullet">
/// <item><description>Backends: one map per <see cref="BackendGroup"/> (frontend kind, distribution, backend count
/// k) in use, <c>frontend . index : backend . port</c>, read by one DNAT rule in the group's own chain, which chain
/// <c>vips</c> (key <c>ip daddr . meta l4proto . th dport</c>) or <c>nodeports</c> (key <c>meta l4proto . th
/// dport</c>, only on local addresses outside 127.0.0.0/8, as kube-proxy does) jumps to.</description></item>
/// <item><description><c>reject_vips</c> / <c>reject_nodeports</c>: frontends without a usable backend; TCP gets a
/// reset, anything else ICMP port unreachable (kube-proxy's reject-chain does the same; reject in a nat prerouting
/// chain needs kernel 5.9). <c>drop_vips</c> / <c>drop_nodeports</c>: those that drop silently instead
/// (<see cref="HostComputeLoadBalancer.DropWithoutBackends"/>, a Local traffic policy without a local endpoint).</description></item>
/// <item><description><c>nodeports_masq</c>: NodePorts whose connections are masqueraded (all but DSR), marked
/// before DNAT and masqueraded in postrouting; <c>hairpin</c>: <c>backend . backend</c> for local backends, so a
/// pod that reaches itself through a frontend is masqueraded (kube-proxy does the same).</description></item>
/// <item><description><c>vips_ilb</c> / <c>nodeports_ilb</c>: ILB frontends, which traffic arriving from outside
/// the wincni bridges skips; <c>vips_local</c>: LocalRoutedVIP frontends, the only VIPs the node's own connections
/// (output hook) are load-balanced for. NodePorts serve the node's own connections always.</description></item>
/// </list>
/// Measured at 20,000 load balancers × 5 backends on kernel 6.18 / nft 1.0.6: the table loads in about 1 s; a
/// one-backend change is two elements and commits in about 0.1 ms in-process (libnftables). Per new connection the
/// packet is looked up in one map per group in use (nat chains see only a connection's first packet).
/// </summary>
/// <remarks>
/// Flags: <b>ILB</b> limits the frontend to traffic from local pods (a wincni bridge) and the node;
/// <b>LocalRoutedVip</b> makes a VIP answer the node's own connections, which HNS otherwise does not. <b>DSR</b> has
/// no equivalent with conntrack DNAT (replies always return through the node that translated the request), so it is
/// honoured for the observable part: the client's address reaches the backend unchanged (a DSR NodePort is never
/// masqueraded; a non-DSR NodePort is, like kube-proxy's externalTrafficPolicy=Cluster). The default distribution is
/// random per connection (HNS hashes the 5-tuple; kube-proxy's nftables mode uses <c>numgen random</c> too).
/// PreserveDIP, UseMux and VipExternalIP have no Linux meaning. A load balancer is IPv6 when it has the IPv6 flag or
/// IPv6 VIPs only (<see cref="FamilyOf"/>); its backends are the IPv6 addresses of its endpoints.
/// </remarks>
internal static class ServiceRenderer
{
    /// <summary>The packet mark that asks the services postrouting chain to masquerade (kube-proxy uses the same bit).</summary>
    public const string MasqueradeMark = "0x00004000";

    /// <summary>The set of ILB VIP frontends (only from wincni bridges and the node).</summary>
    public const string VipsIlb = "vips_ilb";

    /// <summary>The set of LocalRoutedVIP frontends (also the node's own connections).</summary>
    public const string VipsLocal = "vips_local";

    /// <summary>The set of ILB frontends without VIP.</summary>
    public const string NodePortsIlb = "nodeports_ilb";

    /// <summary>The set of frontends without VIP whose connections are masqueraded (not DSR).</summary>
    public const string NodePortsMasquerade = "nodeports_masq";

    /// <summary>The set of VIP frontends without a usable backend.</summary>
    public const string RejectVips = "reject_vips";

    /// <summary>The set of frontends without VIP and without a usable backend.</summary>
    public const string RejectNodePorts = "reject_nodeports";

    /// <summary>The set of VIP frontends without a usable backend that drop (<see cref="HostComputeLoadBalancer.DropWithoutBackends"/>).</summary>
    public const string DropVips = "drop_vips";

    /// <summary>The set of frontends without VIP and without a usable backend that drop.</summary>
    public const string DropNodePorts = "drop_nodeports";

    /// <summary>
    /// The set of <c>backend . backend</c> pairs: a connection DNAT'd to the pod that opened it (hairpin) is
    /// masqueraded, since the pod would drop a packet whose source is its own address (martian). Its elements are
    /// shared by every load balancer with that backend (<see cref="IsShared"/>).
    /// </summary>
    public const string Hairpin = "hairpin";

    /// <summary>The chain holding the VIP frontends' rules.</summary>
    public const string VipChain = "vips";

    /// <summary>The chain holding the rules of frontends without VIP.</summary>
    public const string NodePortChain = "nodeports";

    /// <summary>The one frontend of a load balancer without VIPs (a NodePort: every local address).</summary>
    private static readonly IPAddress?[] NoVip = [null];
    private const string NodePortType = "inet_proto . inet_service";
    private const string NodePortKey = "meta l4proto . th dport";
    private const string NotFromPods = "iifname != \"wcni-br-*\" ";

    /// <summary>The table's name.</summary>
    public static string Table => DeviceNames.ServicesTable;

    /// <summary>Whether elements of <paramref name="set"/> can be held by several load balancers at once (the sync counts holders).</summary>
    public static bool IsShared(string set) => string.Equals(set, Hairpin, StringComparison.Ordinal);

    /// <summary>
    /// The <c>ip</c> table's elements for one load balancer, or null when it has nothing to render there (an IPv6
    /// load balancer, no valid IPv4 frontend or no TCP/UDP port mapping). A load balancer without a usable backend
    /// renders reject elements.
    /// </summary>
    /// <param name="lb">The load balancer.</param>
    /// <param name="backendAddress">The IPv4 address of a backend endpoint, null when unknown.</param>
    /// <param name="isLocal">Whether a backend endpoint is on this node (only those get a hairpin pair: a pod on
    /// another node never has its connections DNAT'd here); null counts every backend as local.</param>
    public static LoadBalancerRendering? Render(HostComputeLoadBalancer lb, Func<Guid, IPAddress?> backendAddress, Func<Guid, bool>? isLocal = null) =>
        Render(lb, backendAddress, isLocal, NftFamily.Ip);

    /// <summary>
    /// The family a load balancer is rendered in: IPv6 with the IPv6 flag (HNS's, set by kube-proxy and wincnid's
    /// service proxy on IPv6 ServicePorts) or when its VIPs are all IPv6, else IPv4; null when it has the IPv6 flag
    /// but only IPv4 VIPs (nothing coherent to render).
    /// </summary>
    /// <remarks>Decided on the VIPs' text (a colon is IPv6), without parsing: it runs for every load balancer of a full render.</remarks>
    public static NftFamily? FamilyOf(HostComputeLoadBalancer lb)
    {
        ArgumentNullException.ThrowIfNull(lb);
        var anyV4 = false;
        var anyV6 = false;
        foreach (var vip in lb.FrontendVips ?? [])
        {
            if (vip.Contains(':', StringComparison.Ordinal))
            {
                anyV6 = true;
            }
            else if (!string.IsNullOrWhiteSpace(vip))
            {
                anyV4 = true;
            }
        }

        if (lb.Flags.HasFlag(LoadBalancerFlags.IPv6))
        {
            return anyV6 || !anyV4 ? NftFamily.Ip6 : null;
        }

        return anyV6 && !anyV4 ? NftFamily.Ip6 : NftFamily.Ip;
    }

    /// <summary>
    /// The elements of one load balancer in the table of <paramref name="family"/>, or null when it has nothing to
    /// render there (another family, no valid frontend of this family, or no TCP/UDP port mapping).
    /// </summary>
    /// <param name="lb">The load balancer.</param>
    /// <param name="backendAddress">The address of <paramref name="family"/> of a backend endpoint, null when unknown.</param>
    /// <param name="isLocal">Whether a backend endpoint is on this node; null counts every backend as local.</param>
    /// <param name="family">The table's family.</param>
    public static LoadBalancerRendering? Render(HostComputeLoadBalancer lb, Func<Guid, IPAddress?> backendAddress, Func<Guid, bool>? isLocal, NftFamily family)
    {
        ArgumentNullException.ThrowIfNull(lb);
        ArgumentNullException.ThrowIfNull(backendAddress);
        ArgumentNullException.ThrowIfNull(family);
        if (FamilyOf(lb) != family)
        {
            return null;
        }

        var vips = (lb.FrontendVips ?? []).Select(v => IPAddress.TryParse(v, out var ip) ? ip : null).OfType<IPAddress>()
            .Where(a => a.AddressFamily == family.AddressFamily).Distinct().ToList();
        if (lb.FrontendVips is { Count: > 0 } && vips.Count == 0)
        {
            return null;
        }

        var backends = (lb.HostComputeEndpoints ?? []).Select(backendAddress).OfType<IPAddress>()
            .Where(a => a.AddressFamily == family.AddressFamily).Distinct().ToList();
        var local = (lb.HostComputeEndpoints ?? []).Where(id => isLocal?.Invoke(id) ?? true).Select(backendAddress).OfType<IPAddress>().ToHashSet();
        var nodePort = vips.Count == 0;
        var masquerade = nodePort && !lb.Flags.HasFlag(LoadBalancerFlags.EnableDirectServerReturn);

        // One element per set and key: a second mapping of the same frontend would only be shadowed by the first.
        var elements = new Dictionary<NftElement, NftElement>();
        var frontendList = new List<ServiceFrontend>();
        void Add(NftElement element) => elements.TryAdd(element.KeyOnly, element);
        foreach (var mapping in lb.PortMappings ?? [])
        {
            if (NftRenderer.Protocol(mapping.Protocol) is null || mapping.ExternalPort == 0)
            {
                continue;
            }

            var protocol = (byte)mapping.Protocol;
            var ilb = mapping.Flags.HasFlag(LoadBalancerPortMappingFlags.EnableInternalLoadBalancer);
            var localRouted = mapping.Flags.HasFlag(LoadBalancerPortMappingFlags.LocalRoutedVip);
            var group = BackendGroup.Of(nodePort, mapping.DistributionType != LoadBalancerDistribution.None, backends.Count);
            var internalPort = mapping.InternalPort != 0 ? mapping.InternalPort : mapping.ExternalPort;
            var map = group.Map;

            // Kept only where the conntrack cleanup reads them (UDP, SCTP; IPv4, the table it reads): at 40,000 TCP
            // load balancers the frontends and their backend endpoints were 15 MiB of heap nothing used.
            if (Conntrack.StaleFlows.Applies(protocol) && family == NftFamily.Ip)
            {
                var targets = backends.Select(b => new IPEndPoint(b, internalPort)).ToArray();
                frontendList.AddRange(nodePort
                    ? [new ServiceFrontend(protocol, null, mapping.ExternalPort, targets)]
                    : vips.Select(vip => new ServiceFrontend(protocol, vip, mapping.ExternalPort, targets)));
            }

            foreach (var vip in nodePort ? NoVip : (IEnumerable<IPAddress?>)vips)
            {
                if (ilb)
                {
                    Add(NftElement.Frontend(nodePort ? NodePortsIlb : VipsIlb, vip, protocol, mapping.ExternalPort));
                }

                if (localRouted && !nodePort)
                {
                    Add(NftElement.Frontend(VipsLocal, vip, protocol, mapping.ExternalPort));
                }

                if (backends.Count == 0)
                {
                    var set = lb.DropWithoutBackends ? (nodePort ? DropNodePorts : DropVips) : (nodePort ? RejectNodePorts : RejectVips);
                    Add(NftElement.Frontend(set, vip, protocol, mapping.ExternalPort));
                    continue;
                }

                if (masquerade)
                {
                    Add(NftElement.Frontend(NodePortsMasquerade, vip, protocol, mapping.ExternalPort));
                }

                for (var i = 0; i < backends.Count; i++)
                {
                    Add(NftElement.Backend(map, vip, protocol, mapping.ExternalPort, i, backends[i], internalPort));
                    if (local.Contains(backends[i]))
                    {
                        Add(NftElement.Pair(Hairpin, backends[i], backends[i]));
                    }
                }
            }
        }

        if (elements.Count == 0)
        {
            return null;
        }

        // Canonical order, so equal objects compare equal whatever order the VIPs and mappings came in.
        var ordered = elements.Values.ToArray();
        Array.Sort(ordered, NftElement.Compare);
        return new LoadBalancerRendering(ordered) { Frontends = frontendList.Count > 0 ? frontendList.ToArray() : [] };
    }

    /// <summary>The rules of chain <c>vips</c> or <c>nodeports</c> for the backend groups in use (a jump to each group's chain).</summary>
    /// <param name="nodePort">True for chain <c>nodeports</c>.</param>
    /// <param name="groups">Every group in use (those of the other kind are ignored).</param>
    /// <param name="family">The table's family; IPv4 when null.</param>
    public static List<string> ChainRules(bool nodePort, IEnumerable<BackendGroup> groups, NftFamily? family = null)
    {
        ArgumentNullException.ThrowIfNull(groups);
        family ??= NftFamily.Ip;
        var rules = new List<string>();
        string key;
        string reject;
        string drop;
        if (nodePort)
        {
            key = NodePortKey;
            reject = RejectNodePorts;
            drop = DropNodePorts;

            // NodePorts answer on the node's own addresses, never on loopback (kube-proxy excludes 127.0.0.0/8 too:
            // a DNAT'd loopback source would be dropped as martian, or need route_localnet, CVE-2020-8558).
            rules.Add("fib daddr type != local return");
            rules.Add($"{family.Name} daddr {family.Loopback} return");
            rules.Add($"{key} @{NodePortsMasquerade} meta mark set meta mark | {MasqueradeMark}");
        }
        else
        {
            key = VipKey(family);
            reject = RejectVips;
            drop = DropVips;
        }

        rules.Add($"{key} @{drop} drop");
        rules.Add($"{key} @{reject} meta l4proto tcp reject with tcp reset");
        rules.Add($"{key} @{reject} reject");
        rules.AddRange(BackendGroup.Ordered(groups).Where(g => g.NodePort == nodePort).Select(g => "jump " + g.Chain));
        return rules;
    }

    /// <summary>The whole table holding <paramref name="loadBalancers"/>, as one nft text (a full sync).</summary>
    /// <param name="loadBalancers">The renderings, in any order.</param>
    /// <param name="family">The table's family; IPv4 when null.</param>
    public static string RenderTable(IEnumerable<LoadBalancerRendering> loadBalancers, NftFamily? family = null)
    {
        ArgumentNullException.ThrowIfNull(loadBalancers);
        var bySet = new SortedDictionary<string, List<NftElement>>(StringComparer.Ordinal);
        var shared = new HashSet<NftElement>();
        foreach (var element in loadBalancers.SelectMany(l => l.Elements))
        {
            if (IsShared(element.Set) && !shared.Add(element))
            {
                continue;
            }

            if (!bySet.TryGetValue(element.Set, out var list))
            {
                list = [];
                bySet[element.Set] = list;
            }

            list.Add(element);
        }

        var groups = bySet.Keys.Select(BackendGroup.FromMap).Where(g => g.HasValue).Select(g => g!.Value).ToList();
        return RenderTable(bySet, groups, family ?? NftFamily.Ip);
    }

    /// <summary>
    /// The table with the sets, maps, chains and rules it has when <paramref name="groups"/> are in use, but no
    /// elements: what the drift check counts rules and sets against (<see cref="ServiceTableSync.ExpectedShape"/>).
    /// </summary>
    /// <param name="groups">The backend groups in use.</param>
    /// <param name="family">The table's family; IPv4 when null.</param>
    public static string RenderSkeleton(IEnumerable<BackendGroup> groups, NftFamily? family = null)
    {
        ArgumentNullException.ThrowIfNull(groups);
        return RenderTable(new SortedDictionary<string, List<NftElement>>(StringComparer.Ordinal), groups.ToList(), family ?? NftFamily.Ip);
    }

    /// <summary>The key of a VIP frontend (<c>ip daddr . meta l4proto . th dport</c>, <c>ip6 daddr …</c> in <c>ip6</c>).</summary>
    private static string VipKey(NftFamily family) => family.Name + " daddr . meta l4proto . th dport";

    private static string RenderTable(SortedDictionary<string, List<NftElement>> bySet, List<BackendGroup> groups, NftFamily family)
    {
        var vipType = family.AddressType + " . inet_proto . inet_service";
        (string Name, string Type)[] sets =
        [
            (VipsIlb, vipType),
            (VipsLocal, vipType),
            (RejectVips, vipType),
            (NodePortsIlb, NodePortType),
            (NodePortsMasquerade, NodePortType),
            (RejectNodePorts, NodePortType),
            (DropVips, vipType),
            (DropNodePorts, NodePortType),
            (Hairpin, family.AddressType + " . " + family.AddressType),
        ];
        var vipKey = VipKey(family);
        var text = new StringBuilder();
        text.Append("table ").Append(family.Name).Append(' ').Append(Table).Append(" {\n");
        foreach (var (name, type) in sets)
        {
            AppendSet(text, "set", name, "type " + type, bySet.GetValueOrDefault(name));
        }

        foreach (var group in BackendGroup.Ordered(groups))
        {
            AppendSet(text, "map", group.Map, group.DefinitionIn(family), bySet.GetValueOrDefault(group.Map));
            AppendChain(text, group.Chain, null, [group.RuleIn(family)]);
        }

        AppendChain(text, VipChain, null, ChainRules(nodePort: false, groups, family));
        AppendChain(text, NodePortChain, null, ChainRules(nodePort: true, groups, family));
        AppendChain(text, "prerouting", "type nat hook prerouting priority -100; policy accept;",
        [
            $"{NotFromPods}{vipKey} @{VipsIlb} return",
            "jump " + VipChain,
            $"{NotFromPods}fib daddr type local {NodePortKey} @{NodePortsIlb} return",
            "jump " + NodePortChain,
        ]);
        AppendChain(text, "output", "type nat hook output priority -100; policy accept;",
        [
            $"{vipKey} @{VipsLocal} jump {VipChain}",
            "jump " + NodePortChain,
        ]);

        // Always present, even when nothing is masqueraded: nat chains only see packets that conntrack tracks, and
        // conntrack is enabled in a namespace by a NAT expression, so a table of reject-only rules would otherwise be
        // skipped entirely (seen on this kernel: the counters of such a chain stayed at 0).
        AppendChain(text, "postrouting", "type nat hook postrouting priority 100; policy accept;",
            [$"meta mark & {MasqueradeMark} == {MasqueradeMark} masquerade", $"ct status dnat {family.Name} saddr . {family.Name} daddr @{Hairpin} masquerade"]);
        text.Append("}\n");
        return text.ToString();
    }

    private static void AppendSet(StringBuilder text, string kind, string name, string definition, List<NftElement>? elements)
    {
        text.Append('\t').Append(kind).Append(' ').Append(name).Append(" {\n\t\t").Append(definition).Append('\n');
        if (elements is { Count: > 0 })
        {
            text.Append("\t\telements = { ");
            for (var i = 0; i < elements.Count; i++)
            {
                elements[i].AppendTo(text.Append(i == 0 ? string.Empty : ",\n\t\t\t"), withValue: true);
            }

            text.Append(" }\n");
        }

        text.Append("\t}\n");
    }

    private static void AppendChain(StringBuilder text, string name, string? hook, List<string> rules)
    {
        text.Append("\tchain ").Append(name).Append(" {\n");
        if (hook is not null)
        {
            text.Append("\t\t").Append(hook).Append('\n');
        }

        foreach (var rule in rules)
        {
            text.Append("\t\t").Append(rule).Append('\n');
        }

        text.Append("\t}\n");
    }
}
