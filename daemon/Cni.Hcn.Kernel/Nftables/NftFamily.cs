using System.Net;
using System.Net.Sockets;

namespace Cni.Hcn.Kernel.Nftables;

/// <summary>
/// An nftables address family wincni writes tables in: <c>ip</c> (IPv4) or <c>ip6</c> (IPv6). Each family has its
/// own tables under the same names (<c>ip wincni_services</c> and <c>ip6 wincni_services</c>, as kube-proxy keeps
/// <c>ip kube-proxy</c> and <c>ip6 kube-proxy</c>), rendered by the same code with this object's words.
/// </summary>
internal sealed class NftFamily
{
    /// <summary>IPv4: <c>ip</c> tables.</summary>
    public static readonly NftFamily Ip = new("ip", AddressFamily.InterNetwork, "ipv4_addr", 32, "127.0.0.0/8", 2);

    /// <summary>IPv6: <c>ip6</c> tables.</summary>
    public static readonly NftFamily Ip6 = new("ip6", AddressFamily.InterNetworkV6, "ipv6_addr", 128, "::1", 10);

    private NftFamily(string name, AddressFamily addressFamily, string addressType, int hostPrefixLength, string loopback, byte nfproto)
    {
        Name = name;
        AddressFamily = addressFamily;
        AddressType = addressType;
        HostPrefixLength = hostPrefixLength;
        Loopback = loopback;
        NfProto = nfproto;
    }

    /// <summary>Both families, IPv4 first.</summary>
    public static IReadOnlyList<NftFamily> All { get; } = [Ip, Ip6];

    /// <summary>nft's name of the family, also the payload keyword of its addresses (<c>ip saddr</c>, <c>ip6 saddr</c>).</summary>
    public string Name { get; }

    /// <summary>The socket address family of its addresses.</summary>
    public AddressFamily AddressFamily { get; }

    /// <summary>nft's data type of one address (<c>ipv4_addr</c>, <c>ipv6_addr</c>).</summary>
    public string AddressType { get; }

    /// <summary>The prefix length of one address (32, 128).</summary>
    public int HostPrefixLength { get; }

    /// <summary>The loopback destinations NodePorts never answer on (<c>127.0.0.0/8</c>, <c>::1</c>; kube-proxy excludes them too).</summary>
    public string Loopback { get; }

    /// <summary>NFPROTO_* of the family (the nfgenmsg family of netfilter netlink requests).</summary>
    public byte NfProto { get; }

    /// <summary>The family of <paramref name="address"/>.</summary>
    public static NftFamily Of(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.AddressFamily == AddressFamily.InterNetworkV6 ? Ip6 : Ip;
    }

    /// <summary>
    /// How a table of this family is named where wincni keys tables by one string: the bare name for <c>ip</c> (nft's
    /// default family, so every IPv4 name stays what it was), <c>ip6 &lt;name&gt;</c> otherwise, as nft writes a table.
    /// </summary>
    public string Qualify(string table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return ReferenceEquals(this, Ip) ? table : Name + " " + table;
    }

    /// <summary>The family and name of a table key made by <see cref="Qualify"/>.</summary>
    public static (NftFamily Family, string Name) Split(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.StartsWith("ip6 ", StringComparison.Ordinal) ? (Ip6, key[4..]) : (Ip, key);
    }

    /// <summary>Whether <paramref name="address"/> is of this family.</summary>
    public bool Holds(IPAddress? address) => address?.AddressFamily == AddressFamily;

    /// <inheritdoc/>
    public override string ToString() => Name;
}
