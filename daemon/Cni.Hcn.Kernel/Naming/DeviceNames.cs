using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Cni.Hcn.Kernel.Naming;

/// <summary>
/// Deterministic kernel names (≤ 15 characters, IFNAMSIZ − 1) derived from HCN identities, so a restarted daemon finds
/// the same devices and tables again instead of creating new ones.
/// </summary>
internal static class DeviceNames
{
    /// <summary>The longest interface name the kernel accepts.</summary>
    public const int MaxInterfaceName = 15;

    /// <summary>Bridge of a network: <c>wcni-br-&lt;7 hex of its name (or ID)&gt;</c>.</summary>
    public static string Bridge(string key) => "wcni-br-" + Hash(key, 7);

    /// <summary>VXLAN device of a VNI: <c>wcni-vx-&lt;vni&gt;</c> (<c>wcnivx&lt;vni&gt;</c> when the VNI has 8 digits).</summary>
    public static string Vxlan(uint vni)
    {
        var name = "wcni-vx-" + vni.ToString(CultureInfo.InvariantCulture);
        return name.Length <= MaxInterfaceName ? name : "wcnivx" + vni.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Host side of an endpoint's veth: <c>wc&lt;13 hex of the endpoint ID&gt;</c>.</summary>
    public static string HostVeth(Guid endpointId) => "wc" + Hash(endpointId.ToString("D"), 13);

    /// <summary>Container side while it is in the host namespace (before attach, after detach): <c>wp&lt;13 hex&gt;</c>.</summary>
    public static string PeerVeth(Guid endpointId) => "wp" + Hash(endpointId.ToString("D"), 13);

    /// <summary>Whether <paramref name="name"/> has the form of an endpoint's host-side veth name (<see cref="HostVeth"/>).</summary>
    public static bool IsHostVeth(string name) => IsVethName(name, "wc");

    /// <summary>Whether <paramref name="name"/> has the form of a container-side veth name in the host (<see cref="PeerVeth"/>).</summary>
    public static bool IsPeerVeth(string name) => IsVethName(name, "wp");

    /// <summary>nftables table of a network: <c>wincni_&lt;the bridge hash&gt;</c>.</summary>
    public static string NetworkTable(string key) => "wincni_" + Hash(key, 7);

    /// <summary>nftables table of every load balancer.</summary>
    public const string ServicesTable = "wincni_services";

    /// <summary>Prefix shared by every table KernelHcn owns (stale ones are swept at start).</summary>
    public const string TablePrefix = "wincni_";

    /// <summary>The key a network's names derive from: its name, or its ID when unnamed.</summary>
    public static string NetworkKey(string? name, Guid id) => string.IsNullOrEmpty(name) ? id.ToString("D") : name;

    private static bool IsVethName(string name, string prefix) =>
        name.Length == MaxInterfaceName && name.StartsWith(prefix, StringComparison.Ordinal) && name.AsSpan(prefix.Length).IndexOfAnyExcept("0123456789abcdef") < 0;

    private static string Hash(string value, int length) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..length];
}
