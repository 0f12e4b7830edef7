using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Cni.Node.Configuration;
using Cni.Node.Ipam;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Cni.Daemon.Configuration;

/// <summary>
/// Reads the node config file (YAML, or JSON, which YAML reads too) into <see cref="NodeOptions"/>. Walks the YAML
/// document itself rather than binding to a type, so that every problem — an unknown or misspelled key, a value of the
/// wrong kind, a CIDR that does not parse — is reported with its key path and line, and all problems at once.
/// </summary>
public static class NodeConfigLoader
{
    private static readonly string[] TopLevelKeys =
    [
        "mode", "networkName", "clusterCIDRs", "serviceCIDRs", "podCIDRs", "nodeIP", "adapterName", "vxlan", "mtu",
        "dsr", "serviceProxy", "dns", "stateDir", "socket", "healthAddress", "ipQuarantineSeconds", "eventGracePeriodSeconds", "maxConcurrentHcnCalls", "log",
        "adapters", "vlan", "outboundNat", "firewall", "staticPool",
    ];

    private static readonly string[] StaticPoolKeys = ["subnet", "gateway", "rangeStart", "rangeEnd"];

    private static readonly string[] VxlanKeys = ["vni", "port"];
    private static readonly string[] ServiceProxyKeys = ["enabled", "dsr", "minSyncPeriodMilliseconds", "syncPeriodSeconds", "maxParallelWrites"];
    private static readonly string[] DsrModes = ["auto", "on", "off"];
    private static readonly string[] DnsKeys = ["nameservers", "domain", "search", "options"];
    private static readonly string[] LogKeys = ["level", "format"];
    private static readonly string[] LogLevels = ["trace", "debug", "information", "warning", "error", "critical"];
    private static readonly string[] LogFormats = ["text", "json"];
    private static readonly string[] AdapterKeys = ["name", "mac", "subnet"];
    private static readonly string[] OutboundNatKeys = ["enabled", "exceptions"];
    private static readonly string[] FirewallKeys = ["inbound", "outbound"];
    private static readonly string[] FirewallDirectionKeys = ["default", "allow"];
    private static readonly string[] FirewallActions = ["allow", "block"];
    private static readonly string[] FirewallRuleKeys = ["remote", "protocol", "ports"];
    private static readonly string[] FirewallProtocols = ["tcp", "udp", "icmp"];

    /// <summary>The largest 802.1Q VLAN ID (4095 is reserved), and the range HNS's VLAN policy takes.</summary>
    public const int MaxVlan = 4094;

    /// <summary>
    /// Every key the loader reads, as a path to a value (<c>vxlan.vni</c>; a list of mappings as
    /// <c>adapters[].name</c>): the list README's config reference is checked against.
    /// </summary>
    public static IReadOnlyList<string> KeyPaths()
    {
        string[] sections = ["vxlan", "serviceProxy", "dns", "log", "adapters", "outboundNat", "firewall", "staticPool"];
        return
        [
            .. TopLevelKeys.Where(k => !sections.Contains(k, StringComparer.Ordinal)),
            .. VxlanKeys.Select(k => "vxlan." + k),
            .. ServiceProxyKeys.Select(k => "serviceProxy." + k),
            .. DnsKeys.Select(k => "dns." + k),
            .. LogKeys.Select(k => "log." + k),
            .. AdapterKeys.Select(k => "adapters[]." + k),
            .. OutboundNatKeys.Select(k => "outboundNat." + k),
            .. StaticPoolKeys.Select(k => "staticPool." + k),
            .. FirewallKeys.SelectMany(d => FirewallDirectionKeys.Where(k => k != "allow").Select(k => $"firewall.{d}.{k}")
                .Concat(FirewallRuleKeys.Select(k => $"firewall.{d}.allow[].{k}"))),
        ];
    }

