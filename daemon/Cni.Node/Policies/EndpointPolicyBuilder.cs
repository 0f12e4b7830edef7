using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Cni.Hcn.Model.Policies;
using ProtocolType = Cni.Hcn.Model.Policies.ProtocolType;
using Cni.Node.Configuration;

namespace Cni.Node.Policies;

/// <summary>
/// Derives a pod endpoint's HCN policies from <see cref="EndpointPolicyInputs"/>. Pure: same inputs, same list, in
/// a fixed order (OutBoundNAT, SDNRoutes, ProviderAddress, loopback DSR, PortMappings, VLAN, ACLs, PortName).
/// </summary>
/// <remarks>
/// The rules, and which peer they come from (WCN = microsoft/windows-container-networking sdnbridge/sdnoverlay and
/// their example configs; CNP = containernetworking/plugins win-bridge/win-overlay; flannel = flannel-io/flannel):
/// <list type="bullet">
/// <item><b>OutBoundNAT</b> per pod address family, with <c>Exceptions</c> = cluster CIDRs + service CIDRs of that
/// family + the node IP as a /32 (/128). This is the list WCN's examples and flannel's deployments use (pod CIDR +
/// service CIDR + node subnet); the host's subnet length is not known here, so the node itself stands in for it: pod →
/// node traffic (kubelet, host services) keeps the pod's address. The IPv6 policy carries <c>Flags: IPv6</c> (NatFlags
/// 2, as SDN-psm1 sends it). Only on L2Bridge and Overlay: a NAT network's WinNAT translates its whole subnet (no endpoint policy, as the WCN nat
/// plugin adds none), Transparent pods are never NATed, L2Tunnel's NAT is Azure's.</item>
/// <item><b>SDNRoute to each service CIDR</b> with <c>NeedEncap: true</c>, on L2Bridge, Overlay and NAT: service traffic is handed to
/// the host's service proxy (WCN's sdnbridge and sdnoverlay examples; CNP win-overlay). Transparent and L2Tunnel pods
/// route through the physical network's gateway instead (<see cref="NetworkModeRules.RoutesServicesToHost"/>).</item>
/// <item><b>L2Bridge: SDNRoute to the node IP /32</b> with <c>NeedEncap: true</c> (WCN's sdnbridge host-gw example):
/// on an L2Bridge the node's own address is otherwise switched out of the NIC and never reaches the host.</item>
/// <item><b>Overlay: ProviderAddress = node IP</b> (WCN sdnoverlay with flannel needs it written by hand, WCN issue
/// #38): the VXLAN underlay address.</item>
/// <item><b>Loopback DSR</b> when DSR is on: OutBoundNAT <c>{Destinations:[podIP]}</c> per family (WCN
/// <c>loopbackDSR</c>, CNP <c>loopbackDSR</c>; calico#5523), so a pod reaching its own Service through a DSR load
/// balancer is NATed and the reply comes back. HCN's OutBoundNAT settings have no NeedEncap member; the
/// Destinations form is the whole policy.</item>
/// <item><b>PortMapping</b> per <c>runtimeConfig.portMappings</c> entry: TCP 6 / UDP 17, <c>VIP</c> = hostIP when
/// given. Dual-stack without a hostIP gets a second mapping with <c>Flags: IPv6</c> (WCN <c>enableDualStack</c>). SCTP
/// and out-of-range ports are errors naming the entry, never skipped silently (CNP silently drops mappings with an
/// unknown protocol).</item>
/// <item><b>OutBoundNAT off</b> (<c>outboundNat.enabled: false</c>): no OutBoundNAT policy at all, as docker's
/// <c>enable_outboundnat=false</c> on an l2bridge network; extra <c>outboundNat.exceptions</c> join the list above.</item>
/// <item><b>VLAN</b> endpoint policy <c>{IsolationId}</c> for an endpoint VLAN (CNI_ARGS <c>VLAN</c>; HNS schema 2.4
/// <c>VlanPolicySetting</c>); the network's own VLAN is its subnets' VLAN policy, which every endpoint inherits.</item>
/// <item><b>ACL</b> for a firewall direction whose default is block: each allow-list entry an Allow ACL at
/// <see cref="AclAllowPriority"/> (WCN cni/cni.go <c>getInACLRule</c> gives its port-mapping Allow ACLs priority
/// 1000), then one Block ACL of every protocol at <see cref="AclDefaultPriority"/>, the lowest precedence (HNS
/// evaluates lower priorities first). All with <c>RuleType: Switch</c> (VFP, hcsshim hcn/hcnutils_test.go
/// <c>HcnCreateAcls</c>). Inbound block also allows the node IP (kubelet's probes come from it) and every port
/// mapping's container port (WCN's <c>allowAclPortMapping</c>), so hostPorts and probes keep working.</item>
/// <item><b>PortName</b> = CNI_IFNAME, only when <see cref="EndpointPolicyInputs.InterfaceName"/> is given (the kernel
/// dataplane, which names the pod's interface after it). Never on HNS: there PortName names the vSwitch port (hcsshim
/// hcn/hcnpolicy.go <c>PortnameEndpointPolicySetting</c>, "sets the port name for an endpoint"), the container's vNIC
/// is named by Windows, and WCN puts CNI_IFNAME only into the result (cni/cni.go <c>GetCurrResult</c>).</item>
/// </list>
/// </remarks>
public static class EndpointPolicyBuilder
{
    /// <summary>The priority of allow-list ACLs (WCN's port-mapping Allow ACLs use 1000).</summary>
    public const ushort AclAllowPriority = 1000;

