using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Cni.Hcn.Errors;

namespace Cni.Hcn.Windows;

/// <summary>
/// The production <see cref="IHcnNativeApi"/>: a switch from (operation, kind) to the matching export. Deliberately
/// logic-free so that everything worth testing sits above the seam.
/// </summary>
[SupportedOSPlatform("windows")]
internal sealed class HcnNativeApi : IHcnNativeApi
{
    /// <summary>
    /// Whether computenetwork.dll loads at all (it ships with the Containers / Hyper-V features). Checked once so that
    /// a node without it gets HRESULT_FROM_WIN32(ERROR_MOD_NOT_FOUND) as an <see cref="HcnException"/> with its fix,
    /// not a DllNotFoundException from the first call.
    /// </summary>
    private static readonly Lazy<bool> Available = new(() =>
    {
        if (!NativeLibrary.TryLoad("computenetwork.dll", typeof(HcnNativeApi).Assembly, DllImportSearchPath.System32, out var library))
        {
            return false;
        }

        NativeLibrary.Free(library);
        return true;
    });

    public int Enumerate(HcnObjectKind kind, string query, out nint result, out nint errorRecord) => !Available.Value
        ? Missing(out result, out errorRecord)
        : kind switch
    {
        HcnObjectKind.Network => ComputeNetworkNative.HcnEnumerateNetworks(query, out result, out errorRecord),
        HcnObjectKind.Endpoint => ComputeNetworkNative.HcnEnumerateEndpoints(query, out result, out errorRecord),
        HcnObjectKind.Namespace => ComputeNetworkNative.HcnEnumerateNamespaces(query, out result, out errorRecord),
        HcnObjectKind.LoadBalancer => ComputeNetworkNative.HcnEnumerateLoadBalancers(query, out result, out errorRecord),
        HcnObjectKind.SdnRoute => SdnRouteExports.Instance.Enumerate(query, out result, out errorRecord),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public int Create(HcnObjectKind kind, in Guid id, string settings, out nint handle, out nint errorRecord) => !Available.Value
        ? Missing(out handle, out errorRecord)
        : kind switch
    {
        HcnObjectKind.Network => ComputeNetworkNative.HcnCreateNetwork(id, settings, out handle, out errorRecord),
        HcnObjectKind.Namespace => ComputeNetworkNative.HcnCreateNamespace(id, settings, out handle, out errorRecord),
        HcnObjectKind.LoadBalancer => ComputeNetworkNative.HcnCreateLoadBalancer(id, settings, out handle, out errorRecord),
        HcnObjectKind.SdnRoute => SdnRouteExports.Instance.Create(id, settings, out handle, out errorRecord),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Endpoints are created with CreateEndpoint."),
    };

    public int CreateEndpoint(nint network, in Guid id, string settings, out nint handle, out nint errorRecord) => !Available.Value
        ? Missing(out handle, out errorRecord)
        : ComputeNetworkNative.HcnCreateEndpoint(network, id, settings, out handle, out errorRecord);

    public int Open(HcnObjectKind kind, in Guid id, out nint handle, out nint errorRecord) => !Available.Value
        ? Missing(out handle, out errorRecord)
        : kind switch
    {
        HcnObjectKind.Network => ComputeNetworkNative.HcnOpenNetwork(id, out handle, out errorRecord),
        HcnObjectKind.Endpoint => ComputeNetworkNative.HcnOpenEndpoint(id, out handle, out errorRecord),
        HcnObjectKind.Namespace => ComputeNetworkNative.HcnOpenNamespace(id, out handle, out errorRecord),
        HcnObjectKind.LoadBalancer => ComputeNetworkNative.HcnOpenLoadBalancer(id, out handle, out errorRecord),
        HcnObjectKind.SdnRoute => SdnRouteExports.Instance.Open(id, out handle, out errorRecord),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public int Modify(HcnObjectKind kind, nint handle, string settings, out nint errorRecord) => !Available.Value
        ? Missing(out _, out errorRecord)
        : kind switch
    {
        HcnObjectKind.Network => ComputeNetworkNative.HcnModifyNetwork(handle, settings, out errorRecord),
        HcnObjectKind.Endpoint => ComputeNetworkNative.HcnModifyEndpoint(handle, settings, out errorRecord),
        HcnObjectKind.Namespace => ComputeNetworkNative.HcnModifyNamespace(handle, settings, out errorRecord),
        HcnObjectKind.LoadBalancer => ComputeNetworkNative.HcnModifyLoadBalancer(handle, settings, out errorRecord),
        HcnObjectKind.SdnRoute => SdnRouteExports.Instance.Modify(handle, settings, out errorRecord),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public int QueryProperties(HcnObjectKind kind, nint handle, string query, out nint properties, out nint errorRecord) => !Available.Value
        ? Missing(out properties, out errorRecord)
        : kind switch
    {
        HcnObjectKind.Network => ComputeNetworkNative.HcnQueryNetworkProperties(handle, query, out properties, out errorRecord),
        HcnObjectKind.Endpoint => ComputeNetworkNative.HcnQueryEndpointProperties(handle, query, out properties, out errorRecord),
        HcnObjectKind.Namespace => ComputeNetworkNative.HcnQueryNamespaceProperties(handle, query, out properties, out errorRecord),
        HcnObjectKind.LoadBalancer => ComputeNetworkNative.HcnQueryLoadBalancerProperties(handle, query, out properties, out errorRecord),
        HcnObjectKind.SdnRoute => SdnRouteExports.Instance.QueryProperties(handle, query, out properties, out errorRecord),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public int QueryEndpointStats(nint endpoint, string query, out nint stats, out nint errorRecord) => !Available.Value
        ? Missing(out stats, out errorRecord)
        : ComputeNetworkNative.HcnQueryEndpointStats(endpoint, query, out stats, out errorRecord);

    public int QueryEndpointAddresses(nint endpoint, string query, out nint addresses, out nint errorRecord) => !Available.Value
        ? Missing(out addresses, out errorRecord)
        : ComputeNetworkNative.HcnQueryEndpointAddresses(endpoint, query, out addresses, out errorRecord);

    public int Delete(HcnObjectKind kind, in Guid id, out nint errorRecord) => !Available.Value
        ? Missing(out _, out errorRecord)
        : kind switch
    {
        HcnObjectKind.Network => ComputeNetworkNative.HcnDeleteNetwork(id, out errorRecord),
        HcnObjectKind.Endpoint => ComputeNetworkNative.HcnDeleteEndpoint(id, out errorRecord),
        HcnObjectKind.Namespace => ComputeNetworkNative.HcnDeleteNamespace(id, out errorRecord),
        HcnObjectKind.LoadBalancer => ComputeNetworkNative.HcnDeleteLoadBalancer(id, out errorRecord),
        HcnObjectKind.SdnRoute => SdnRouteExports.Instance.Delete(id, out errorRecord),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public int Close(HcnObjectKind kind, nint handle) => kind switch
    {
        HcnObjectKind.Network => ComputeNetworkNative.HcnCloseNetwork(handle),
        HcnObjectKind.Endpoint => ComputeNetworkNative.HcnCloseEndpoint(handle),
        HcnObjectKind.Namespace => ComputeNetworkNative.HcnCloseNamespace(handle),
        HcnObjectKind.LoadBalancer => ComputeNetworkNative.HcnCloseLoadBalancer(handle),
        HcnObjectKind.SdnRoute => SdnRouteExports.Instance.Close(handle),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public int HnsCall(string method, string path, string request, out nint response)
    {
        try
        {
            return VmComputeNative.HNSCall(method, path, request, out response);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // vmcompute.dll is absent without the Containers feature; report it like a missing export.
            response = 0;
            return HcnErrorCodes.ProcNotFound;
        }
    }

    private static int Missing(out nint result, out nint errorRecord)
    {
        result = 0;
        errorRecord = 0;
        return HcnErrorCodes.ModuleNotFound;
    }

    // CoTaskMemFree, as MS-docs require for every buffer these exports return (not LocalFree).
    public void FreeCoTaskMem(nint buffer) => Marshal.FreeCoTaskMem(buffer);
}
