using System.Net;

namespace Cni.Hcn.Windows.IpHelper;

/// <summary>
/// The seam between <see cref="IpHelperHostRouting"/> and iphlpapi.dll, one level above the raw ABI: rows go in and
/// out as the native structs, tables as the raw pointer Windows allocated, results as the Win32 error code (a DWORD,
/// not an HRESULT). Everything above it (building rows, reading tables, freeing each table exactly once, mapping
/// codes) is tested on any OS with an emulated DLL; the production implementation is <see cref="IpHelperApi"/>.
/// </summary>
internal interface IIpHelperApi
{
    /// <summary><c>InitializeIpForwardEntry(&amp;row)</c>: lifetimes infinite; Loopback, AutoconfigureAddress, Publish, Immortal TRUE; SitePrefixLength, Metric, Protocol invalid; the rest 0.</summary>
    void InitializeIpForwardEntry(out MibIpForwardRow2 row);

    /// <summary><c>CreateIpForwardEntry2(&amp;row)</c>.</summary>
    int CreateIpForwardEntry2(in MibIpForwardRow2 row);

    /// <summary><c>DeleteIpForwardEntry2(&amp;row)</c>.</summary>
    int DeleteIpForwardEntry2(in MibIpForwardRow2 row);

    /// <summary><c>GetIpForwardTable2(family, &amp;table)</c>: a <c>MIB_IPFORWARD_TABLE2</c> the caller frees with <see cref="FreeMibTable"/>.</summary>
    int GetIpForwardTable2(ushort family, out nint table);

    /// <summary><c>FreeMibTable(table)</c>.</summary>
    void FreeMibTable(nint table);

    /// <summary><c>GetIpInterfaceEntry(&amp;row)</c>: Family and InterfaceIndex (or InterfaceLuid) in, the rest out.</summary>
    int GetIpInterfaceEntry(ref MibIpInterfaceRow row);

    /// <summary><c>SetIpInterfaceEntry(&amp;row)</c>.</summary>
    int SetIpInterfaceEntry(ref MibIpInterfaceRow row);

    /// <summary>
    /// The index of the interface holding <paramref name="address"/> in the interface's own family, or null. Not an
    /// iphlpapi export: the production implementation reads <see cref="System.Net.NetworkInformation.NetworkInterface"/>
    /// (GetAdaptersAddresses underneath), which is what flannel's <c>GetInterfaceByIP</c> does with Go's net package.
    /// </summary>
    int? FindInterfaceIndex(IPAddress address);
}