    /// <summary>The priority of a direction's default Block ACL: evaluated after every allow entry.</summary>
    public const ushort AclDefaultPriority = 65000;

    /// <summary>Builds the policies.</summary>
    /// <returns>The policies, in a deterministic order.</returns>
    /// <exception cref="EndpointPolicyException">An input is unusable; the exception names the field.</exception>
    public static IReadOnlyList<EndpointPolicy> Build(EndpointPolicyInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        Validate(inputs);

        var policies = new List<EndpointPolicy>();
        var families = inputs.PodAddresses.Select(a => a.AddressFamily).Distinct().ToList();

        foreach (var family in inputs.OutboundNat.Enabled && inputs.Mode.UsesOutboundNatPolicy() ? families : [])
        {
            var exceptions = inputs.ClusterCidrs.Where(c => Family(c) == family)
                .Concat(inputs.ServiceCidrs.Where(c => Family(c) == family))
                .Concat(inputs.OutboundNat.Exceptions.Where(c => Family(c) == family))
                .Select(c => c.ToString())
                .ToList();
            if (inputs.NodeIp is { } node && node.AddressFamily == family)
            {
                exceptions.Add(HostPrefix(node));
            }

            policies.Add(EndpointPolicy.Create(new OutboundNatPolicySetting
            {
                Exceptions = Distinct(exceptions),
                Flags = family == AddressFamily.InterNetworkV6 ? NatFlags.IPv6 : NatFlags.None,
            }));
        }

        foreach (var service in inputs.ServiceCidrs.Where(c => inputs.Mode.RoutesServicesToHost() && families.Contains(Family(c))))
        {
            policies.Add(EndpointPolicy.Create(new SdnRoutePolicySetting { DestinationPrefix = service.ToString(), NeedEncap = true }));
        }

        if (inputs.Mode == NetworkMode.L2Bridge && inputs.NodeIp is { } bridgeNode && families.Contains(bridgeNode.AddressFamily))
        {
            policies.Add(EndpointPolicy.Create(new SdnRoutePolicySetting { DestinationPrefix = HostPrefix(bridgeNode), NeedEncap = true }));
        }

        if (inputs.Mode == NetworkMode.Overlay && inputs.NodeIp is { } overlayNode)
        {
            policies.Add(EndpointPolicy.Create(new ProviderAddressPolicySetting { ProviderAddress = overlayNode.ToString() }));
        }

        if (inputs.Dsr)
        {
            foreach (var address in inputs.PodAddresses)
            {
                policies.Add(EndpointPolicy.Create(new OutboundNatPolicySetting
                {
                    Destinations = [address.ToString()],
                    Flags = address.AddressFamily == AddressFamily.InterNetworkV6 ? NatFlags.IPv6 : NatFlags.None,
                }));
            }
        }

        for (var i = 0; i < inputs.PortMappings.Count; i++)
        {
            AddPortMappings(policies, inputs.PortMappings[i], i, families);
        }

        if (inputs.Vlan is { } vlan)
        {
            policies.Add(EndpointPolicy.Create(new VlanPolicySetting { IsolationId = (uint)vlan }));
        }

        AddAcls(policies, inputs, DirectionType.In, inputs.Firewall.Inbound, families);
        AddAcls(policies, inputs, DirectionType.Out, inputs.Firewall.Outbound, families);

        if (!string.IsNullOrEmpty(inputs.InterfaceName))
        {
            policies.Add(EndpointPolicy.Create(new PortNamePolicySetting { Name = inputs.InterfaceName }));
        }

        return policies;
    }

