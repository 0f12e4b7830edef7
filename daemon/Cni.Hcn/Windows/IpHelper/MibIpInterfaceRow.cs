using System.Runtime.InteropServices;

namespace Cni.Hcn.Windows.IpHelper;

/// <summary>
/// <c>MIB_IPINTERFACE_ROW</c> (netioapi.h), 168 bytes, 8-byte aligned. Only the members wincni reads or writes are
/// named beyond the key (Family, InterfaceLuid, InterfaceIndex); the rest is carried through untouched between
/// <c>GetIpInterfaceEntry</c> and <c>SetIpInterfaceEntry</c>. Offsets as mingw-w64's netioapi.h and
/// wireguard-windows tunnel/winipcfg/types.go.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 168)]
internal unsafe struct MibIpInterfaceRow
{
    [FieldOffset(0)]
    public ushort Family;

    [FieldOffset(8)]
    public ulong InterfaceLuid;

    [FieldOffset(16)]
    public uint InterfaceIndex;

    [FieldOffset(20)]
    public uint MaxReassemblySize;

    [FieldOffset(24)]
    public ulong InterfaceIdentifier;

    [FieldOffset(40)]
    public byte AdvertisingEnabled;

    [FieldOffset(41)]
    public byte ForwardingEnabled;

    [FieldOffset(42)]
    public byte WeakHostSend;

    [FieldOffset(43)]
    public byte WeakHostReceive;

    [FieldOffset(44)]
    public byte UseAutomaticMetric;

    [FieldOffset(80)]
    public fixed uint ZoneIndices[16];

    /// <summary>Must be 0 for IPv4 when the row is passed to SetIpInterfaceEntry (MS-docs SetIpInterfaceEntry).</summary>
    [FieldOffset(144)]
    public uint SitePrefixLength;

    [FieldOffset(148)]
    public uint Metric;

    [FieldOffset(152)]
    public uint NlMtu;

    [FieldOffset(156)]
    public byte Connected;

    [FieldOffset(160)]
    public uint ReachableTime;

    [FieldOffset(166)]
    public byte DisableDefaultRoutes;
}
