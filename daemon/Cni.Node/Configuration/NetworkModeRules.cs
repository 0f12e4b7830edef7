using System.Net.Sockets;

namespace Cni.Node.Configuration;

/// <summary>What each <see cref="NetworkMode"/> allows, kept in one table so new modes are one edit.</summary>
public static class NetworkModeRules
{
    /// <summary>The lower-case name used in the node config (<c>mode: l2bridge</c>).</summary>
    public static string ConfigName(this NetworkMode mode) => mode switch
    {
        NetworkMode.L2Bridge => "l2bridge",
        NetworkMode.Overlay => "overlay",
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
            $"{fieldName}: unsupported network mode '{InputText.Quote(value)}'; expected one of l2bridge, overlay.",
            fieldName);
    }

    /// <summary>
    /// Whether the mode carries this address family. HNS Overlay networks are IPv4-only (kube-proxy's winkernel
    /// documents IPv6/dual-stack as unsupported on overlay); L2Bridge supports dual-stack.
    /// </summary>
    public static bool SupportsFamily(this NetworkMode mode, AddressFamily family) => mode switch
    {
        NetworkMode.L2Bridge => family is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6,
        NetworkMode.Overlay => family is AddressFamily.InterNetwork,
        _ => false,
    };
}
