using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Cni.Hcn.Windows;

/// <summary>
/// Source-generated P/Invokes for the documented computenetwork.dll exports (MS-docs Reference/*.md, hcsshim hcn/zsyscall_windows.go), parameter order exact.
/// Strings go in as NUL-terminated UTF-16; every output string comes back as a raw <c>PWSTR</c> (<see cref="nint"/>)
/// so that <see cref="HcnNativeClient"/> can free it with <c>CoTaskMemFree</c> exactly once, also on failure paths.
/// Handles are raw pointers here and wrapped in <see cref="HcnHandle"/> one layer up. The SDN-route exports are not
/// declared here: they are missing from the public header and resolved at run time (<see cref="SdnRouteExports"/>).
/// </summary>
[SupportedOSPlatform("windows")]
internal static unsafe partial class ComputeNetworkNative
{
    private const string Dll = "computenetwork.dll";

    // ---- networks ----
    [LibraryImport(Dll, EntryPoint = "HcnEnumerateNetworks", StringMarshalling = StringMarshalling.Utf16)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    internal static partial int HcnEnumerateNetworks(string query, out nint networks, out nint errorRecord);

    [LibraryImport(Dll, EntryPoint = "HcnCreateNetwork", StringMarshalling = StringMarshalling.Utf16)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    internal static partial int HcnCreateNetwork(in Guid id, string settings, out nint network, out nint errorRecord);

    [LibraryImport(Dll, EntryPoint = "HcnOpenNetwork")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    internal static partial int HcnOpenNetwork(in Guid id, out nint network, out nint errorRecord);

    [LibraryImport(Dll, EntryPoint = "HcnModifyNetwork", StringMarshalling = StringMarshalling.Utf16)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    internal static partial int HcnModifyNetwork(nint network, string settings, out nint errorRecord);

    [LibraryImport(Dll, EntryPoint = "HcnQueryNetworkProperties", StringMarshalling = StringMarshalling.Utf16)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    internal static partial int HcnQueryNetworkProperties(nint network, string query, out nint properties, out nint errorRecord);

    [LibraryImport(Dll, EntryPoint = "HcnDeleteNetwork")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    internal static partial int HcnDeleteNetwork(in Guid id, out nint errorRecord);

    [LibraryImport(Dll, EntryPoint = "HcnCloseNetwork")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    internal static partial int HcnCloseNetwork(nint network);

    // ---- endpoints ----
    [LibraryImport(Dll, EntryPoint = "HcnEnumerateEndpoints", StringMarshalling = StringMarshalling.Utf16)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    internal static partial int HcnEnumerateEndpoints(string query, out nint endpoints, out nint errorRecord);

    /// <remarks>The network handle comes first, before the endpoint's id.</remarks>
    [LibraryImport(Dll, EntryPoint = "HcnCreateEndpoint", StringMarshalling = StringMarshalling.Utf16)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    internal static partial int HcnCreateEndpoint(nint network, in Guid id, string settings, out nint endpoint, out nint errorRecord);

    [LibraryImport(Dll, EntryPoint = "HcnOpenEndpoint")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    internal static partial int HcnOpenEndpoint(in Guid id, out nint endpoint, out nint errorRecord);

    [LibraryImport(Dll, EntryPoint = "HcnModifyEndpoint", StringMarshalling = StringMarshalling.Utf16)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    internal static partial int HcnModifyEndpoint(nint endpoint, string settings, out nint errorRecord);

    [LibraryImport(Dll, EntryPoint = "HcnQueryEndpointProperties", StringMarshalling = StringMarshalling.Utf16)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    internal static partial int HcnQueryEndpointProperties(nint endpoint, string query, out nint properties, out nint errorRecord);

    [LibraryImport(Dll, EntryPoint = "HcnDeleteEndpoint")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    internal static partial int HcnDeleteEndpoint(in Guid id, out nint errorRecord);

    [LibraryImport(Dll, EntryPoint = "HcnCloseEndpoint")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    internal static partial int HcnCloseEndpoint(nint endpoint);

    [LibraryImport(Dll, EntryPoint = "HcnQueryEndpointStats", StringMarshalling = StringMarshalling.Utf16)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    internal static partial int HcnQueryEndpointStats(nint endpoint, string query, out nint stats, out nint errorRecord);

    [LibraryImport(Dll, EntryPoint = "HcnQueryEndpointAddresses", StringMarshalling = StringMarshalling.Utf16)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    internal static partial int HcnQueryEndpointAddresses(nint endpoint, string query, out nint addresses, out nint errorRecord);

    // ---- namespaces ----
    [LibraryImport(Dll, EntryPoint = "HcnEnumerateNamespaces", StringMarshalling = StringMarshalling.Utf16)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    internal static partial int HcnEnumerateNamespaces(string query, out nint namespaces, out nint errorRecord);

    [LibraryImport(Dll, EntryPoint = "HcnCreateNamespace", StringMarshalling = StringMarshalling.Utf16)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    internal static partial int HcnCreateNamespace(in Guid id, string settings, out nint @namespace, out nint errorRecord);

    [LibraryImport(Dll, EntryPoint = "HcnOpenNamespace")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    internal static partial int HcnOpenNamespace(in Guid id, out nint @namespace, out nint errorRecord);

    [LibraryImport(Dll, EntryPoint = "HcnModifyNamespace", StringMarshalling = StringMarshalling.Utf16)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    internal static partial int HcnModifyNamespace(nint @namespace, string settings, out nint errorRecord);

    [LibraryImport(Dll, EntryPoint = "HcnQueryNamespaceProperties", StringMarshalling = StringMarshalling.Utf16)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    internal static partial int HcnQueryNamespaceProperties(nint @namespace, string query, out nint properties, out nint errorRecord);

    [LibraryImport(Dll, EntryPoint = "HcnDeleteNamespace")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    internal static partial int HcnDeleteNamespace(in Guid id, out nint errorRecord);

    [LibraryImport(Dll, EntryPoint = "HcnCloseNamespace")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    internal static partial int HcnCloseNamespace(nint @namespace);

    // ---- load balancers ----
    [LibraryImport(Dll, EntryPoint = "HcnEnumerateLoadBalancers", StringMarshalling = StringMarshalling.Utf16)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    internal static partial int HcnEnumerateLoadBalancers(string query, out nint loadBalancers, out nint errorRecord);

    [LibraryImport(Dll, EntryPoint = "HcnCreateLoadBalancer", StringMarshalling = StringMarshalling.Utf16)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    internal static partial int HcnCreateLoadBalancer(in Guid id, string settings, out nint loadBalancer, out nint errorRecord);

    [LibraryImport(Dll, EntryPoint = "HcnOpenLoadBalancer")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    internal static partial int HcnOpenLoadBalancer(in Guid id, out nint loadBalancer, out nint errorRecord);

    [LibraryImport(Dll, EntryPoint = "HcnModifyLoadBalancer", StringMarshalling = StringMarshalling.Utf16)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    internal static partial int HcnModifyLoadBalancer(nint loadBalancer, string settings, out nint errorRecord);

    [LibraryImport(Dll, EntryPoint = "HcnQueryLoadBalancerProperties", StringMarshalling = StringMarshalling.Utf16)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    internal static partial int HcnQueryLoadBalancerProperties(nint loadBalancer, string query, out nint properties, out nint errorRecord);

    [LibraryImport(Dll, EntryPoint = "HcnDeleteLoadBalancer")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    internal static partial int HcnDeleteLoadBalancer(in Guid id, out nint errorRecord);

    [LibraryImport(Dll, EntryPoint = "HcnCloseLoadBalancer")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    internal static partial int HcnCloseLoadBalancer(nint loadBalancer);

    // ---- service notifications ----

    /// <summary>
    /// <c>HcnRegisterServiceCallback(callback, context, &amp;callbackHandle)</c> per MS-docs/win32md (SDN-psm1
    /// declares an extra leading service handle, which disagrees with both). Callback:
    /// <c>void CALLBACK(DWORD type, void* context, HRESULT status, PCWSTR data)</c>.
    /// </summary>
    [LibraryImport(Dll, EntryPoint = "HcnRegisterServiceCallback")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    internal static partial int HcnRegisterServiceCallback(
        delegate* unmanaged[Stdcall]<uint, void*, int, char*, void> callback, void* context, out nint callbackHandle);

    [LibraryImport(Dll, EntryPoint = "HcnUnregisterServiceCallback")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    internal static partial int HcnUnregisterServiceCallback(nint callbackHandle);
}
