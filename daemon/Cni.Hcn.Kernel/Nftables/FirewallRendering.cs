using System.Globalization;
using System.Net;
using System.Text;
using Cni.Hcn.Kernel.Layout;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Kernel.Nftables;

/// <summary>
/// The filter chains of a network table: VLAN isolation between local endpoints and the endpoints' ACL policies.
/// Pods of one network share a bridge, and br_netfilter (on in every new namespace, <c>bridge-nf-call-iptables</c> and
/// <c>-ip6tables</c> = 1) passes bridged IP packets through the ip/ip6 forward hook too, so the rules match by the
/// endpoints' addresses and cover pod-to-pod (bridged), pod-to-host (input), host-to-pod (output) and routed traffic.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><b>VLAN</b> (this kernel has no 802.1Q devices and no bridge VLAN filtering, so HNS's VLAN isolation is
/// emulated): an endpoint's VLAN is its VLAN endpoint policy, else its network's (a VLAN subnet policy), else none.
/// When local endpoints are in more than one VLAN (none counts as one), IP traffic between endpoints of different
/// VLANs is dropped in the forward hook, whichever way it takes (bridged or routed through the node). ARP still
/// crosses: the isolation is at IP, not at Ethernet.</item>
/// <item><b>ACL</b>: per endpoint and direction the rules in HNS's order (lower <c>Priority</c> first; at equal
/// priority Block before Allow), first match wins: Allow returns to the next check, Block drops; no match passes
/// (Windows containers allow what no rule blocks). In: the endpoint is the destination, <c>RemoteAddresses</c> the
/// source, <c>LocalPorts</c> the destination port; Out the other way round. Replies to a connection that was let
/// through pass (<c>ct state established,related</c>), as VFP's and Windows Firewall's flow state lets them. Frames
/// untracked on purpose (bridged to a host vNIC, see <see cref="NftRenderer.RenderNetwork"/>) are judged without
/// state there and with it on their routed pass.</item>
/// </list>
/// </remarks>
internal static class FirewallRendering
{
    /// <summary>Appends the filter chains for <paramref name="endpoints"/> to a table text; false when none are needed.</summary>
    public static bool Append(StringBuilder text, NetworkLayout network, IReadOnlyList<HostComputeEndpoint> endpoints, NftFamily family)
    {
        var ip = family.Name;
        var vlanRules = VlanRules(network, endpoints, family, ip);
        var aclJumps = new List<string>();
        var aclChains = new List<(string Name, List<string> Rules)>();
        foreach (var endpoint in endpoints.OrderBy(e => e.Id))
        {
            if (NftRenderer.AddressOf(endpoint, family) is not { } address)
            {
                continue;
            }

            var acls = (endpoint.Policies ?? []).Select(p => p.Settings).OfType<AclPolicySetting>().ToList();
            foreach (var (direction, word, match) in new[] { (DirectionType.In, "in", "daddr"), (DirectionType.Out, "out", "saddr") })
            {
                var rules = AclRules(acls.Where(a => a.Direction == direction), direction, family, ip);
                if (rules.Count == 0)
                {
                    continue;
                }

                var name = $"acl_{word}_{endpoint.Id:N}";
                aclChains.Add((name, rules));
                aclJumps.Add($"{ip} {match} {address} jump {name}");
            }
        }

        if (vlanRules.Count == 0 && aclJumps.Count == 0)
        {
            return false;
        }

        var forward = new List<string>();
        if (vlanRules.Count > 0)
        {
            forward.Add("jump vlan_groups");
        }

        if (aclJumps.Count > 0)
        {
            forward.Add("jump acl_check");
        }

        AppendBase(text, "filter_forward", "forward", forward);
        if (aclJumps.Count > 0)
        {
            AppendBase(text, "filter_input", "input", ["jump acl_check"]);
            AppendBase(text, "filter_output", "output", ["jump acl_check"]);
            // Neighbour discovery is IPv6's ARP, which ACLs never filter (and conntrack does not track it).
            List<string> check = family == NftFamily.Ip6
                ? ["icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, nd-router-advert } accept", "ct state established,related accept"]
                : ["ct state established,related accept"];
            AppendChain(text, "acl_check", [.. check, .. aclJumps]);
            foreach (var (name, rules) in aclChains)
            {
                AppendChain(text, name, rules);
            }
        }

        if (vlanRules.Count > 0)
        {
            AppendChain(text, "vlan_groups", vlanRules);
        }

        return true;
    }

    /// <summary>The VLAN an endpoint is in: its own VLAN policy, else the network's, else 0 (none).</summary>
    public static uint VlanOf(NetworkLayout network, HostComputeEndpoint endpoint)
    {
        var own = (endpoint.Policies ?? []).Select(p => p.Settings).OfType<VlanPolicySetting>().Select(v => v.IsolationId).FirstOrDefault(v => v > 0);
        return own > 0 ? own : network.Vlan;
    }

