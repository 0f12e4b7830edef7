using System.Runtime.InteropServices;

namespace Cni.Hcn.Windows;

/// <summary>
/// The platform-neutral marshalling layer over <see cref="IHcnNativeApi"/>: UTF-16 JSON in, every returned buffer
/// (result and error record) converted and freed exactly once, a failed HRESULT <em>or</em> a non-empty error record
/// turned into an exception (hcsshim <c>checkForErrors</c>), and every handle owned by a <see cref="HcnHandle"/>.
/// It also composes hcsshim's call sequences (reference §1.4) so that no handle outlives the operation.
/// </summary>
internal sealed class HcnNativeClient(IHcnNativeApi api)
{
    /// <summary>HNS's all-zero GUID: "assign an ID for me" (hcsshim always passes it).</summary>
    private static readonly Guid ZeroGuid = Guid.Empty;

    /// <summary><c>HcnEnumerate*</c>: returns the raw JSON (an array of GUID strings).</summary>
    public string Enumerate(HcnObjectKind kind, string query)
    {
        var hr = api.Enumerate(kind, query, out var result, out var errorRecord);
        var text = TakeString(result);
        Check(kind.EnumerateExport(), hr, errorRecord);
        return text ?? "[]";
    }

    /// <summary><c>HcnOpen*</c>. The caller disposes the handle.</summary>
    public HcnHandle Open(HcnObjectKind kind, Guid id)
    {
        var hr = api.Open(kind, in id, out var raw, out var errorRecord);
        return TakeHandle(kind, kind.OpenExport(), hr, raw, errorRecord);
    }

    /// <summary><c>HcnCreate*</c> for networks, namespaces, load balancers and SDN routes. The caller disposes the handle.</summary>
    public HcnHandle Create(HcnObjectKind kind, Guid id, string settings)
    {
        if (kind == HcnObjectKind.Endpoint)
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Endpoints are created on a network handle.");
        }

