using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Cni.Hcn.Windows;

/// <summary>
/// <c>vmcompute.dll!HNSCall</c>: the HNS v1 REST-like transport. computenetwork.dll has no version export, so the HNS
/// service version is read with <c>HNSCall("GET", "/globals/version", "", &amp;response)</c> as hcsshim does (hcsshim hcn/hcnglobals.go <c>GetGlobals</c>).
/// </summary>
[SupportedOSPlatform("windows")]
internal static partial class VmComputeNative
{
    [LibraryImport("vmcompute.dll", EntryPoint = "HNSCall", StringMarshalling = StringMarshalling.Utf16)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    internal static partial int HNSCall(string method, string path, string request, out nint response);
}
