using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ProtocolType = Cni.Hcn.Model.Policies.ProtocolType;
using System.Text;
using Cni.Hcn.Kernel.Layout;
using Cni.Hcn.Kernel.Naming;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Kernel.Nftables;

/// <summary>
/// Renders wincni's nftables state as complete table texts, a pure function of the HCN objects (so it is unit-tested
/// and rebuilt identically after a restart). Per address family (<see cref="NftFamily"/>): a network's IPv4 table is
/// <c>ip wincni_&lt;hash&gt;</c>, its IPv6 table <c>ip6 wincni_&lt;hash&gt;</c>, each from the endpoints' addresses and
/// the policies of that family (OutBoundNAT and PortMapping with <c>NatFlags.IPv6</c> are IPv6, as in HNS).
/// <list type="bullet">
/// <item><description>One table per network (<c>wincni_&lt;hash&gt;</c>): OutBoundNAT → masquerade of the endpoints'
/// addresses except towards the exception prefixes and the network's own subnets (the most common exception list as
/// one subnet-wide rule that excludes every other local endpoint, so a typical pod does not change the text); PortMapping → DNAT of the host
/// port (TCP/UDP; to the given VIP, or to every local address through <c>fib daddr type local</c>) from outside
/// (prerouting) and from the node itself (output).</description></item>
/// <item><description>VLAN isolation and ACL policies: filter chains in the same table (<see cref="FirewallRendering"/>).</description></item>
/// <item><description>A NAT network (HNS type NAT) also masquerades everything its subnets send through the bridge to
/// any other destination, as WinNAT does for a NAT network's internal prefix.</description></item>
/// <item><description>Load balancers live in a table of their own, realized incrementally (<see cref="ServiceRenderer"/>).</description></item>
/// </list>
/// </summary>
internal static class NftRenderer
{
    /// <summary>
    /// The exception list (as rendered, see <see cref="NatKey"/>) that the network's subnet-wide masquerade rule uses, or
    /// null for no such rule. The rule is sticky: <paramref name="previous"/> stays while any endpoint still uses it or
    /// no endpoint uses OutBoundNAT at all, so the first and the last pod of a network do not rewrite the table either;
    /// otherwise the exception list most endpoints share wins (ties: ordinal order).
    /// </summary>
    /// <param name="network">The network's layout.</param>
    /// <param name="endpoints">The network's local endpoints.</param>
    /// <param name="previous">The key the applied table uses, null if none.</param>
    /// <param name="family">The table's family; IPv4 when null.</param>
    public static string? ChooseSubnetNat(NetworkLayout network, IEnumerable<HostComputeEndpoint> endpoints, string? previous, NftFamily? family = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(endpoints);
        family ??= NftFamily.Ip;
        if (!network.SubnetsOf(family.AddressFamily).Any())
        {
            return null;
        }

        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var endpoint in endpoints)
        {
            if (AddressOf(endpoint, family) is null)
            {
                continue;
            }

            foreach (var key in NatKeys(network, endpoint, family).Distinct(StringComparer.Ordinal))
            {
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        }

        if (previous is not null && (counts.Count == 0 || counts.ContainsKey(previous)))
        {
            return previous;
        }

        return counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Select(c => c.Key).FirstOrDefault();
    }

