using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Cni.Hcn.Windows.IpHelper;

/// <summary>
/// Source-generated P/Invokes for the iphlpapi.dll exports of netioapi.h that wincni uses (MS-docs netioapi pages;
/// wireguard-windows tunnel/winipcfg/zwinipcfg_windows.go binds the same). Every row struct is blittable, so the
/// generator pins it and passes its address; the DWORD result is a Win32 error code.
/// </summary>
[SupportedOSPlatform("windows")]
internal static partial class IpHelperNative
{
    private const string Dll = "iphlpapi.dll";

    [LibraryImport(Dll, EntryPoint = "InitializeIpForwardEntry")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    internal static partial void InitializeIpForwardEntry(out MibIpForwardRow2 row);

    [LibraryImport(Dll, EntryPoint = "CreateIpForwardEntry2")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    internal static partial int CreateIpForwardEntry2(in MibIpForwardRow2 row);

    [LibraryImport(Dll, EntryPoint = "DeleteIpForwardEntry2")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    internal static partial int DeleteIpForwardEntry2(in MibIpForwardRow2 row);

    [LibraryImport(Dll, EntryPoint = "GetIpForwardTable2")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    internal static partial int GetIpForwardTable2(ushort family, out nint table);

    [LibraryImport(Dll, EntryPoint = "FreeMibTable")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    internal static partial void FreeMibTable(nint table);

    [LibraryImport(Dll, EntryPoint = "GetIpInterfaceEntry")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    internal static partial int GetIpInterfaceEntry(ref MibIpInterfaceRow row);

    [LibraryImport(Dll, EntryPoint = "SetIpInterfaceEntry")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    internal static partial int SetIpInterfaceEntry(ref MibIpInterfaceRow row);
}
