using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;
using Cni.Node.Configuration;
using Cni.Node.Ipam;

namespace Cni.Node.Networks;

/// <summary>
/// The node's HCN network as the config asks for it (deterministic: same config, same document), and the comparison
/// that decides whether an existing network can be adopted.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>L2Bridge: one Static subnet per pod CIDR with a default route via the subnet gateway
/// (<c>.1</c>); NetAdapterName when <c>adapterName</c> is set; with <c>vlan</c> a VLAN policy on each subnet (hcsshim
/// hcn/hcnnetwork.go <c>SubnetPolicy</c>; docker's <c>com.docker.network.windowsshim.vlanid</c>), so every endpoint
/// is in that VLAN.</item>
/// <item>Several adapters (<c>adapters</c>): one NetAdapterName policy per adapter, in config order, for a Switch
/// Embedded Teaming team (Microsoft's container networking docs, "advanced network options": SET is several adapter
/// names for one network).</item>
/// <item>Overlay: the document flannel's Windows VXLAN backend creates (flannel-io/flannel
/// pkg/backend/vxlan/device_windows.go): the subnet with its default route and a VSID policy = <c>vxlan.vni</c>, and
/// NetAdapterName when set; nothing else. HNS adds the ProviderAddress and the DrMacAddress itself, and the bootstrap
/// waits for the former and reads the latter back (<see cref="PodNetwork"/>); HostRoute comes afterwards by a modify
/// that may fail, as flannel does. VxlanPort is added only for a <c>vxlan.port</c> other than 4789, which flannel
/// refuses on Windows altogether.</item>
/// <item>NAT: <c>Type: "NAT"</c> with the pod CIDR as its one Static subnet and a default route via <c>.1</c>, the
/// gateway HNS gives the host's vNIC of a NAT network (windows-container-networking test/utilities
/// <c>GetDefaultIpams</c>, the network of plugins/nat/nat_windows_test.go); no adapter (a NAT network is internal), no
/// OutBoundNAT: WinNAT translates the subnet.</item>
/// <item>Transparent: <c>Type: "Transparent"</c>, the static pool's subnet with a default route via the physical
/// gateway, NetAdapterName = <c>adapterName</c> (the external vSwitch's adapter; HNS picks one when absent).</item>
/// <item>L2Tunnel: <c>Type: "L2Tunnel"</c>, otherwise L2Bridge's document (subnet, default route via <c>.1</c>,
/// NetAdapterName); HNS hands its packets to Azure's host networking, so nothing beyond the document is needed here.</item>
/// <item>Not EnableNonPersistent (flannel sets it): wincnid adopts the network after a restart instead of rebuilding
/// it under running pods.</item>
/// </list>
/// </remarks>
public static class PodNetworkSpec
{
    /// <summary>The VXLAN port HNS uses when the network has no VxlanPort policy (IANA's, flannel's default).</summary>
    public const int DefaultVxlanPort = 4789;

    /// <summary>The desired network.</summary>
    /// <param name="options">The node config.</param>
    /// <param name="node">The node's pod CIDRs and address.</param>
    /// <returns>The network document to create.</returns>
    /// <exception cref="ArgumentException">A pod CIDR does not suit the mode (names <c>podCIDRs[i]</c>).</exception>
    /// <param name="adapterNames">The adapters (<see cref="AdapterSelection.Resolve"/>); null: <c>adapterName</c>.</param>
    public static HostComputeNetwork Build(NodeOptions options, NodeAddressing node, IReadOnlyList<string>? adapterNames = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(node);
        var overlay = options.Mode == NetworkMode.Overlay;
        var subnets = new List<Subnet>();
        for (var i = 0; i < node.PodCidrs.Count; i++)
        {
            var pool = IpPool.Create(node.PodCidrs[i].ToString(), options.Mode, string.Create(CultureInfo.InvariantCulture, $"podCIDRs[{i}]"), options.StaticPool);
            subnets.Add(new Subnet
            {
                IpAddressPrefix = pool.Cidr.ToString(),
                Policies = overlay ? [SubnetPolicy.Create(new VsidPolicySetting { IsolationId = (uint)options.Vxlan.Vni })]
                    : options.Vlan is { } vlan ? [SubnetPolicy.Create(new VlanPolicySetting { IsolationId = (uint)vlan })]
                    : null,
                Routes = [new Route { NextHop = pool.Gateway.ToString(), DestinationPrefix = DefaultRoute(pool.Family) }],
            });
        }

        var policies = new List<NetworkPolicy>();
        // A NAT network is internal: no adapter is bound to it, whatever the config names.
        IReadOnlyList<string> adapters = options.Mode == NetworkMode.Nat ? []
            : adapterNames ?? (string.IsNullOrEmpty(options.AdapterName) ? [] : [options.AdapterName]);
        foreach (var adapter in adapters)
        {
            policies.Add(NetworkPolicy.Create(new NetAdapterNamePolicySetting { NetworkAdapterName = adapter }));
        }

        if (overlay && options.Vxlan.Port != DefaultVxlanPort)
        {
            // A departure from flannel (which refuses any other port on Windows): asked for explicitly, gated on HNS 10.3.
            policies.Add(NetworkPolicy.Create(new VxlanPortPolicySetting { Port = (ushort)options.Vxlan.Port }));
        }

        return new HostComputeNetwork
        {
            Name = options.NetworkName,
            Type = TypeOf(options.Mode),
            Policies = policies.Count == 0 ? null : policies,
            Ipams = [new Hcn.Model.Ipam { Type = IpamType.Static, Subnets = subnets }],
        };
    }

