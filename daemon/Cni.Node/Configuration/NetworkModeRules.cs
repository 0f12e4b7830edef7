using System.Net.Sockets;

namespace Cni.Node.Configuration;

/// <summary>What each <see cref="NetworkMode"/> allows, kept in one table so new modes are one edit.</summary>
public static class NetworkModeRules
{
    /// <summary>The config names of every mode, in declaration order (for error messages).</summary>
    public static string ConfigNames => string.Join(", ", Enum.GetValues<NetworkMode>().Select(m => m.ConfigName()));

    /// <summary>The lower-case name used in the node config (<c>mode: l2bridge</c>).</summary>
    public static string ConfigName(this NetworkMode mode) => mode switch
    {
        NetworkMode.L2Bridge => "l2bridge",
        NetworkMode.Overlay => "overlay",
        NetworkMode.Nat => "nat",
        NetworkMode.Transparent => "transparent",
        NetworkMode.L2Tunnel => "l2tunnel",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "mode: unknown network mode"),
    };

    /// <summary>Parses a config value (case-insensitive); the error names <paramref name="fieldName"/>.</summary>
    public static NetworkMode Parse(string? value, string fieldName = "mode")
    {
        foreach (var mode in Enum.GetValues<NetworkMode>())
        {
            if (string.Equals(value, mode.ConfigName(), StringComparison.OrdinalIgnoreCase))
            {
                return mode;
            }
        }

        throw new ArgumentException(
            $"{fieldName}: unsupported network mode '{InputText.Quote(value)}'; expected one of {ConfigNames}.",
            fieldName);
    }

    /// <summary>
    /// Whether the mode carries this address family. HNS Overlay networks are IPv4-only (kube-proxy's winkernel
    /// documents IPv6/dual-stack as unsupported on overlay); L2Bridge supports dual-stack. NAT, Transparent and
    /// L2Tunnel are served IPv4-only here: WinNAT's IPv6 NAT (NAT66) is not what a cluster expects, and the static pool
    /// is one IPv4 range.
    /// </summary>
    public static bool SupportsFamily(this NetworkMode mode, AddressFamily family) => mode switch
    {
        NetworkMode.L2Bridge => family is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6,
        NetworkMode.Overlay or NetworkMode.Nat or NetworkMode.Transparent or NetworkMode.L2Tunnel => family is AddressFamily.InterNetwork,
        _ => false,
    };

    /// <summary>
    /// Whether other nodes' pod CIDRs are routed (flannel's protocol: Node annotations, RemoteSubnetRoute or host
    /// routes). NAT pods are reachable only through host ports, Transparent pods are on the physical network already,
    /// and L2Tunnel routing is Azure's: none of them publishes or programs peer routes.
    /// </summary>
    public static bool HasPeerRoutes(this NetworkMode mode) => mode is NetworkMode.L2Bridge or NetworkMode.Overlay;

    /// <summary>
    /// Whether each pod endpoint carries an OutBoundNAT policy (masquerade of pod egress leaving the cluster). A NAT
    /// network NATs its whole subnet itself (WinNAT's NetNat on the internal prefix, not an endpoint policy: the
    /// windows-container-networking nat plugin adds none); Transparent pods are not NATed at all; L2Tunnel NAT is Azure's.
    /// </summary>
    public static bool UsesOutboundNatPolicy(this NetworkMode mode) => mode is NetworkMode.L2Bridge or NetworkMode.Overlay;

    /// <summary>
    /// Whether pods' Service traffic is handed to the host's service proxy (SDNRoute NeedEncap to each service CIDR).
    /// Transparent pods route everything but their subnet to the physical gateway, as Windows Transparent networks
    /// do (kube-proxy's winkernel serves only L2Bridge and Overlay); L2Tunnel services are Azure's.
    /// </summary>
    public static bool RoutesServicesToHost(this NetworkMode mode) => mode is NetworkMode.L2Bridge or NetworkMode.Overlay or NetworkMode.Nat;

    /// <summary>Whether the pod addresses come from the operator's static pool (<see cref="NodeOptions.StaticPool"/>) rather than pod CIDRs.</summary>
    public static bool UsesStaticPool(this NetworkMode mode) => mode is NetworkMode.Transparent;
}