        var hr = api.Create(kind, in id, settings, out var raw, out var errorRecord);
        return TakeHandle(kind, kind.CreateExport(), hr, raw, errorRecord);
    }

    /// <summary><c>HcnCreateEndpoint(network, id, settings)</c>. The caller disposes the handle.</summary>
    public HcnEndpointHandle CreateEndpoint(HcnNetworkHandle network, Guid id, string settings)
    {
        ArgumentNullException.ThrowIfNull(network);
        var added = false;
        network.DangerousAddRef(ref added);
        try
        {
            var hr = api.CreateEndpoint(network.DangerousGetHandle(), in id, settings, out var raw, out var errorRecord);
            return (HcnEndpointHandle)TakeHandle(HcnObjectKind.Endpoint, "HcnCreateEndpoint", hr, raw, errorRecord);
        }
        finally
        {
            if (added)
            {
                network.DangerousRelease();
            }
        }
    }

    /// <summary><c>HcnModify*(handle, settings)</c>.</summary>
    public void Modify(HcnHandle handle, string settings)
    {
        ArgumentNullException.ThrowIfNull(handle);
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            var hr = api.Modify(handle.Kind, handle.DangerousGetHandle(), settings, out var errorRecord);
            Check(handle.Kind.ModifyExport(), hr, errorRecord);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary><c>HcnQuery*Properties(handle, query)</c>: the object's JSON.</summary>
    public string QueryProperties(HcnHandle handle, string query)
    {
        ArgumentNullException.ThrowIfNull(handle);
        return Query(handle, handle.Kind.QueryExport(), query,
            (nint h, string q, out nint r, out nint e) => api.QueryProperties(handle.Kind, h, q, out r, out e));
    }

    /// <summary><c>HcnQueryEndpointStats(endpoint, query)</c>.</summary>
    public string QueryEndpointStats(HcnEndpointHandle endpoint, string query) =>
        Query(endpoint, "HcnQueryEndpointStats", query, api.QueryEndpointStats);

    /// <summary><c>HcnQueryEndpointAddresses(endpoint, query)</c>.</summary>
    public string QueryEndpointAddresses(HcnEndpointHandle endpoint, string query) =>
        Query(endpoint, "HcnQueryEndpointAddresses", query, api.QueryEndpointAddresses);

    /// <summary><c>HcnDelete*(id)</c>: no handle needed.</summary>
    public void Delete(HcnObjectKind kind, Guid id)
    {
        var hr = api.Delete(kind, in id, out var errorRecord);
        Check(kind.DeleteExport(), hr, errorRecord);
    }

    /// <summary>hcsshim create sequence: create → query properties → close. Returns the created object's JSON.</summary>
    public string CreateAndQuery(HcnObjectKind kind, Guid? id, string settings, string query)
    {
        using var handle = Create(kind, id ?? ZeroGuid, settings);
        return QueryProperties(handle, query);
    }

    /// <summary>hcsshim endpoint create: open network → create endpoint → query → close endpoint → close network.</summary>
    public string CreateEndpointAndQuery(Guid networkId, Guid? id, string settings, string query)
    {
        using var network = (HcnNetworkHandle)Open(HcnObjectKind.Network, networkId);
        using var endpoint = CreateEndpoint(network, id ?? ZeroGuid, settings);
        return QueryProperties(endpoint, query);
    }

    /// <summary>Open → query → close.</summary>
    public string OpenAndQuery(HcnObjectKind kind, Guid id, string query)
    {
        using var handle = Open(kind, id);
        return QueryProperties(handle, query);
    }

    /// <summary>hcsshim modify sequence: open → modify → query → close. Returns the object's JSON after the change.</summary>
    public string ModifyAndQuery(HcnObjectKind kind, Guid id, string settings, string query)
    {
        using var handle = Open(kind, id);
        Modify(handle, settings);
        return QueryProperties(handle, query);
    }

    /// <summary>
    /// The HNS service version via <c>HNSCall("GET", "/globals/version", "")</c>. Throws <see cref="HcnNativeCallException"/>
    /// when the call or the envelope reports failure (callers treat that as "pre-1803: no features", as hcsshim does).
    /// </summary>
    public (int Major, int Minor) GetHnsVersion()
    {
        const string Function = "HNSCall GET /globals/version";
        var hr = api.HnsCall("GET", "/globals/version", string.Empty, out var response);
        var text = TakeString(response);
        if (hr < 0)
        {
            throw HcnNativeFailure.Create(Function, hr, text);
        }

        var version = HnsVersionResponse.Parse(text ?? string.Empty, out var error);
        return version ?? throw HcnNativeFailure.Create(Function, NativeHResults.InvalidData, error ?? text);
    }

    private delegate int QueryCall(nint handle, string query, out nint result, out nint errorRecord);

    private string Query(HcnHandle handle, string function, string query, QueryCall call)
    {
        ArgumentNullException.ThrowIfNull(handle);
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            var hr = call(handle.DangerousGetHandle(), query, out var result, out var errorRecord);
            var text = TakeString(result);
            Check(function, hr, errorRecord);
            return text ?? string.Empty;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Wraps a returned handle before anything can throw, so that a handle HNS hands back together with a failure
    /// (hcsshim leaks it in that case) is still closed.
    /// </summary>
    private HcnHandle TakeHandle(HcnObjectKind kind, string function, int hr, nint raw, nint errorRecord)
    {
        var handle = HcnHandle.Wrap(api, kind, raw);
        try
        {
            Check(function, hr, errorRecord);
            if (handle.IsInvalid)
            {
                throw HcnNativeFailure.Create(function, NativeHResults.InvalidData, "HNS returned success without a handle.");
            }

            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>hcsshim <c>checkForErrors</c>: failure if the HRESULT failed or the error record is non-empty.</summary>
    private void Check(string function, int hr, nint errorRecord)
    {
        var record = TakeString(errorRecord);
        if (hr >= 0 && string.IsNullOrEmpty(record))
        {
            return;
        }

        throw HcnNativeFailure.Create(function, hr, record);
    }

    /// <summary>Converts a callee-allocated PWSTR and frees it (CoTaskMemFree) exactly once.</summary>
    private string? TakeString(nint buffer)
    {
        if (buffer == 0)
        {
            return null;
        }

        try
        {
            return Marshal.PtrToStringUni(buffer);
        }
        finally
        {
            api.FreeCoTaskMem(buffer);
        }
    }
}