    /// <summary>
    /// How <paramref name="actual"/> differs from <paramref name="desired"/> in what matters to pods: type, subnets,
    /// gateways, VNI, VXLAN port and adapter. What HNS assigns (ID, MAC pool, DrMacAddress, ProviderAddress, HostRoute)
    /// is not a difference.
    /// </summary>
    /// <param name="desired">From <see cref="Build"/>.</param>
    /// <param name="actual">As HNS reports it.</param>
    /// <returns>The differences; empty when the network can be adopted.</returns>
    public static IReadOnlyList<NetworkDifference> Compare(HostComputeNetwork desired, HostComputeNetwork actual)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(actual);
        var differences = new List<NetworkDifference>();
        if (desired.Type != actual.Type)
        {
            differences.Add(new("mode", desired.Type.ToString(), actual.Type.ToString()));
        }

        var desiredSubnets = Subnets(desired);
        var actualSubnets = Subnets(actual);
        var desiredPrefixes = desiredSubnets.Select(s => Normalize(s.IpAddressPrefix)).Order(StringComparer.Ordinal).ToList();
        var actualPrefixes = actualSubnets.Select(s => Normalize(s.IpAddressPrefix)).Order(StringComparer.Ordinal).ToList();
        if (!desiredPrefixes.SequenceEqual(actualPrefixes, StringComparer.Ordinal))
        {
            differences.Add(new("podCIDRs", List(desiredPrefixes), List(actualPrefixes)));
        }

        foreach (var want in desiredSubnets)
        {
            var have = actualSubnets.FirstOrDefault(s => Normalize(s.IpAddressPrefix) == Normalize(want.IpAddressPrefix));
            if (have is null)
            {
                continue;
            }

            var wantGateway = Gateway(want);
            var haveGateway = Gateway(have);
            if (!string.Equals(wantGateway, haveGateway, StringComparison.OrdinalIgnoreCase))
            {
                differences.Add(new($"podCIDRs ({want.IpAddressPrefix} gateway)", wantGateway ?? "none", haveGateway ?? "none"));
            }

            var wantVlan = Vlan(want);
            var haveVlan = Vlan(have);
            if (wantVlan != haveVlan)
            {
                differences.Add(new("vlan", Text(wantVlan), Text(haveVlan)));
            }

            var wantVsid = Vsid(want);
            var haveVsid = Vsid(have);
            if (wantVsid != haveVsid)
            {
                differences.Add(new("vxlan.vni", Text(wantVsid), Text(haveVsid)));
            }
        }

        if (desired.Type == NetworkType.Overlay)
        {
            // HNS reports the default port as the policy or not at all.
            var wantPort = Setting<VxlanPortPolicySetting>(desired)?.Port ?? DefaultVxlanPort;
            var havePort = Setting<VxlanPortPolicySetting>(actual)?.Port ?? DefaultVxlanPort;
            if (wantPort != havePort)
            {
                differences.Add(new("vxlan.port", Text(wantPort), Text(havePort)));
            }
        }

        var wantAdapters = Adapters(desired);
        if (wantAdapters.Count > 0)
        {
            var haveAdapters = Adapters(actual);
            if (!wantAdapters.SequenceEqual(haveAdapters, StringComparer.OrdinalIgnoreCase))
            {
                differences.Add(new(wantAdapters.Count == 1 ? "adapterName" : "adapters", string.Join(", ", wantAdapters), haveAdapters.Count == 0 ? "none" : string.Join(", ", haveAdapters)));
            }
        }

        return differences;
    }

    /// <summary>The HCN network type of a mode.</summary>
    public static NetworkType TypeOf(NetworkMode mode) => mode switch
    {
        NetworkMode.L2Bridge => NetworkType.L2Bridge,
        NetworkMode.Overlay => NetworkType.Overlay,
        NetworkMode.Nat => NetworkType.Nat,
        NetworkMode.Transparent => NetworkType.Transparent,
        NetworkMode.L2Tunnel => NetworkType.L2Tunnel,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "mode: unknown network mode"),
    };

    private static string DefaultRoute(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? "::/0" : "0.0.0.0/0";

    private static List<Subnet> Subnets(HostComputeNetwork network) =>
        [.. (network.Ipams ?? []).SelectMany(i => i.Subnets ?? []).Where(s => !string.IsNullOrEmpty(s.IpAddressPrefix))];

    private static string Normalize(string? prefix) =>
        IPNetwork.TryParse(prefix, out var network) ? network.ToString() : prefix ?? string.Empty;

    private static string? Gateway(Subnet subnet) =>
        (subnet.Routes ?? []).FirstOrDefault(r => r.DestinationPrefix is "0.0.0.0/0" or "::/0")?.NextHop;

    private static uint? Vsid(Subnet subnet) =>
        (subnet.Policies ?? []).Select(p => p.GetSettings<VsidPolicySetting>()).FirstOrDefault(s => s is not null)?.IsolationId;

    private static uint? Vlan(Subnet subnet) =>
        (subnet.Policies ?? []).Select(p => p.GetSettings<VlanPolicySetting>()).FirstOrDefault(s => s is not null)?.IsolationId;

    private static List<string> Adapters(HostComputeNetwork network) =>
        [.. (network.Policies ?? []).Select(p => p.GetSettings<NetAdapterNamePolicySetting>()?.NetworkAdapterName).OfType<string>()];

    private static T? Setting<T>(HostComputeNetwork network)
        where T : PolicySetting =>
        (network.Policies ?? []).Select(p => p.GetSettings<T>()).FirstOrDefault(s => s is not null);

    private static string List(List<string> values) => values.Count == 0 ? "none" : "[" + string.Join(", ", values) + "]";

    private static string Text(uint? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "none";

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