    private static void AddAcls(List<EndpointPolicy> policies, EndpointPolicyInputs inputs, DirectionType direction, FirewallDirectionOptions options, List<AddressFamily> families)
    {
        if (options.Default != FirewallAction.Block)
        {
            return;
        }

        var inbound = direction == DirectionType.In;
        foreach (var rule in options.Allow)
        {
            var remote = rule.Remote.Count == 0 ? null : string.Join(',', rule.Remote.Select(r => r.ToString()));
            var ports = rule.Ports.Count == 0 ? null : string.Join(',', rule.Ports.Select(p => p.ToString(CultureInfo.InvariantCulture)));
            foreach (var protocols in AclProtocols(rule.Protocol, families))
            {
                policies.Add(EndpointPolicy.Create(new AclPolicySetting
                {
                    Action = ActionType.Allow,
                    Direction = direction,
                    Protocols = protocols,
                    RemoteAddresses = remote,
                    LocalPorts = inbound ? ports : null,
                    RemotePorts = inbound ? null : ports,
                    RuleType = RuleType.Switch,
                    Priority = AclAllowPriority,
                }));
            }
        }

        if (inbound)
        {
            if (inputs.NodeIp is { } node && families.Contains(node.AddressFamily))
            {
                policies.Add(EndpointPolicy.Create(new AclPolicySetting
                {
                    Action = ActionType.Allow, Direction = direction, RemoteAddresses = HostPrefix(node), RuleType = RuleType.Switch, Priority = AclAllowPriority,
                }));
            }

            foreach (var mapping in inputs.PortMappings)
            {
                policies.Add(EndpointPolicy.Create(new AclPolicySetting
                {
                    Action = ActionType.Allow,
                    Direction = direction,
                    Protocols = string.Equals(mapping.Protocol, "udp", StringComparison.OrdinalIgnoreCase) ? "17" : "6",
                    LocalPorts = mapping.ContainerPort.ToString(CultureInfo.InvariantCulture),
                    RuleType = RuleType.Switch,
                    Priority = AclAllowPriority,
                }));
            }
        }

        policies.Add(EndpointPolicy.Create(new AclPolicySetting
        {
            Action = ActionType.Block, Direction = direction, RuleType = RuleType.Switch, Priority = AclDefaultPriority,
        }));
    }

    /// <summary>HCN ACL <c>Protocols</c> values for a config protocol: null for any; ICMP is 1 on IPv4 and 58 on IPv6.</summary>
    private static List<string?> AclProtocols(string? protocol, List<AddressFamily> families) => protocol switch
    {
        "tcp" => ["6"],
        "udp" => ["17"],
        "icmp" => [.. families.Select(f => f == AddressFamily.InterNetworkV6 ? "58" : "1")],
        _ => [null],
    };

    private static void Validate(EndpointPolicyInputs inputs)
    {
        if (inputs.PodAddresses is null || inputs.PodAddresses.Count == 0)
        {
            throw new EndpointPolicyException("podAddresses", "at least one pod address is required");
        }

        if (inputs.PodAddresses.Select(a => a.AddressFamily).Distinct().Count() != inputs.PodAddresses.Count)
        {
            throw new EndpointPolicyException("podAddresses", "at most one address per family is allowed");
        }

        if (inputs.Vlan is < 1 or > 4094)
        {
            throw new EndpointPolicyException("CNI_ARGS VLAN", string.Create(CultureInfo.InvariantCulture, $"{inputs.Vlan} is outside 1-4094"));
        }

        foreach (var address in inputs.PodAddresses)
        {
            if (!inputs.Mode.SupportsFamily(address.AddressFamily))
            {
                throw new EndpointPolicyException("podAddresses", $"{address} is IPv6, which {inputs.Mode.ConfigName()} mode does not support");
            }
        }
    }