    private static List<string> VlanRules(NetworkLayout network, IReadOnlyList<HostComputeEndpoint> endpoints, NftFamily family, string ip)
    {
        var groups = endpoints
            .Select(e => (Vlan: VlanOf(network, e), Address: NftRenderer.AddressOf(e, family)))
            .Where(e => e.Address is not null)
            .GroupBy(e => e.Vlan)
            .OrderBy(g => g.Key)
            .Select(g => (g.Key, Addresses: g.Select(e => e.Address!).Distinct().OrderBy(a => a.GetAddressBytes(), ByteComparer.Instance).ToList()))
            .ToList();
        if (groups.Count < 2)
        {
            return [];
        }

        var rules = new List<string>();
        foreach (var (_, members) in groups)
        {
            var others = groups.Where(g => !ReferenceEquals(g.Addresses, members)).SelectMany(g => g.Addresses)
                .OrderBy(a => a.GetAddressBytes(), ByteComparer.Instance);
            rules.Add($"{ip} saddr {{ {string.Join(", ", members)} }} {ip} daddr {{ {string.Join(", ", others)} }} drop");
        }

        return rules;
    }

    private static List<string> AclRules(IEnumerable<AclPolicySetting> acls, DirectionType direction, NftFamily family, string ip)
    {
        var inbound = direction == DirectionType.In;
        var rules = new List<string>();
        var ordered = acls.Select((a, i) => (Acl: a, Index: i))
            .OrderBy(a => a.Acl.Priority)
            .ThenBy(a => a.Acl.Action == ActionType.Block ? 0 : 1)
            .ThenBy(a => a.Index);
        foreach (var (acl, _) in ordered)
        {
            var rule = new StringBuilder();
            var protocols = Split(acl.Protocols);
            var localPorts = Split(acl.LocalPorts);
            var remotePorts = Split(acl.RemotePorts);
            if (protocols.Count > 0)
            {
                rule.Append("meta l4proto { ").Append(string.Join(", ", protocols)).Append(" } ");
            }
            else if (localPorts.Count > 0 || remotePorts.Count > 0)
            {
                rule.Append("meta l4proto { 6, 17 } ");
            }

            if (!AppendAddresses(rule, ip, inbound ? "saddr" : "daddr", acl.RemoteAddresses, family)
                || !AppendAddresses(rule, ip, inbound ? "daddr" : "saddr", acl.LocalAddresses, family))
            {
                // Every listed address is of the other family: the rule cannot match here.
                continue;
            }

            AppendPorts(rule, inbound ? "dport" : "sport", localPorts);
            AppendPorts(rule, inbound ? "sport" : "dport", remotePorts);
            rule.Append(acl.Action == ActionType.Block ? "drop" : "return");
            rules.Add(rule.ToString());
        }

        return rules;
    }

    private static bool AppendAddresses(StringBuilder rule, string ip, string field, string? list, NftFamily family)
    {
        var all = SplitAddresses(list);
        if (all.Count == 0)
        {
            return true;
        }

        var prefixes = NftRenderer.NormalizePrefixes(all, family);
        if (prefixes.Count == 0)
        {
            return false;
        }

        rule.Append(ip).Append(' ').Append(field).Append(" { ").Append(string.Join(", ", prefixes)).Append(" } ");
        return true;
    }

    private static void AppendPorts(StringBuilder rule, string field, List<string> ports)
    {
        if (ports.Count > 0)
        {
            rule.Append("th ").Append(field).Append(" { ").Append(string.Join(", ", ports)).Append(" } ");
        }
    }

    /// <summary>
    /// A comma list of protocol or port numbers or ranges (<c>80,8080</c>, <c>1000-2000</c>), or of addresses; an entry
    /// that is neither is dropped, so nothing but numbers and parsed prefixes ever reaches the table text.
    /// </summary>
    private static List<string> Split(string? list) =>
        [.. (list ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(IsNumberOrRange).Distinct(StringComparer.Ordinal)];

    private static List<string> SplitAddresses(string? list) =>
        [.. (list ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    private static bool IsNumberOrRange(string entry)
    {
        var parts = entry.Split('-');
        return parts.Length is 1 or 2 && parts.All(p => p.Length is > 0 and <= 5 && p.All(char.IsAsciiDigit)
            && int.Parse(p, CultureInfo.InvariantCulture) <= ushort.MaxValue);
    }

    private static void AppendBase(StringBuilder text, string name, string hook, List<string> rules) =>
        AppendChain(text, name, rules, $"type filter hook {hook} priority filter; policy accept;");

    private static void AppendChain(StringBuilder text, string name, List<string> rules, string? header = null)
    {
        text.Append("\tchain ").Append(name).Append(" {\n");
        if (header is not null)
        {
            text.Append("\t\t").Append(header).Append('\n');
        }

        foreach (var rule in rules)
        {
            text.Append("\t\t").Append(rule).Append('\n');
        }

        text.Append("\t}\n");
    }

    private sealed class ByteComparer : IComparer<byte[]>
    {
        public static readonly ByteComparer Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x is null || y is null ? 0 : x.AsSpan().SequenceCompareTo(y);
    }
}
