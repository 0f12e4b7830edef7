using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Cni.Hcn.Kernel.Naming;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Kernel.Layout;

/// <summary>
/// What a HostComputeNetwork means in the kernel (a pure function of the HCN object): the bridge and its gateway
/// addresses for every type; for Overlay also the VXLAN device (VNI from the subnet's VSID policy, UDP port from
/// VxlanPort, source from ProviderAddress, MAC from DrMacAddress) and one <see cref="RemoteSubnet"/> per
/// RemoteSubnetRoute policy. NAT is a bridge whose subnet is masqueraded towards everything else (WinNAT's NetNat on
/// the internal prefix); Transparent has no bridge: each endpoint is a macvlan (bridge mode) of the underlay interface
/// the NetAdapterName policy names (<see cref="Underlay"/>). Other types are realized as a bridge like L2Bridge;
/// L2Tunnel is refused before it gets here (it needs Azure's host networking).
/// Subnets and remote subnets of both families are kept (a dual-stack network has one IPv4 and one IPv6 subnet); the
/// VXLAN underlay stays IPv4 and carries the IPv6 inner packets too.
/// </summary>
internal sealed record NetworkLayout
{
    /// <summary>VXLAN encapsulation overhead on an IPv4 underlay (outer IP 20 + UDP 8 + VXLAN 8 + inner Ethernet 14).</summary>
    public const int VxlanOverhead = 50;

    /// <summary>flannel's and HNS's default VNI.</summary>
    public const uint DefaultVni = 4096;

    /// <summary>The IANA VXLAN port.</summary>
    public const ushort DefaultVxlanPort = 4789;

    public required Guid Id { get; init; }

    public required string Bridge { get; init; }

    public required string Table { get; init; }

    public required bool IsOverlay { get; init; }

    /// <summary>NAT: the subnets are masqueraded towards every other destination.</summary>
    public bool IsNat { get; init; }

    /// <summary>Transparent: endpoints are macvlans of <see cref="Underlay"/>; no bridge, no gateway address on the node.</summary>
    public bool IsTransparent { get; init; }

    /// <summary>Transparent: the underlay interface (the NetAdapterName policy), or null to use the one holding the node's default route.</summary>
    public string? Underlay { get; init; }

    public required IReadOnlyList<SubnetLayout> Subnets { get; init; }

    public uint Vni { get; init; }

    public ushort VxlanPort { get; init; }

    public string? Vxlan { get; init; }

    public IPAddress? ProviderAddress { get; init; }

    public PhysicalAddress? VtepMac { get; init; }

    public IReadOnlyList<RemoteSubnet> RemoteSubnets { get; init; } = [];

    /// <summary>The network's VLAN (a VLAN subnet policy), 0 for none; emulated by the firewall chains.</summary>
    public uint Vlan { get; init; }

