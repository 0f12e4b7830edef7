using System.Runtime.InteropServices;

namespace Cni.Hcn.Windows.IpHelper;

/// <summary>
/// <c>MIB_IPFORWARD_ROW2</c> (netioapi.h), 104 bytes, 8-byte aligned (x64 and arm64). Offsets as mingw-w64's
/// netioapi.h and wireguard-windows tunnel/winipcfg/types.go; BOOLEAN members are bytes, never <see cref="bool"/>.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 104)]
internal struct MibIpForwardRow2
{
    /// <summary><c>MIB_IPPROTO_NETMGMT</c>: a static route made by management, what <c>New-NetRoute</c> makes.</summary>
    public const uint ProtocolNetMgmt = 3;

    /// <summary>Lifetime "infinite".</summary>
    public const uint InfiniteLifetime = 0xFFFFFFFF;

    [FieldOffset(0)]
    public ulong InterfaceLuid;

    [FieldOffset(8)]
    public uint InterfaceIndex;

    [FieldOffset(12)]
    public IpAddressPrefix DestinationPrefix;

    [FieldOffset(44)]
    public SockAddrInet NextHop;

    [FieldOffset(72)]
    public byte SitePrefixLength;

    [FieldOffset(76)]
    public uint ValidLifetime;

    [FieldOffset(80)]
    public uint PreferredLifetime;

    [FieldOffset(84)]
    public uint Metric;

    [FieldOffset(88)]
    public uint Protocol;

    [FieldOffset(92)]
    public byte Loopback;

    [FieldOffset(93)]
    public byte AutoconfigureAddress;

    [FieldOffset(94)]
    public byte Publish;

    [FieldOffset(95)]
    public byte Immortal;

    [FieldOffset(96)]
    public uint Age;

    [FieldOffset(100)]
    public uint Origin;
}
