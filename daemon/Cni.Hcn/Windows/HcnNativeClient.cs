using System.Runtime.InteropServices;
using Cni.Hcn.Errors;

namespace Cni.Hcn.Windows;

/// <summary>
/// The platform-neutral marshalling layer over <see cref="IHcnNativeApi"/>: UTF-16 JSON in, every returned buffer
/// (result and error record) converted and freed exactly once, a failed HRESULT <em>or</em> a non-empty error record
/// turned into <see cref="HcnException"/> (hcsshim <c>checkForErrors</c>), and every handle owned by a
/// <see cref="HcnHandle"/>. It also composes hcsshim's call sequences (create → query properties → close; open → modify → query → close;
/// hcsshim hcn/hcnnetwork.go, hcn/hcnendpoint.go) so that no handle outlives
/// the operation. <c>subject</c> arguments name the object in error messages ("HcnOpenNetwork 1f…").
/// </summary>
internal sealed class HcnNativeClient(IHcnNativeApi api)
{
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
        return TakeHandle(kind, Operation(kind.OpenExport(), id.ToString("D")), hr, raw, errorRecord);
    }

    /// <summary><c>HcnCreate*</c> for networks, namespaces, load balancers and SDN routes. The caller disposes the handle.</summary>
    public HcnHandle Create(HcnObjectKind kind, Guid id, string settings, string? subject = null)
    {
        if (kind == HcnObjectKind.Endpoint)
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Endpoints are created on a network handle.");
        }

        var hr = api.Create(kind, in id, settings, out var raw, out var errorRecord);
        return TakeHandle(kind, Operation(kind.CreateExport(), subject), hr, raw, errorRecord);
    }

    /// <summary><c>HcnCreateEndpoint(network, id, settings)</c>. The caller disposes the handle.</summary>
    public HcnEndpointHandle CreateEndpoint(HcnNetworkHandle network, Guid id, string settings, string? subject = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        var added = false;
        network.DangerousAddRef(ref added);
        try
        {
            var hr = api.CreateEndpoint(network.DangerousGetHandle(), in id, settings, out var raw, out var errorRecord);
            return (HcnEndpointHandle)TakeHandle(HcnObjectKind.Endpoint, Operation("HcnCreateEndpoint", subject), hr, raw, errorRecord);
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
    public void Modify(HcnHandle handle, string settings, string? subject = null)
    {
        ArgumentNullException.ThrowIfNull(handle);
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            var hr = api.Modify(handle.Kind, handle.DangerousGetHandle(), settings, out var errorRecord);
            Check(Operation(handle.Kind.ModifyExport(), subject), hr, errorRecord);
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
    public string QueryProperties(HcnHandle handle, string query, string? subject = null)
    {
        ArgumentNullException.ThrowIfNull(handle);
        return Query(handle, Operation(handle.Kind.QueryExport(), subject), query,
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
        Check(Operation(kind.DeleteExport(), id.ToString("D")), hr, errorRecord);
    }

    /// <summary>hcsshim create sequence: create → query properties → close. Returns the created object's JSON.</summary>
    /// <param name="kind">Any kind but endpoints.</param>
    /// <param name="id">The requested ID; <see cref="Guid.Empty"/> lets HNS choose (what hcsshim always sends).</param>
    /// <param name="settings">The object's JSON.</param>
    /// <param name="query">The query for the read-back.</param>
    /// <param name="subject">Names the object in error messages.</param>
    public string CreateAndQuery(HcnObjectKind kind, Guid id, string settings, string query, string? subject = null)
    {
        using var handle = Create(kind, id, settings, subject);
        return QueryProperties(handle, query, subject);
    }

    /// <summary>hcsshim endpoint create: open network → create endpoint → query → close endpoint → close network.</summary>
    public string CreateEndpointAndQuery(Guid networkId, Guid id, string settings, string query, string? subject = null)
    {
        using var network = (HcnNetworkHandle)Open(HcnObjectKind.Network, networkId);
        using var endpoint = CreateEndpoint(network, id, settings, subject);
        return QueryProperties(endpoint, query, subject);
    }

    /// <summary>Open → query → close.</summary>
    public string OpenAndQuery(HcnObjectKind kind, Guid id, string query)
    {
        using var handle = Open(kind, id);
        return QueryProperties(handle, query, id.ToString("D"));
    }

    /// <summary>hcsshim modify sequence: open → modify → query → close. Returns the object's JSON after the change.</summary>
    public string ModifyAndQuery(HcnObjectKind kind, Guid id, string settings, string query)
    {
        var subject = id.ToString("D");
        using var handle = Open(kind, id);
        Modify(handle, settings, subject);
        return QueryProperties(handle, query, subject);
    }

    /// <summary>
    /// The HNS service version via <c>HNSCall("GET", "/globals/version", "")</c>. Throws <see cref="HcnException"/>
    /// when the call or the envelope reports failure (callers treat that as "pre-1803: no features", as hcsshim does).
    /// </summary>
    public (int Major, int Minor) GetHnsVersion()
    {
        const string Function = "HNSCall GET /globals/version";
        var hr = api.HnsCall("GET", "/globals/version", string.Empty, out var response);
        var text = TakeString(response);
        if (hr < 0)
        {
            // A failed call may still carry the {"Success":false,"Error":…} envelope; it reads like an error record.
            throw HcnNativeFailure.Create(Function, hr, text);
        }

        var version = HnsVersionResponse.Parse(text ?? string.Empty, out var error);
        return version ?? throw HcnNativeFailure.Invalid(Function, error ?? "empty response");
    }

    private delegate int QueryCall(nint handle, string query, out nint result, out nint errorRecord);

    private static string Operation(string export, string? subject) =>
        string.IsNullOrWhiteSpace(subject) ? export : $"{export} {subject}";

    private string Query(HcnHandle handle, string operation, string query, QueryCall call)
    {
        ArgumentNullException.ThrowIfNull(handle);
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            var hr = call(handle.DangerousGetHandle(), query, out var result, out var errorRecord);
            var text = TakeString(result);
            Check(operation, hr, errorRecord);
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
    private HcnHandle TakeHandle(HcnObjectKind kind, string operation, int hr, nint raw, nint errorRecord)
    {
        var handle = HcnHandle.Wrap(api, kind, raw);
        try
        {
            Check(operation, hr, errorRecord);
            if (handle.IsInvalid)
            {
                throw HcnNativeFailure.Invalid(operation, "HNS returned success without a handle");
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
    private void Check(string operation, int hr, nint errorRecord)
    {
        var record = TakeString(errorRecord);
        if (hr >= 0 && string.IsNullOrWhiteSpace(record))
        {
            return;
        }

        // A success code with a record: HcnException takes the record's ErrorCode, else E_FAIL.
        throw HcnNativeFailure.Create(operation, hr < 0 ? hr : 0, record);
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