    /// <summary>
    /// Checks <c>runtimeConfig.portMappings</c> against the address families the pod will get, before anything is
    /// allocated: ADD refuses a bad mapping (naming its field) without leasing an address first.
    /// </summary>
    /// <param name="mappings">The requested port mappings.</param>
    /// <param name="podFamilies">The address families the pod's addresses will have.</param>
    /// <exception cref="EndpointPolicyException">A mapping is unusable; the exception names the field.</exception>
    public static void ValidatePortMappings(IReadOnlyList<Spec.Capabilities.PortMapping> mappings, IReadOnlyCollection<AddressFamily> podFamilies)
    {
        ArgumentNullException.ThrowIfNull(mappings);
        ArgumentNullException.ThrowIfNull(podFamilies);
        for (var i = 0; i < mappings.Count; i++)
        {
            _ = ReadPortMapping(mappings[i], i, podFamilies);
        }
    }

    private static void AddPortMappings(List<EndpointPolicy> policies, Spec.Capabilities.PortMapping mapping, int index, List<AddressFamily> families)
    {
        var (protocol, hostPort, containerPort, hostIp) = ReadPortMapping(mapping, index, families);

        // An unspecified host IP means "every address"; HCN takes that as no VIP.
        var vip = hostIp is null || hostIp.Equals(IPAddress.Any) || hostIp.Equals(IPAddress.IPv6Any) ? null : hostIp.ToString();
        var mappedFamilies = hostIp is null ? families : [hostIp.AddressFamily];
        foreach (var family in mappedFamilies)
        {
            policies.Add(EndpointPolicy.Create(new PortMappingPolicySetting
            {
                Protocol = protocol,
                InternalPort = containerPort,
                ExternalPort = hostPort,
                Vip = vip,
                Flags = family == AddressFamily.InterNetworkV6 ? NatFlags.IPv6 : NatFlags.None,
            }));
        }
    }

    private static (ProtocolType Protocol, ushort HostPort, ushort ContainerPort, IPAddress? HostIp) ReadPortMapping(
        Spec.Capabilities.PortMapping mapping, int index, IReadOnlyCollection<AddressFamily> families)
    {
        var field = string.Create(CultureInfo.InvariantCulture, $"runtimeConfig.portMappings[{index}]");
        var protocol = mapping.Protocol?.ToUpperInvariant() switch
        {
            null or "" or "TCP" => ProtocolType.Tcp,
            "UDP" => ProtocolType.Udp,
            _ => throw new EndpointPolicyException(field + ".protocol", $"'{mapping.Protocol}' is not supported by HCN port mappings; use tcp or udp"),
        };
        var hostPort = Port(mapping.HostPort, field + ".hostPort");
        var containerPort = Port(mapping.ContainerPort, field + ".containerPort");

        IPAddress? hostIp = null;
        if (!string.IsNullOrEmpty(mapping.HostIp))
        {
            if (!IPAddress.TryParse(mapping.HostIp, out hostIp))
            {
                throw new EndpointPolicyException(field + ".hostIP", $"'{mapping.HostIp}' is not an IP address");
            }

            if (!families.Contains(hostIp.AddressFamily))
            {
                throw new EndpointPolicyException(field + ".hostIP", $"{hostIp} is {FamilyName(hostIp.AddressFamily)}, but the pod has no {FamilyName(hostIp.AddressFamily)} address");
            }
        }

        return (protocol, hostPort, containerPort, hostIp);
    }

    private static ushort Port(int value, string field) =>
        value is >= 1 and <= ushort.MaxValue
            ? (ushort)value
            : throw new EndpointPolicyException(field, string.Create(CultureInfo.InvariantCulture, $"{value} is not a port; expected 1 to 65535"));

    private static AddressFamily Family(IPNetwork network) => network.BaseAddress.AddressFamily;

    private static string FamilyName(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4";

    private static string HostPrefix(IPAddress address) =>
        string.Create(CultureInfo.InvariantCulture, $"{address}/{(address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32)}");

    private static List<string> Distinct(List<string> values) => [.. values.Distinct(StringComparer.Ordinal)];
}