    /// <summary>The table of one network, or null when the network needs none (no NAT, no host ports).</summary>
    /// <param name="network">The network's layout.</param>
    /// <param name="endpoints">The network's local endpoints.</param>
    /// <param name="subnetNat">
    /// The exception list of the subnet-wide masquerade rule (<see cref="ChooseSubnetNat"/>), null for none. Endpoints
    /// whose OutBoundNAT has exactly these exceptions are covered by that rule instead of being listed, so adding or
    /// removing such a pod leaves the table text (and the kernel) untouched.
    /// </param>
    /// <remarks>
    /// The subnet-wide rule masquerades packets that were routed in from the network's bridge with a source in its
    /// subnets, except the addresses of every local endpoint that is not in the group (no OutBoundNAT, or other
    /// exceptions) and except towards the exceptions. Node-originated packets (no input interface) never match. The
    /// only packets it treats differently from a per-address list are those from the bridge whose source is an
    /// in-subnet address no endpoint owns (a pod using an address it was not given).
    /// </remarks>
    /// <param name="family">The table's family; IPv4 when null.</param>
    /// <param name="hostVnics">
    /// The network's host vNICs (its endpoints attached to the node: wincnid's L2Bridge host endpoint <c>.2</c>, the
    /// pods' next hop). A pod's packet to a vNIC is first bridged to the vNIC's port, then routed by the node. With
    /// br_netfilter the bridged pass already runs the nat hooks, and a new connection that no rule NATs there is
    /// confirmed with a null source binding, so the routed pass could no longer masquerade it (seen with IPv6, whose
    /// neighbour discovery only the vNIC answers; IPv4 ARP is answered by the vNIC or the bridge, whichever is
    /// first). So frames bridged to a vNIC's MAC are not tracked (<c>notrack</c> in a raw prerouting chain, on the
    /// bridged pass only: its input interface is the bridge), and the subnet-wide rule also matches packets that
    /// come in through a vNIC.
    /// </param>
    public static string? RenderNetwork(
        NetworkLayout network, IEnumerable<HostComputeEndpoint> endpoints, string? subnetNat = null, NftFamily? family = null,
        IReadOnlyCollection<HostComputeEndpoint>? hostVnics = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(endpoints);
        family ??= NftFamily.Ip;
        var ip = family.Name;
        var subnets = network.SubnetsOf(family.AddressFamily).ToList();
        var masquerade = new SortedDictionary<string, List<IPAddress>>(StringComparer.Ordinal);
        var notInSubnetRule = new List<IPAddress>();
        var hostPorts = new List<string>();
        foreach (var endpoint in endpoints.OrderBy(e => e.Id))
        {
            var address = AddressOf(endpoint, family);
            if (address is null)
            {
                continue;
            }

            var inSubnets = subnets.Any(s => s.Prefix.Contains(address));
            var coveredBySubnetRule = false;
            foreach (var key in NatKeys(network, endpoint, family))
            {
                if (subnetNat is not null && inSubnets && string.Equals(key, subnetNat, StringComparison.Ordinal))
                {
                    coveredBySubnetRule = true;
                    continue;
                }

                if (!masquerade.TryGetValue(key, out var sources))
                {
                    sources = [];
                    masquerade[key] = sources;
                }

                sources.Add(address);
            }

            if (inSubnets && !coveredBySubnetRule)
            {
                notInSubnetRule.Add(address);
            }

            foreach (var policy in endpoint.Policies ?? [])
            {
                if (policy.Settings is PortMappingPolicySetting map && Protocol(map.Protocol) is { } protocol && map.ExternalPort != 0
                    && FamilyOf(map) == family)
                {
                    var internalPort = map.InternalPort != 0 ? map.InternalPort : map.ExternalPort;
                    var match = IPAddress.TryParse(map.Vip ?? string.Empty, out var vip) && family.Holds(vip)
                        ? $"{ip} daddr {vip}"
                        : "fib daddr type local";
                    var target = family == NftFamily.Ip6 ? $"[{address}]" : address.ToString();
                    hostPorts.Add(Invariant($"{match} {protocol} dport {map.ExternalPort} dnat to {target}:{internalPort}"));
                }
            }
        }

        var subnetRule = subnetNat is not null && subnets.Count > 0;
        var filter = new StringBuilder();
        var hasFilter = FirewallRendering.Append(filter, network, endpoints as IReadOnlyList<HostComputeEndpoint> ?? [.. endpoints], family);

        // A NAT network NATs its whole subnet, endpoints or not (WinNAT's NetNat on the internal prefix).
        var natNetworkRule = network.IsNat && subnets.Count > 0;
        if (masquerade.Count == 0 && !subnetRule && !natNetworkRule && hostPorts.Count == 0 && !hasFilter)
        {
            return null;
        }

        var vnicNames = (hostVnics ?? []).Select(e => DeviceNames.PeerVeth(e.Id)).Order(StringComparer.Ordinal).ToList();
        var vnicMacs = (hostVnics ?? []).Select(e => NetworkLayout.ParseMac(e.MacAddress)).OfType<System.Net.NetworkInformation.PhysicalAddress>()
            .Select(m => string.Join(':', m.GetAddressBytes().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)))).Distinct().Order(StringComparer.Ordinal).ToList();
        var text = new StringBuilder();
        text.Append("table ").Append(ip).Append(' ').Append(network.Table).Append(" {\n");
        if (vnicMacs.Count > 0)
        {
            text.Append("\tchain raw_prerouting {\n\t\ttype filter hook prerouting priority raw; policy accept;\n\t\tiifname \"")
                .Append(network.Bridge).Append("\" ether daddr { ").Append(string.Join(", ", vnicMacs)).Append(" } notrack\n\t}\n");
        }

        if (masquerade.Count > 0 || subnetRule || natNetworkRule)
        {
            text.Append("\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n");
            foreach (var (exceptions, sources) in masquerade)
            {
                // Sorted by address, so the text (and whether a batch is needed) does not depend on endpoint IDs.
                text.Append("\t\t").Append(ip).Append(" saddr { ").Append(AddressList(sources)).Append(" }");
                AppendExceptions(text, exceptions, ip);
                text.Append(" masquerade\n");
            }

            if (subnetRule)
            {
                // Masquerade is a final verdict, so the explicit rules above already handled their matches.
                text.Append("\t\tiifname ");
                if (vnicNames.Count > 0)
                {
                    text.Append("{ \"").Append(network.Bridge).Append('"');
                    foreach (var vnic in vnicNames)
                    {
                        text.Append(", \"").Append(vnic).Append('"');
                    }

                    text.Append(" }");
                }
                else
                {
                    text.Append('"').Append(network.Bridge).Append('"');
                }

                text.Append(' ').Append(ip).Append(" saddr { ")
                    .Append(string.Join(", ", NormalizePrefixes(subnets.Select(s => s.Prefix.ToString()), family))).Append(" }");
                if (notInSubnetRule.Count > 0)
                {
                    text.Append(' ').Append(ip).Append(" saddr != { ").Append(AddressList(notInSubnetRule)).Append(" }");
                }

                AppendExceptions(text, subnetNat!, ip);
                text.Append(" masquerade\n");
            }

            if (natNetworkRule)
            {
                var prefixes = string.Join(", ", NormalizePrefixes(subnets.Select(s => s.Prefix.ToString()), family));
                text.Append("\t\tiifname \"").Append(network.Bridge).Append("\" ").Append(ip).Append(" saddr { ").Append(prefixes)
                    .Append(" } ").Append(ip).Append(" daddr != { ").Append(prefixes).Append(" } masquerade\n");
            }

            text.Append("\t}\n");
        }

        if (hostPorts.Count > 0)
        {
            text.Append("\tchain prerouting {\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n\t\tjump hostports\n\t}\n");
            text.Append("\tchain output {\n\t\ttype nat hook output priority -100; policy accept;\n\t\tjump hostports\n\t}\n");
            text.Append("\tchain hostports {\n");
            foreach (var rule in hostPorts)
            {
                text.Append("\t\t").Append(rule).Append('\n');
            }

            text.Append("\t}\n");
        }

        text.Append(filter);
        text.Append("}\n");
        return text.ToString();
    }

    /// <summary>The rendered exception list of one OutBoundNAT policy: its exceptions plus the network's own subnets.</summary>
    /// <param name="network">The network's layout.</param>
    /// <param name="nat">The policy.</param>
    /// <param name="family">The table's family (only its exceptions and subnets); IPv4 when null.</param>
    public static string NatKey(NetworkLayout network, OutboundNatPolicySetting nat, NftFamily? family = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(nat);
        family ??= NftFamily.Ip;
        return string.Join(", ", NormalizePrefixes((nat.Exceptions ?? []).Concat(network.SubnetsOf(family.AddressFamily).Select(s => s.Prefix.ToString())), family));
    }

    /// <summary>
    /// Prefixes for an anonymous nft set: parsed (bare addresses become /32 or /128), of one family (IPv4 when
    /// null), and without any prefix that another one covers (nft rejects overlapping intervals), in a stable order.
    /// </summary>
    public static List<string> NormalizePrefixes(IEnumerable<string> prefixes, NftFamily? family = null)
    {
        family ??= NftFamily.Ip;
        var parsed = new List<IPNetwork>();
        foreach (var text in prefixes)
        {
            IPNetwork prefix;
            if (IPNetwork.TryParse(text, out var p))
            {
                prefix = p;
            }
            else if (IPAddress.TryParse(text, out var a))
            {
                prefix = new IPNetwork(a, a.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
            }
            else
            {
                continue;
            }

            if (prefix.BaseAddress.AddressFamily == family.AddressFamily)
            {
                parsed.Add(prefix);
            }
        }

        var kept = parsed.Distinct()
            .Where(p => !parsed.Any(q => !q.Equals(p) && q.PrefixLength < p.PrefixLength && q.Contains(p.BaseAddress)))
            .OrderBy(p => p.BaseAddress.GetAddressBytes(), ByteOrder.Instance).ThenBy(p => p.PrefixLength);
        return kept.Select(p => p.PrefixLength == family.HostPrefixLength ? p.BaseAddress.ToString() : p.ToString()).ToList();
    }

    /// <remarks>
    /// An OutBoundNAT with <c>Destinations</c> is win-cni's loopback DSR: HNS NATs only traffic to those destinations
    /// (the pod itself, through a DSR load balancer), never the pod's egress. Here the services table's hairpin
    /// masquerade does that job, so such a policy adds no masquerade; read as a plain OutBoundNAT it would
    /// masquerade everything, pod-to-pod traffic across nodes included. An OutBoundNAT applies to one family: IPv6
    /// when it carries <c>NatFlags.IPv6</c> (HNS's meaning; wincnid's policy builder sets it on the IPv6 policy of a
    /// dual-stack pod), else IPv4.
    /// </remarks>
    private static IEnumerable<string> NatKeys(NetworkLayout network, HostComputeEndpoint endpoint, NftFamily family) =>
        (endpoint.Policies ?? []).Select(p => p.Settings).OfType<OutboundNatPolicySetting>()
            .Where(nat => nat.Destinations is not { Count: > 0 } && (nat.Flags.HasFlag(NatFlags.IPv6) ? NftFamily.Ip6 : NftFamily.Ip) == family)
            .Select(nat => NatKey(network, nat, family));

    /// <summary>The family of a port mapping: its VIP's, else IPv6 when flagged so (HNS), else IPv4.</summary>
    private static NftFamily FamilyOf(PortMappingPolicySetting map) =>
        IPAddress.TryParse(map.Vip ?? string.Empty, out var vip) && vip.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6
            ? NftFamily.Of(vip)
            : map.Flags.HasFlag(NatFlags.IPv6) ? NftFamily.Ip6 : NftFamily.Ip;

    private static string AddressList(IEnumerable<IPAddress> addresses) =>
        string.Join(", ", addresses.Distinct().OrderBy(a => a.GetAddressBytes(), ByteOrder.Instance));

    private static void AppendExceptions(StringBuilder text, string exceptions, string ip)
    {
        if (exceptions.Length > 0)
        {
            text.Append(' ').Append(ip).Append(" daddr != { ").Append(exceptions).Append(" }");
        }
    }

    private static void AppendChain(StringBuilder text, string name, List<string> rules)
    {
        text.Append("\tchain ").Append(name).Append(" {\n");
        foreach (var rule in rules)
        {
            text.Append("\t\t").Append(rule).Append('\n');
        }

        text.Append("\t}\n");
    }

    /// <summary>The endpoint's (first) address of <paramref name="family"/>, or null.</summary>
    internal static IPAddress? AddressOf(HostComputeEndpoint endpoint, NftFamily family) =>
        (endpoint.IpConfigurations ?? []).Select(c => IPAddress.TryParse(c.IpAddress ?? string.Empty, out var ip) ? ip : null)
            .FirstOrDefault(ip => ip?.AddressFamily == family.AddressFamily);

    /// <summary>nft's name of an HCN protocol, or null for one nftables rules here do not express.</summary>
    internal static string? Protocol(ProtocolType protocol) => protocol switch
    {
        ProtocolType.Tcp => "tcp",
        ProtocolType.Udp => "udp",
        _ => null,
    };

    internal static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x is null || y is null ? 0 : x.AsSpan().SequenceCompareTo(y);
    }
}
