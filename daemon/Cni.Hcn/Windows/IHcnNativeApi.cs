namespace Cni.Hcn.Windows;

/// <summary>
/// The seam between the marshalling logic and computenetwork.dll / vmcompute.dll. It mirrors the native exports
/// one level above the raw ABI: handles are raw pointers, output strings are raw callee-allocated <c>PWSTR</c>
/// buffers, and the return value is the HRESULT. Everything above it (string conversion, freeing every buffer,
/// error-record checks, handle lifetime) lives in <see cref="HcnNativeClient"/> and is tested on any OS with a
/// fake implementation; the production implementation is <see cref="HcnNativeApi"/>.
/// </summary>
internal interface IHcnNativeApi
{
    /// <summary><c>HcnEnumerate{Kind}s(query, &amp;result, &amp;errorRecord)</c>.</summary>
    int Enumerate(HcnObjectKind kind, string query, out nint result, out nint errorRecord);

    /// <summary><c>HcnCreate{Kind}(&amp;id, settings, &amp;handle, &amp;errorRecord)</c> for every kind except endpoints.</summary>
    int Create(HcnObjectKind kind, in Guid id, string settings, out nint handle, out nint errorRecord);

    /// <summary><c>HcnCreateEndpoint(network, &amp;id, settings, &amp;handle, &amp;errorRecord)</c>: the network handle comes first.</summary>
    int CreateEndpoint(nint network, in Guid id, string settings, out nint handle, out nint errorRecord);

    /// <summary><c>HcnOpen{Kind}(&amp;id, &amp;handle, &amp;errorRecord)</c>.</summary>
    int Open(HcnObjectKind kind, in Guid id, out nint handle, out nint errorRecord);

    /// <summary><c>HcnModify{Kind}(handle, settings, &amp;errorRecord)</c>.</summary>
    int Modify(HcnObjectKind kind, nint handle, string settings, out nint errorRecord);

    /// <summary><c>HcnQuery{Kind}Properties(handle, query, &amp;properties, &amp;errorRecord)</c>.</summary>
    int QueryProperties(HcnObjectKind kind, nint handle, string query, out nint properties, out nint errorRecord);

    /// <summary><c>HcnQueryEndpointStats(endpoint, query, &amp;stats, &amp;errorRecord)</c>.</summary>
    int QueryEndpointStats(nint endpoint, string query, out nint stats, out nint errorRecord);

    /// <summary><c>HcnQueryEndpointAddresses(endpoint, query, &amp;addresses, &amp;errorRecord)</c>.</summary>
    int QueryEndpointAddresses(nint endpoint, string query, out nint addresses, out nint errorRecord);

    /// <summary><c>HcnDelete{Kind}(&amp;id, &amp;errorRecord)</c>.</summary>
    int Delete(HcnObjectKind kind, in Guid id, out nint errorRecord);

    /// <summary><c>HcnClose{Kind}(handle)</c>.</summary>
    int Close(HcnObjectKind kind, nint handle);

    /// <summary><c>vmcompute.dll!HNSCall(method, path, request, &amp;response)</c> (HNS v1 transport; used for the version).</summary>
    int HnsCall(string method, string path, string request, out nint response);

    /// <summary>Releases a buffer returned by any function above (<c>CoTaskMemFree</c>).</summary>
    void FreeCoTaskMem(nint buffer);
}
