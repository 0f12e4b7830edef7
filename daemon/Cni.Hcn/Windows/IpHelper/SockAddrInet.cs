using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Cni.Hcn.Windows.IpHelper;

/// <summary>
/// <c>SOCKADDR_INET</c> (ws2ipdef.h): a union of <c>SOCKADDR_IN</c> and <c>SOCKADDR_IN6</c>, 28 bytes, 4-byte aligned.
/// IPv4: family @0, port @2 (big-endian), address @4, 8 zero bytes @8. IPv6: family @0, port @2, flow info @4,
/// address @8, scope ID @24. Offsets as mingw-w64's ws2ipdef.h and wireguard-windows tunnel/winipcfg/types.go.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 28)]
internal unsafe struct SockAddrInet
{
    /// <summary><c>AF_INET</c>.</summary>
    public const ushort AfInet = 2;

    /// <summary><c>AF_INET6</c> on Windows (23, not Linux's 10).</summary>
    public const ushort AfInet6 = 23;

    [FieldOffset(0)]
    public ushort Family;

    [FieldOffset(2)]
    public ushort Port;

    [FieldOffset(4)]
    public fixed byte Ipv4Address[4];

    [FieldOffset(4)]
    public uint Ipv6FlowInfo;

    [FieldOffset(8)]
    public fixed byte Ipv6Address[16];

    [FieldOffset(24)]
    public uint Ipv6ScopeId;

    /// <summary>The Windows family number of an address family.</summary>
    public static ushort FamilyOf(AddressFamily family) => family switch
    {
        AddressFamily.InterNetwork => AfInet,
        AddressFamily.InterNetworkV6 => AfInet6,
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, "only IPv4 and IPv6"),
    };

    /// <summary>The socket address of <paramref name="address"/> (port 0).</summary>
    public static SockAddrInet From(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var result = default(SockAddrInet);
        var bytes = address.GetAddressBytes();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            result.Family = AfInet;
            for (var i = 0; i < 4; i++)
            {
                result.Ipv4Address[i] = bytes[i];
            }
        }
        else if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            result.Family = AfInet6;
            for (var i = 0; i < 16; i++)
            {
                result.Ipv6Address[i] = bytes[i];
            }

            result.Ipv6ScopeId = (uint)address.ScopeId;
        }
        else
        {
            throw new ArgumentOutOfRangeException(nameof(address), address, "only IPv4 and IPv6");
        }

        return result;
    }

    /// <summary>The address held, or null for a family other than IPv4/IPv6.</summary>
    public readonly IPAddress? ToAddress()
    {
        switch (Family)
        {
            case AfInet:
            {
                Span<byte> bytes = stackalloc byte[4];
                for (var i = 0; i < 4; i++)
                {
                    bytes[i] = Ipv4Address[i];
                }

                return new IPAddress(bytes);
            }

            case AfInet6:
            {
                Span<byte> bytes = stackalloc byte[16];
                for (var i = 0; i < 16; i++)
                {
                    bytes[i] = Ipv6Address[i];
                }

                return new IPAddress(bytes, Ipv6ScopeId);
            }

            default:
                return null;
        }
    }
}