    public static NodeOptions LoadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NodeConfigException(path, [$"cannot read the file: {e.Message}"]);
        }

        return Parse(text, path);
    }

    /// <summary>Parses and validates; <paramref name="source"/> names the file in error messages.</summary>
    public static NodeOptions Parse(string text, string source)
    {
        var errors = new List<string>();
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new NodeConfigException(source, [$"line {e.Start.Line}: not valid YAML/JSON: {e.Message}"]);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet throws these, not YamlException, on some malformed input (found by fuzzing: an unterminated
            // flow sequence, NUL bytes, a bad tag); they are the file's fault, not wincnid's.
            throw new NodeConfigException(source, [$"not valid YAML/JSON: {e.Message}"]);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new NodeConfigException(source, ["the file must hold one mapping of keys (mode, networkName, …)"]);
        }

        var reader = new Reader(errors);
        var map = reader.Keys(root, "", TopLevelKeys);
        var defaults = new NodeOptions();

        var options = new NodeOptions
        {
            Mode = reader.Enum(map, "mode", [.. System.Enum.GetValues<NetworkMode>().Select(m => m.ConfigName())]) is { } modeName
                ? NetworkModeRules.Parse(modeName)
                : defaults.Mode,
            NetworkName = reader.String(map, "networkName") ?? defaults.NetworkName,
            ClusterCidrs = reader.Cidrs(map, "clusterCIDRs"),
            ServiceCidrs = reader.Cidrs(map, "serviceCIDRs"),
            PodCidrs = reader.Cidrs(map, "podCIDRs"),
            NodeIp = reader.Address(map, "nodeIP"),
            AdapterName = reader.String(map, "adapterName"),
            Mtu = reader.Int(map, "mtu", 576, 9216) ?? defaults.Mtu,
            StateDir = reader.String(map, "stateDir") ?? defaults.StateDir,
            Socket = reader.String(map, "socket") ?? defaults.Socket,
            HealthAddress = reader.Endpoint(map, "healthAddress") ?? defaults.HealthAddress,
            IpQuarantine = reader.Int(map, "ipQuarantineSeconds", 0, 3600) is { } seconds
                ? TimeSpan.FromSeconds(seconds)
                : defaults.IpQuarantine,
            EventGracePeriod = reader.Int(map, "eventGracePeriodSeconds", 0, 3600) is { } grace
                ? TimeSpan.FromSeconds(grace)
                : defaults.EventGracePeriod,
            MaxConcurrentHcnCalls = reader.Int(map, "maxConcurrentHcnCalls", 1, 256) ?? defaults.MaxConcurrentHcnCalls,
        };

        if (reader.Mapping(map, "vxlan") is { } vxlanNode)
        {
            var vxlan = reader.Keys(vxlanNode, "vxlan.", VxlanKeys);
            options = options with
            {
                Vxlan = new VxlanOptions
                {
                    Vni = reader.Vni(vxlan) ?? VxlanOptions.MinimumVni,
                    Port = reader.Int(vxlan, "port", 1, 65535, "vxlan.") ?? new VxlanOptions().Port,
                },
            };
        }

        if (reader.Mapping(map, "staticPool") is { } poolNode)
        {
            const string Prefix = "staticPool.";
            var pool = reader.Keys(poolNode, Prefix, StaticPoolKeys);
            var subnet = reader.CidrValue(pool, "subnet", Prefix);
            var gateway = reader.Address(pool, "gateway", Prefix);
            var start = reader.Address(pool, "rangeStart", Prefix);
            var end = reader.Address(pool, "rangeEnd", Prefix);
            foreach (var missing in StaticPoolKeys.Where(k => !pool.ContainsKey(k)))
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"line {poolNode.Start.Line}: {Prefix}{missing}: required"));
            }

            if (subnet is { } poolSubnet && gateway is not null && start is not null && end is not null)
            {
                options = options with
                {
                    StaticPool = new StaticPoolOptions { Subnet = poolSubnet, Gateway = gateway, RangeStart = start, RangeEnd = end },
                };
            }
        }

        // The design document's top-level `dsr: true|false` is the short form of serviceProxy.dsr: on|off.
        var topLevelDsr = reader.Bool(map, "dsr") switch
        {
            true => DsrMode.On,
            false => DsrMode.Off,
            null => DsrMode.Auto,
        };
        options = options with { ServiceProxy = options.ServiceProxy with { Dsr = topLevelDsr } };
        if (map.ContainsKey("dsr") && reader.Mapping(map, "serviceProxy") is { } both && both.Children.ContainsKey(new YamlScalarNode("dsr")))
        {
            errors.Add("dsr: give either dsr or serviceProxy.dsr, not both");
        }

        if (reader.Mapping(map, "serviceProxy") is { } proxyNode)
        {
            const string Prefix = "serviceProxy.";
            var proxy = reader.Keys(proxyNode, Prefix, ServiceProxyKeys);
            var proxyDefaults = defaults.ServiceProxy;
            options = options with
            {
                ServiceProxy = new ServiceProxyOptions
                {
                    Enabled = reader.Bool(proxy, "enabled", Prefix),
                    Dsr = reader.Enum(proxy, "dsr", DsrModes, Prefix) switch
                    {
                        "on" => DsrMode.On,
                        "off" => DsrMode.Off,
                        "auto" => DsrMode.Auto,
                        _ => topLevelDsr,
                    },
                    MinSyncInterval = reader.Int(proxy, "minSyncPeriodMilliseconds", 0, 60_000, Prefix) is { } minSync
                        ? TimeSpan.FromMilliseconds(minSync)
                        : proxyDefaults.MinSyncInterval,
                    ResyncPeriod = reader.Int(proxy, "syncPeriodSeconds", 1, 3600, Prefix) is { } sync
                        ? TimeSpan.FromSeconds(sync)
                        : proxyDefaults.ResyncPeriod,
                    MaxParallelWrites = reader.Int(proxy, "maxParallelWrites", 1, 256, Prefix) ?? proxyDefaults.MaxParallelWrites,
                },
            };
        }

        if (reader.Mapping(map, "dns") is { } dnsNode)
        {
            var dns = reader.Keys(dnsNode, "dns.", DnsKeys);
            options = options with
            {
                Dns = new DnsOptions
                {
                    Nameservers = reader.Addresses(dns, "nameservers", "dns."),
                    Domain = reader.String(dns, "domain", "dns."),
                    Search = reader.Strings(dns, "search", "dns."),
                    Options = reader.Strings(dns, "options", "dns."),
                },
            };
        }

        if (reader.Mapping(map, "log") is { } logNode)
        {
            var log = reader.Keys(logNode, "log.", LogKeys);
            options = options with
            {
                Log = new LogOptions
                {
                    Level = reader.Enum(log, "level", LogLevels, "log.") ?? defaults.Log.Level,
                    Format = reader.Enum(log, "format", LogFormats, "log.") ?? defaults.Log.Format,
                },
            };
        }

        options = options with
        {
            Adapters = ReadAdapters(reader, map),
            Vlan = reader.Int(map, "vlan", 1, MaxVlan),
            OutboundNat = ReadOutboundNat(reader, map),
            Firewall = ReadFirewall(reader, map),
        };

        options = Validate(options, map, errors);
        if (errors.Count > 0)
        {
            throw new NodeConfigException(source, errors);
        }

        return options;
    }

    private static IReadOnlyList<AdapterSelector> ReadAdapters(Reader reader, Dictionary<string, YamlNode> map)
    {
        var result = new List<AdapterSelector>();
        var items = reader.Sequence(map, "adapters");
        for (var i = 0; i < items.Count; i++)
        {
            var path = string.Create(CultureInfo.InvariantCulture, $"adapters[{i}]");
            if (items[i] is not YamlMappingNode node)
            {
                reader.Fail(items[i], path, "must be a mapping with one of name, mac, subnet");
                continue;
            }

            var entry = reader.Keys(node, path + ".", AdapterKeys);
            if (entry.Count != 1)
            {
                reader.Fail(node, path, "give exactly one of name, mac, subnet");
                continue;
            }

            var selector = new AdapterSelector
            {
                Name = reader.String(entry, "name", path + "."),
                MacAddress = reader.Mac(entry, "mac", path + "."),
                Subnet = reader.CidrValue(entry, "subnet", path + "."),
            };
            if (selector.Name is not null || selector.MacAddress is not null || selector.Subnet is not null)
            {
                result.Add(selector);
            }
        }

        if (result.Count > 0 && map.ContainsKey("adapterName"))
        {
            reader.Fail(map["adapters"], "adapters", "give either adapterName or adapters, not both (adapterName X is adapters: [{name: X}])");
        }

        return result;
    }

    private static OutboundNatOptions ReadOutboundNat(Reader reader, Dictionary<string, YamlNode> map)
    {
        const string Prefix = "outboundNat.";
        if (reader.Mapping(map, "outboundNat") is not { } node)
        {
            return new OutboundNatOptions();
        }

        var nat = reader.Keys(node, Prefix, OutboundNatKeys);
        var options = new OutboundNatOptions
        {
            Enabled = reader.Bool(nat, "enabled", Prefix) ?? true,
            Exceptions = reader.Cidrs(nat, "exceptions", Prefix),
        };
        if (!options.Enabled && options.Exceptions.Count > 0)
        {
            reader.Fail(nat["exceptions"], Prefix + "exceptions", "has no effect with outboundNat.enabled: false (nothing is NATed)");
        }

        return options;
    }

    private static FirewallOptions ReadFirewall(Reader reader, Dictionary<string, YamlNode> map)
    {
        if (reader.Mapping(map, "firewall") is not { } node)
        {
            return new FirewallOptions();
        }

        var firewall = reader.Keys(node, "firewall.", FirewallKeys);
        return new FirewallOptions
        {
            Inbound = ReadFirewallDirection(reader, firewall, "inbound"),
            Outbound = ReadFirewallDirection(reader, firewall, "outbound"),
        };
    }

    private static FirewallDirectionOptions ReadFirewallDirection(Reader reader, Dictionary<string, YamlNode> firewall, string direction)
    {
        var prefix = "firewall." + direction + ".";
        if (reader.Mapping(firewall, direction, "firewall.") is not { } node)
        {
            return new FirewallDirectionOptions();
        }

        var keys = reader.Keys(node, prefix, FirewallDirectionKeys);
        var action = reader.Enum(keys, "default", FirewallActions, prefix) == "block" ? FirewallAction.Block : FirewallAction.Allow;
        var rules = new List<FirewallRule>();
        var items = reader.Sequence(keys, "allow", prefix);
        for (var i = 0; i < items.Count; i++)
        {
            var path = string.Create(CultureInfo.InvariantCulture, $"{prefix}allow[{i}]");
            if (items[i] is not YamlMappingNode ruleNode)
            {
                reader.Fail(items[i], path, "must be a mapping of remote, protocol, ports");
                continue;
            }

            var rule = reader.Keys(ruleNode, path + ".", FirewallRuleKeys);
            var protocol = reader.Enum(rule, "protocol", FirewallProtocols, path + ".");
            var ports = reader.Ports(rule, "ports", path + ".");
            if (ports.Count > 0 && protocol is not ("tcp" or "udp"))
            {
                reader.Fail(rule["ports"], path + ".ports", "ports need protocol: tcp or udp");
            }

            rules.Add(new FirewallRule { Remote = reader.Cidrs(rule, "remote", path + "."), Protocol = protocol, Ports = ports });
        }

        if (rules.Count > 0 && action == FirewallAction.Allow)
        {
            reader.Fail(keys["allow"], prefix + "allow", $"has no effect unless {prefix}default is block (everything is allowed already)");
        }

        return new FirewallDirectionOptions { Default = action, Allow = rules };
    }

    /// <summary>Rules that span keys; each error names the key and the line of the value at fault.</summary>
    private static NodeOptions Validate(NodeOptions options, Dictionary<string, YamlNode> map, List<string> errors)
    {
        // "line N: " of a key's value, or of its i-th list item (the values were parsed in order, so index i of a
        // parsed list is item i of the node).
        string At(string key, int? item = null)
        {
            if (!map.TryGetValue(key, out var node))
            {
                return string.Empty;
            }

            if (item is { } i && node is YamlSequenceNode sequence && i < sequence.Children.Count)
            {
                node = sequence.Children[i];
            }

            return string.Create(CultureInfo.InvariantCulture, $"line {node.Start.Line}: ");
        }

        string Item(string key, int i) => string.Create(CultureInfo.InvariantCulture, $"{key}[{i}]");

        if (!Cni.Spec.CniNames.IsValidIdentifier(options.NetworkName))
        {
            errors.Add($"{At("networkName")}networkName: '{options.NetworkName}' must start with a letter or digit and hold only letters, digits, '_', '.' and '-'");
        }

        if (options.Mode == NetworkMode.Overlay && options.PodCidrs.Any(c => c.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6))
        {
            errors.Add($"{At("podCIDRs")}podCIDRs: overlay networks are IPv4 only on Windows (HNS); use mode: l2bridge for dual-stack");
        }
        else if (options.PodCidrs.Where(c => !options.Mode.SupportsFamily(c.BaseAddress.AddressFamily)).Select(c => (IPNetwork?)c).FirstOrDefault() is { } unsupported)
        {
            errors.Add($"{At("podCIDRs")}podCIDRs: {unsupported} is IPv6; {options.Mode.ConfigName()} mode serves IPv4 only; use mode: l2bridge for dual-stack");
        }

        ValidateStaticPool(options, map, errors, At);
        if (options.Mode.UsesStaticPool() && options.StaticPool is { } staticPool)
        {
            // The pool's subnet is the node's one pod CIDR: IPAM, the network document and the status all follow it.
            options = options with { PodCidrs = [staticPool.Subnet] };
        }

        if (options.PodCidrs.GroupBy(c => c.BaseAddress.AddressFamily).Any(g => g.Count() > 1))
        {
            errors.Add($"{At("podCIDRs")}podCIDRs: at most one IPv4 and one IPv6 CIDR");
        }

        for (var i = 0; i < options.PodCidrs.Count; i++)
        {
            var podCidr = options.PodCidrs[i];
            // A transparent node's pool is on the physical network, not carved from the cluster CIDRs.
            if (options.ClusterCidrs.Count > 0 && !options.Mode.UsesStaticPool()
                && !options.ClusterCidrs.Any(c => c.BaseAddress.AddressFamily == podCidr.BaseAddress.AddressFamily && c.Contains(podCidr.BaseAddress) && c.PrefixLength <= podCidr.PrefixLength))
            {
                errors.Add($"{At("podCIDRs", i)}{Item("podCIDRs", i)}: {podCidr} is not inside any of clusterCIDRs ({string.Join(", ", options.ClusterCidrs)})");
            }

            foreach (var serviceCidr in options.ServiceCidrs.Where(s => Overlaps(s, podCidr)))
            {
                errors.Add($"{At("serviceCIDRs", IndexOf(options.ServiceCidrs, serviceCidr))}serviceCIDRs: {serviceCidr} overlaps podCIDRs {podCidr}");
            }

            // Too small a CIDR for the mode's reserved addresses (a /31 or /32) is the pool's own rule.
            try
            {
                _ = IpPool.Create(podCidr.ToString(), options.Mode, Item("podCIDRs", i), options.StaticPool);
            }
            catch (ArgumentException e)
            {
                errors.Add(At("podCIDRs", i) + WithoutParameterName(e));
            }

            if (options.NodeIp is { } nodeIp && podCidr.Contains(nodeIp) && !options.Mode.UsesStaticPool())
            {
                errors.Add($"{At("nodeIP")}nodeIP: {nodeIp} is inside {Item("podCIDRs", i)} {podCidr}, so the pod network would hand it to a pod; the node IP is the node's address on the underlay, outside every pod CIDR");
            }
        }

        for (var i = 0; i < options.ClusterCidrs.Count; i++)
        {
            foreach (var serviceCidr in options.ServiceCidrs.Where(s => Overlaps(s, options.ClusterCidrs[i])))
            {
                errors.Add($"{At("clusterCIDRs", i)}{Item("clusterCIDRs", i)}: {options.ClusterCidrs[i]} overlaps serviceCIDRs {serviceCidr}; pod and Service addresses must be disjoint (kube-controller-manager's --cluster-cidr and kube-apiserver's --service-cluster-ip-range)");
            }
        }

        if (options.Vlan is { } vlan && options.Mode == NetworkMode.Overlay)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{At("vlan")}vlan: {vlan} cannot apply to an overlay network: HNS takes a VLAN on l2bridge and transparent networks (an overlay isolates by VNI: vxlan.vni)"));
        }

        if (options.Mode == NetworkMode.Overlay && options.Mtu > 9216 - 50)
        {
            errors.Add($"{At("mtu")}mtu: leaves no room for the 50-byte VXLAN header");
        }

        if (string.IsNullOrWhiteSpace(options.StateDir) || !Path.IsPathFullyQualified(options.StateDir))
        {
            errors.Add($"{At("stateDir")}stateDir: '{options.StateDir}' must be an absolute path");
        }

        if (string.IsNullOrWhiteSpace(options.Socket) || !Path.IsPathFullyQualified(options.Socket))
        {
            errors.Add($"{At("socket")}socket: '{options.Socket}' must be an absolute path");
        }
        else if (SocketPathProblem(options.Socket) is { } problem)
        {
            errors.Add($"{At("socket")}socket: {problem}");
        }

        return options;
    }

    /// <summary>
    /// <c>staticPool</c> belongs to transparent mode and transparent mode needs it; the pool's own rules (range inside the
    /// subnet, gateway in it) are IpPool's and reported through the pod CIDR check. The node's address may be on the
    /// subnet (it is the physical network) but not inside the range pods take addresses from.
    /// </summary>
    private static void ValidateStaticPool(NodeOptions options, Dictionary<string, YamlNode> map, List<string> errors, Func<string, int?, string> at)
    {
        if (!options.Mode.UsesStaticPool())
        {
            if (map.ContainsKey("staticPool"))
            {
                errors.Add($"{at("staticPool", null)}staticPool: only transparent mode takes addresses from a static pool; mode is {options.Mode.ConfigName()}");
            }

            return;
        }

        if (!map.ContainsKey("staticPool"))
        {
            errors.Add($"{at("mode", null)}staticPool: transparent mode needs staticPool (subnet, gateway, rangeStart, rangeEnd): the physical network's addresses the pods may take");
            return;
        }

        if (map.ContainsKey("podCIDRs"))
        {
            errors.Add($"{at("podCIDRs", null)}podCIDRs: transparent mode takes the pods' addresses from staticPool; remove podCIDRs");
        }

        if (options.StaticPool is { } pool && pool.Subnet.BaseAddress.AddressFamily != AddressFamily.InterNetwork)
        {
            errors.Add($"{at("staticPool", null)}staticPool.subnet: {pool.Subnet} is IPv6; transparent mode serves IPv4 only");
        }

        if (options.StaticPool is { } range && options.NodeIp is { } nodeIp && InRange(nodeIp, range.RangeStart, range.RangeEnd))
        {
            errors.Add($"{at("nodeIP", null)}nodeIP: {nodeIp} is inside staticPool {range.RangeStart}-{range.RangeEnd}, so a pod could be given the node's own address; shrink the range");
        }
    }

    private static bool InRange(IPAddress address, IPAddress first, IPAddress last)
    {
        if (address.AddressFamily != first.AddressFamily || address.AddressFamily != last.AddressFamily)
        {
            return false;
        }

        var value = address.GetAddressBytes().AsSpan();
        return value.SequenceCompareTo(first.GetAddressBytes()) >= 0 && value.SequenceCompareTo(last.GetAddressBytes()) <= 0;
    }

    /// <summary>
    /// Why <paramref name="path"/> cannot be an AF_UNIX socket path (sun_path holds 108 bytes with the terminating
    /// NUL), or null.
    /// </summary>
    public static string? SocketPathProblem(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var bytes = System.Text.Encoding.UTF8.GetByteCount(path);
        return bytes > MaxSocketPathBytes
            ? string.Create(CultureInfo.InvariantCulture, $"'{path}' is {bytes} bytes, longer than the {MaxSocketPathBytes} bytes an AF_UNIX socket path may have; choose a shorter path")
            : null;
    }

    /// <summary>The longest AF_UNIX socket path: sun_path is 108 bytes on Linux, one of them the terminating NUL.</summary>
    public const int MaxSocketPathBytes = 107;

    private static int IndexOf(IReadOnlyList<IPNetwork> list, IPNetwork value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i].Equals(value))
            {
                return i;
            }
        }

        return 0;
    }

    // ArgumentException appends " (Parameter 'x')"; the IPAM messages already start with "field: ".
    private static string WithoutParameterName(ArgumentException e)
    {
        var message = e.Message;
        var suffix = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
        return suffix >= 0 ? message[..suffix] : message;
    }

    private static bool Overlaps(IPNetwork a, IPNetwork b) =>
        a.BaseAddress.AddressFamily == b.BaseAddress.AddressFamily && (a.Contains(b.BaseAddress) || b.Contains(a.BaseAddress));

    /// <summary>Typed access to YAML nodes that records, rather than throws, each problem with its path and line.</summary>
    private sealed class Reader(List<string> errors)
    {
        public Dictionary<string, YamlNode> Keys(YamlMappingNode node, string prefix, string[] known)
        {
            var result = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
            foreach (var (keyNode, value) in node.Children)
            {
                var key = (keyNode as YamlScalarNode)?.Value ?? "";
                if (!known.Contains(key, StringComparer.Ordinal))
                {
                    var hint = known.FirstOrDefault(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase));
                    errors.Add(string.Create(
                        CultureInfo.InvariantCulture,
                        $"line {keyNode.Start.Line}: unknown key '{prefix}{key}'{(hint is null ? "" : $" (did you mean '{prefix}{hint}'?)")}; known keys: {string.Join(", ", known)}"));
                    continue;
                }

                if (!result.TryAdd(key, value))
                {
                    errors.Add(string.Create(CultureInfo.InvariantCulture, $"line {keyNode.Start.Line}: key '{prefix}{key}' appears twice"));
                }
            }

            return result;
        }

        public YamlMappingNode? Mapping(Dictionary<string, YamlNode> map, string key, string prefix = "")
        {
            if (!map.TryGetValue(key, out var node) || IsNull(node))
            {
                return null;
            }

            if (node is YamlMappingNode mapping)
            {
                return mapping;
            }

            Error(node, prefix + key, "must be a mapping of keys");
            return null;
        }

        public string? String(Dictionary<string, YamlNode> map, string key, string prefix = "")
        {
            if (!map.TryGetValue(key, out var node) || IsNull(node))
            {
                return null;
            }

            if (node is YamlScalarNode { Value: { } value })
            {
                return value;
            }

            Error(node, prefix + key, "must be a single value");
            return null;
        }

        public string? Enum(Dictionary<string, YamlNode> map, string key, string[] allowed, string prefix = "")
        {
            var value = String(map, key, prefix);
            if (value is null || allowed.Contains(value, StringComparer.Ordinal))
            {
                return value;
            }

            Error(map[key], prefix + key, $"'{value}' is not one of {string.Join(", ", allowed)}");
            return null;
        }

        public int? Int(Dictionary<string, YamlNode> map, string key, int min, int max, string prefix = "")
        {
            var value = String(map, key, prefix);
            if (value is null)
            {
                return null;
            }

            if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
            {
                Error(map[key], prefix + key, $"'{value}' is not a whole number");
                return null;
            }

            if (number < min || number > max)
            {
                Error(map[key], prefix + key, string.Create(CultureInfo.InvariantCulture, $"{number} is outside {min}..{max}"));
                return null;
            }

            return number;
        }

        /// <summary>
        /// <c>vxlan.vni</c>: 4096..65535. VXLAN allows 24 bits, but a RemoteSubnetRoute's IsolationId is 16 bits in
        /// hcsshim (hcn/hcnpolicy.go) and in kube-proxy's winkernel parser, and flannel's Windows lease VNI is a uint16.
        /// </summary>
        public int? Vni(Dictionary<string, YamlNode> vxlan)
        {
            var vni = Int(vxlan, "vni", VxlanOptions.MinimumVni, 16_777_215, "vxlan.");
            if (vni > VxlanOptions.MaximumVni)
            {
                Error(vxlan["vni"], "vxlan.vni", string.Create(CultureInfo.InvariantCulture,
                    $"{vni} is above {VxlanOptions.MaximumVni}: HNS keeps a RemoteSubnetRoute's IsolationId in 16 bits (hcsshim hcn/hcnpolicy.go), so do kube-proxy's winkernel and flannel on Windows; a larger VNI breaks peer routes and the service proxy"));
                return null;
            }

            return vni;
        }

        public bool? Bool(Dictionary<string, YamlNode> map, string key, string prefix = "")
        {
            var value = String(map, key, prefix);
            if (value is null)
            {
                return null;
            }

            if (bool.TryParse(value, out var flag))
            {
                return flag;
            }

            Error(map[key], prefix + key, $"'{value}' is not true or false");
            return null;
        }

        public IPAddress? Address(Dictionary<string, YamlNode> map, string key, string prefix = "")
        {
            var value = String(map, key, prefix);
            if (value is null)
            {
                return null;
            }

            if (IPAddress.TryParse(value, out var address) && !value.Contains('/', StringComparison.Ordinal))
            {
                return address;
            }

            Error(map[key], prefix + key, $"'{value}' is not an IP address");
            return null;
        }

        public string? Endpoint(Dictionary<string, YamlNode> map, string key, string prefix = "")
        {
            var value = String(map, key, prefix);
            if (value is null)
            {
                return null;
            }

            if (IPEndPoint.TryParse(value, out var endpoint) && endpoint.Port != 0)
            {
                return value;
            }

            Error(map[key], prefix + key, $"'{value}' is not an address:port such as 127.0.0.1:9872");
            return null;
        }

        public IReadOnlyList<string> Strings(Dictionary<string, YamlNode> map, string key, string prefix = "")
        {
            if (!map.TryGetValue(key, out var node) || IsNull(node))
            {
                return [];
            }

            if (node is not YamlSequenceNode sequence)
            {
                Error(node, prefix + key, "must be a list");
                return [];
            }

            var result = new List<string>();
            for (var i = 0; i < sequence.Children.Count; i++)
            {
                if (sequence.Children[i] is YamlScalarNode { Value: { } value })
                {
                    result.Add(value);
                }
                else
                {
                    Error(sequence.Children[i], string.Create(CultureInfo.InvariantCulture, $"{prefix}{key}[{i}]"), "must be a single value");
                }
            }

            return result;
        }

        public IReadOnlyList<IPNetwork> Cidrs(Dictionary<string, YamlNode> map, string key, string prefix = "")
        {
            var result = new List<IPNetwork>();
            var values = Strings(map, key, prefix);
            for (var i = 0; i < values.Count; i++)
            {
                // 10.244.1.5/24 is a typo, not a CIDR. This runtime's IPNetwork.TryParse masks host bits instead of
                // rejecting them, so the written address must equal the network address.
                var slash = values[i].IndexOf('/', StringComparison.Ordinal);
                if (slash > 0 && IPNetwork.TryParse(values[i], out var cidr)
                    && IPAddress.TryParse(values[i].AsSpan(0, slash), out var written) && written.Equals(cidr.BaseAddress))
                {
                    result.Add(cidr);
                }
                else
                {
                    Error(((YamlSequenceNode)map[key]).Children[i], string.Create(CultureInfo.InvariantCulture, $"{prefix}{key}[{i}]"), $"'{values[i]}' is not a CIDR (address/prefix with no host bits set)");
                }
            }

            return result;
        }

        public IReadOnlyList<string> Addresses(Dictionary<string, YamlNode> map, string key, string prefix = "")
        {
            var values = Strings(map, key, prefix);
            for (var i = 0; i < values.Count; i++)
            {
                if (!IPAddress.TryParse(values[i], out _))
                {
                    Error(((YamlSequenceNode)map[key]).Children[i], string.Create(CultureInfo.InvariantCulture, $"{prefix}{key}[{i}]"), $"'{values[i]}' is not an IP address");
                }
            }

            return values;
        }

        /// <summary>The items of a list value (an absent or null key: none).</summary>
        public IReadOnlyList<YamlNode> Sequence(Dictionary<string, YamlNode> map, string key, string prefix = "")
        {
            if (!map.TryGetValue(key, out var node) || IsNull(node))
            {
                return [];
            }

            if (node is YamlSequenceNode sequence)
            {
                return [.. sequence.Children];
            }

            Error(node, prefix + key, "must be a list");
            return [];
        }

        public IPNetwork? CidrValue(Dictionary<string, YamlNode> map, string key, string prefix = "")
        {
            var value = String(map, key, prefix);
            if (value is null)
            {
                return null;
            }

            var slash = value.IndexOf('/', StringComparison.Ordinal);
            if (slash > 0 && IPNetwork.TryParse(value, out var cidr)
                && IPAddress.TryParse(value.AsSpan(0, slash), out var written) && written.Equals(cidr.BaseAddress))
            {
                return cidr;
            }

            Error(map[key], prefix + key, $"'{value}' is not a CIDR (address/prefix with no host bits set)");
            return null;
        }

        public System.Net.NetworkInformation.PhysicalAddress? Mac(Dictionary<string, YamlNode> map, string key, string prefix = "")
        {
            var value = String(map, key, prefix);
            if (value is null)
            {
                return null;
            }

            // 6 bytes as xx-xx-… or xx:xx:… (Get-NetAdapter and ip link print these two forms).
            var hex = value.Replace(':', '-');
            if (hex.Length == 17 && System.Net.NetworkInformation.PhysicalAddress.TryParse(hex, out var mac))
            {
                return mac;
            }

            Error(map[key], prefix + key, $"'{value}' is not a MAC address such as 00-15-5D-01-02-03");
            return null;
        }

        public IReadOnlyList<int> Ports(Dictionary<string, YamlNode> map, string key, string prefix = "")
        {
            var result = new List<int>();
            var values = Strings(map, key, prefix);
            for (var i = 0; i < values.Count; i++)
            {
                if (int.TryParse(values[i], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535)
                {
                    result.Add(port);
                }
                else
                {
                    Error(((YamlSequenceNode)map[key]).Children[i], string.Create(CultureInfo.InvariantCulture, $"{prefix}{key}[{i}]"), $"'{values[i]}' is not a port (1-65535)");
                }
            }

            return result;
        }

        public void Fail(YamlNode node, string path, string message) => Error(node, path, message);

        private static bool IsNull(YamlNode node) =>
            node is YamlScalarNode { Value: null or "" or "~" or "null", Style: ScalarStyle.Plain };

        private void Error(YamlNode node, string path, string message) =>
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"line {node.Start.Line}: {path}: {message}"));
    }
}
