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
/// (<c>.1</c>); NetAdapterName when <c>adapterName</c> is set.</item>
/// <item>Overlay (the network flannel's Windows VXLAN backend creates, flannel-io/flannel
/// pkg/backend/vxlan/vxlan_network_windows.go): the subnet carries a VSID policy = <c>vxlan.vni</c>; network policies
/// ProviderAddress = <c>nodeIP</c>, VxlanPort = <c>vxlan.port</c> and DrMacAddress derived from the node IP
/// (<c>0E-2A-</c> + the four address bytes, flannel's MAC prefix), so the VTEP MAC peers route to is stable across
/// restarts; HostRoute, so the host reaches its own pods (flannel adds it the same way at start).</item>
/// <item>Not EnableNonPersistent: wincnid adopts the network after a restart instead of rebuilding it under running pods.</item>
/// </list>
/// </remarks>
public static class PodNetworkSpec
{
    /// <summary>flannel's default VTEP MAC prefix.</summary>
    public const string DrMacPrefix = "0E-2A";

    /// <summary>The desired network.</summary>
    /// <param name="options">The node config.</param>
    /// <param name="node">The node's pod CIDRs and address.</param>
    /// <returns>The network document to create.</returns>
    /// <exception cref="ArgumentException">A pod CIDR does not suit the mode (names <c>podCIDRs[i]</c>).</exception>
    public static HostComputeNetwork Build(NodeOptions options, NodeAddressing node)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(node);
        var overlay = options.Mode == NetworkMode.Overlay;
        var subnets = new List<Subnet>();
        for (var i = 0; i < node.PodCidrs.Count; i++)
        {
            var pool = IpPool.Create(node.PodCidrs[i].ToString(), options.Mode, string.Create(CultureInfo.InvariantCulture, $"podCIDRs[{i}]"));
            subnets.Add(new Subnet
            {
                IpAddressPrefix = pool.Cidr.ToString(),
                Policies = overlay ? [SubnetPolicy.Create(new VsidPolicySetting { IsolationId = (uint)options.Vxlan.Vni })] : null,
                Routes = [new Route { NextHop = pool.Gateway.ToString(), DestinationPrefix = DefaultRoute(pool.Family) }],
            });
        }

        var policies = new List<NetworkPolicy>();
        if (!string.IsNullOrEmpty(options.AdapterName))
        {
            policies.Add(NetworkPolicy.Create(new NetAdapterNamePolicySetting { NetworkAdapterName = options.AdapterName }));
        }

        if (overlay)
        {
            if (node.NodeIp is { } nodeIp)
            {
                policies.Add(NetworkPolicy.Create(new ProviderAddressPolicySetting { ProviderAddress = nodeIp.ToString() }));
            }

            policies.Add(NetworkPolicy.Create(new VxlanPortPolicySetting { Port = (ushort)options.Vxlan.Port }));

            // Host ↔ local pod traffic on Overlay (flannel adds it right after creating the network; HNS ≥ 9.2).
            policies.Add(NetworkPolicy.Create(new HostRoutePolicySetting()));
            if (DrMacFor(node.NodeIp) is { } mac)
            {
                policies.Add(NetworkPolicy.Create(new DrMacAddressPolicySetting { Address = mac }));
            }
        }

        return new HostComputeNetwork
        {
            Name = options.NetworkName,
            Type = overlay ? NetworkType.Overlay : NetworkType.L2Bridge,
            Policies = policies,
            Ipams = [new Hcn.Model.Ipam { Type = IpamType.Static, Subnets = subnets }],
        };
    }

    /// <summary>The DrMacAddress for an IPv4 node address (<c>0E-2A-C0-00-02-0A</c> for 192.0.2.10), else null.</summary>
    /// <param name="nodeIp">The node's address.</param>
    /// <returns>The MAC in dash form, or null.</returns>
    public static string? DrMacFor(IPAddress? nodeIp)
    {
        if (nodeIp is null || nodeIp.AddressFamily != AddressFamily.InterNetwork)
        {
            return null;
        }

        var bytes = nodeIp.GetAddressBytes();
        return string.Create(CultureInfo.InvariantCulture, $"{DrMacPrefix}-{bytes[0]:X2}-{bytes[1]:X2}-{bytes[2]:X2}-{bytes[3]:X2}");
    }

    /// <summary>
    /// How <paramref name="actual"/> differs from <paramref name="desired"/> in what matters to pods: type, subnets,
    /// gateways, VNI, VXLAN port, adapter and provider address. HNS-assigned details (ID, MAC pool, DrMacAddress, the
    /// ProviderAddress HNS adds when none was asked for) are not differences.
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

            var wantVsid = Vsid(want);
            var haveVsid = Vsid(have);
            if (wantVsid != haveVsid)
            {
                differences.Add(new("vxlan.vni", Text(wantVsid), Text(haveVsid)));
            }
        }

        if (Setting<VxlanPortPolicySetting>(desired) is { } wantPort)
        {
            // HNS reports the default port as the policy or not at all.
            var havePort = Setting<VxlanPortPolicySetting>(actual)?.Port ?? 4789;
            if (wantPort.Port != havePort)
            {
                differences.Add(new("vxlan.port", Text(wantPort.Port), Text(havePort)));
            }
        }

        if (Setting<NetAdapterNamePolicySetting>(desired)?.NetworkAdapterName is { } wantAdapter)
        {
            var haveAdapter = Setting<NetAdapterNamePolicySetting>(actual)?.NetworkAdapterName;
            if (!string.Equals(wantAdapter, haveAdapter, StringComparison.OrdinalIgnoreCase))
            {
                differences.Add(new("adapterName", wantAdapter, haveAdapter ?? "none"));
            }
        }

        if (Setting<ProviderAddressPolicySetting>(desired)?.ProviderAddress is { } wantPa
            && Setting<ProviderAddressPolicySetting>(actual)?.ProviderAddress is { } havePa
            && !SameAddress(wantPa, havePa))
        {
            differences.Add(new("nodeIP", wantPa, havePa));
        }

        return differences;
    }

    private static string DefaultRoute(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? "::/0" : "0.0.0.0/0";

    private static List<Subnet> Subnets(HostComputeNetwork network) =>
        [.. (network.Ipams ?? []).SelectMany(i => i.Subnets ?? []).Where(s => !string.IsNullOrEmpty(s.IpAddressPrefix))];

    private static string Normalize(string? prefix) =>
        IPNetwork.TryParse(prefix, out var network) ? network.ToString() : prefix ?? string.Empty;

    private static string? Gateway(Subnet subnet) =>
        (subnet.Routes ?? []).FirstOrDefault(r => r.DestinationPrefix is "0.0.0.0/0" or "::/0")?.NextHop;

    private static uint? Vsid(Subnet subnet) =>
        (subnet.Policies ?? []).Select(p => p.GetSettings<VsidPolicySetting>()).FirstOrDefault(s => s is not null)?.IsolationId;

    private static T? Setting<T>(HostComputeNetwork network)
        where T : PolicySetting =>
        (network.Policies ?? []).Select(p => p.GetSettings<T>()).FirstOrDefault(s => s is not null);

    private static bool SameAddress(string left, string right) =>
        IPAddress.TryParse(left, out var l) && IPAddress.TryParse(right, out var r) ? l.Equals(r) : string.Equals(left, right, StringComparison.OrdinalIgnoreCase);

    private static string List(List<string> values) => values.Count == 0 ? "none" : "[" + string.Join(", ", values) + "]";

    private static string Text(uint? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "none";

    private static string Text(ushort value) => value.ToString(CultureInfo.InvariantCulture);
}