    /// <summary>Computes the layout of <paramref name="network"/>.</summary>
    public static NetworkLayout From(HostComputeNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var key = DeviceNames.NetworkKey(network.Name, network.Id);
        var isOverlay = network.Type == NetworkType.Overlay;
        var subnets = new List<SubnetLayout>();
        uint? vni = null;
        uint vlan = 0;
        foreach (var subnet in (network.Ipams ?? []).SelectMany(i => i.Subnets ?? []))
        {
            if (!IPNetwork.TryParse(subnet.IpAddressPrefix ?? string.Empty, out var prefix) || !IsIp(prefix.BaseAddress))
            {
                continue;
            }

            var gateway = (subnet.Routes ?? [])
                .Select(r => IPAddress.TryParse(r.NextHop ?? string.Empty, out var hop) ? hop : null)
                .FirstOrDefault(hop => hop is not null && prefix.Contains(hop) && !hop.Equals(prefix.BaseAddress))
                ?? Offset(prefix.BaseAddress, 1);
            subnets.Add(new SubnetLayout(prefix, gateway));
            vni ??= (subnet.Policies ?? []).Select(p => p.GetSettings<VsidPolicySetting>()?.IsolationId).FirstOrDefault(v => v is > 0);
            if (vlan == 0)
            {
                vlan = (subnet.Policies ?? []).Select(p => p.GetSettings<VlanPolicySetting>()?.IsolationId ?? 0).FirstOrDefault(v => v > 0);
            }
        }

        var policies = network.Policies ?? [];
        var provider = policies.Select(p => p.GetSettings<ProviderAddressPolicySetting>()?.ProviderAddress)
            .Select(a => IPAddress.TryParse(a ?? string.Empty, out var ip) ? ip : null).FirstOrDefault(a => a is not null);
        var port = policies.Select(p => p.GetSettings<VxlanPortPolicySetting>()?.Port).FirstOrDefault(p => p is > 0) ?? DefaultVxlanPort;
        var mac = policies.Select(p => p.GetSettings<DrMacAddressPolicySetting>()?.Address).Select(ParseMac).FirstOrDefault(m => m is not null);
        var remotes = new List<RemoteSubnet>();
        foreach (var route in policies.Select(p => p.GetSettings<RemoteSubnetRoutePolicySetting>()).OfType<RemoteSubnetRoutePolicySetting>())
        {
            if (IPNetwork.TryParse(route.DestinationPrefix, out var prefix) && IPAddress.TryParse(route.ProviderAddress, out var pa)
                && IsIp(prefix.BaseAddress))
            {
                // A multicast MAC cannot be a VTEP (the kernel refuses the FDB entry): only the route is programmed then.
                var vtep = ParseMac(route.DistributedRouterMacAddress) is { } m && (m.GetAddressBytes()[0] & 1) == 0 ? m : null;
                remotes.Add(new RemoteSubnet(prefix, prefix.BaseAddress, vtep, pa));
            }
        }

        var effectiveVni = vni ?? DefaultVni;
        var adapter = policies.Select(p => p.GetSettings<NetAdapterNamePolicySetting>()?.NetworkAdapterName).FirstOrDefault(n => !string.IsNullOrWhiteSpace(n));
        return new NetworkLayout
        {
            Id = network.Id,
            Bridge = DeviceNames.Bridge(key),
            Table = DeviceNames.NetworkTable(key),
            IsOverlay = isOverlay,
            IsNat = network.Type == NetworkType.Nat,
            IsTransparent = network.Type == NetworkType.Transparent,
            Underlay = adapter,
            Subnets = subnets,
            Vni = effectiveVni,
            VxlanPort = port,
            Vxlan = isOverlay ? DeviceNames.Vxlan(effectiveVni) : null,
            ProviderAddress = provider,
            VtepMac = mac,
            RemoteSubnets = isOverlay ? remotes : [],
            Vlan = vlan,
        };
    }

    /// <summary>A locally administered VTEP MAC derived from <paramref name="key"/> (the <c>0E-2A</c> prefix flannel uses).</summary>
    public static string DefaultVtepMac(string key)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key));
        return $"0E-2A-{hash[0]:X2}-{hash[1]:X2}-{hash[2]:X2}-{hash[3]:X2}";
    }

    /// <summary>
    /// A locally administered MAC range of 65536 addresses derived from <paramref name="key"/> (<c>0E-hh-hh-hh-00-00</c> to
    /// <c>…-FF-FF</c>): a Transparent network's pods on different nodes then differ in MAC as in address.
    /// </summary>
    public static MacPool DefaultMacPool(string key)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("macpool:" + key));
        var prefix = $"0E-{hash[0]:X2}-{hash[1]:X2}-{hash[2]:X2}";
        return new MacPool { Ranges = [new MacRange { StartMacAddress = prefix + "-00-00", EndMacAddress = prefix + "-FF-FF" }] };
    }

    /// <summary>Parses a MAC in dash, colon or bare form; null when empty or invalid.</summary>
    public static PhysicalAddress? ParseMac(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var normalized = text.Trim().Replace(':', '-');
        return PhysicalAddress.TryParse(normalized, out var mac) && mac.GetAddressBytes().Length == 6 ? mac : null;
    }

    /// <summary>The subnets of <paramref name="family"/>.</summary>
    public IEnumerable<SubnetLayout> SubnetsOf(AddressFamily family) => Subnets.Where(s => s.Prefix.BaseAddress.AddressFamily == family);

    /// <summary>Whether any subnet is IPv6 (the node then forwards IPv6 too).</summary>
    public bool HasIpv6 => Subnets.Any(s => s.Prefix.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6);

    private static bool IsIp(IPAddress address) => address.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6;

    private static IPAddress Offset(IPAddress address, int delta)
    {
        var bytes = address.GetAddressBytes();
        if (bytes.Length == 16)
        {
            var wide = System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(bytes) + (UInt128)delta;
            System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(bytes, wide);
            return new IPAddress(bytes);
        }

        var value = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes) + (uint)delta;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes);
    }
}
