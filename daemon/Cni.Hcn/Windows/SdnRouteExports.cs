using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Cni.Hcn.Errors;

namespace Cni.Hcn.Windows;

/// <summary>
/// The <c>Hcn*SdnRoute*</c> exports, resolved at run time with <see cref="NativeLibrary.TryGetExport"/>: they are in
/// neither the public header nor MS-docs and may be missing on older builds (only hcsshim, hcn/zsyscall_windows.go, and SDN-psm1 use them). A missing export
/// becomes <c>HRESULT_FROM_WIN32(ERROR_PROC_NOT_FOUND)</c> from the call instead of a crash at load time, which is
/// what hcsshim's lazy <c>?</c> bindings do.
/// </summary>
[SupportedOSPlatform("windows")]
internal sealed unsafe class SdnRouteExports
{
    private static readonly Lazy<SdnRouteExports> Shared = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly delegate* unmanaged[Stdcall]<char*, nint*, nint*, int> _enumerate;
    private readonly delegate* unmanaged[Stdcall]<Guid*, char*, nint*, nint*, int> _create;
    private readonly delegate* unmanaged[Stdcall]<Guid*, nint*, nint*, int> _open;
    private readonly delegate* unmanaged[Stdcall]<nint, char*, nint*, int> _modify;
    private readonly delegate* unmanaged[Stdcall]<nint, char*, nint*, nint*, int> _query;
    private readonly delegate* unmanaged[Stdcall]<Guid*, nint*, int> _delete;
    private readonly delegate* unmanaged[Stdcall]<nint, int> _close;

    private SdnRouteExports(nint library)
    {
        _enumerate = (delegate* unmanaged[Stdcall]<char*, nint*, nint*, int>)Resolve(library, "HcnEnumerateSdnRoutes");
        _create = (delegate* unmanaged[Stdcall]<Guid*, char*, nint*, nint*, int>)Resolve(library, "HcnCreateSdnRoute");
        _open = (delegate* unmanaged[Stdcall]<Guid*, nint*, nint*, int>)Resolve(library, "HcnOpenSdnRoute");
        _modify = (delegate* unmanaged[Stdcall]<nint, char*, nint*, int>)Resolve(library, "HcnModifySdnRoute");
        _query = (delegate* unmanaged[Stdcall]<nint, char*, nint*, nint*, int>)Resolve(library, "HcnQuerySdnRouteProperties");
        _delete = (delegate* unmanaged[Stdcall]<Guid*, nint*, int>)Resolve(library, "HcnDeleteSdnRoute");
        _close = (delegate* unmanaged[Stdcall]<nint, int>)Resolve(library, "HcnCloseSdnRoute");
    }

    /// <summary>The process-wide table; the library is loaded once and never unloaded (as with the static imports).</summary>
    public static SdnRouteExports Instance => Shared.Value;

    public int Enumerate(string query, out nint result, out nint errorRecord)
    {
        result = 0;
        errorRecord = 0;
        if (_enumerate == null)
        {
            return HcnErrorCodes.ProcNotFound;
        }

        fixed (char* q = query)
        fixed (nint* r = &result)
        fixed (nint* e = &errorRecord)
        {
            return _enumerate(q, r, e);
        }
    }

    public int Create(in Guid id, string settings, out nint handle, out nint errorRecord)
    {
        handle = 0;
        errorRecord = 0;
        if (_create == null)
        {
            return HcnErrorCodes.ProcNotFound;
        }

        fixed (Guid* g = &id)
        fixed (char* s = settings)
        fixed (nint* h = &handle)
        fixed (nint* e = &errorRecord)
        {
            return _create(g, s, h, e);
        }
    }

    public int Open(in Guid id, out nint handle, out nint errorRecord)
    {
        handle = 0;
        errorRecord = 0;
        if (_open == null)
        {
            return HcnErrorCodes.ProcNotFound;
        }

        fixed (Guid* g = &id)
        fixed (nint* h = &handle)
        fixed (nint* e = &errorRecord)
        {
            return _open(g, h, e);
        }
    }

    public int Modify(nint handle, string settings, out nint errorRecord)
    {
        errorRecord = 0;
        if (_modify == null)
        {
            return HcnErrorCodes.ProcNotFound;
        }

        fixed (char* s = settings)
        fixed (nint* e = &errorRecord)
        {
            return _modify(handle, s, e);
        }
    }

    public int QueryProperties(nint handle, string query, out nint properties, out nint errorRecord)
    {
        properties = 0;
        errorRecord = 0;
        if (_query == null)
        {
            return HcnErrorCodes.ProcNotFound;
        }

        fixed (char* q = query)
        fixed (nint* p = &properties)
        fixed (nint* e = &errorRecord)
        {
            return _query(handle, q, p, e);
        }
    }

    public int Delete(in Guid id, out nint errorRecord)
    {
        errorRecord = 0;
        if (_delete == null)
        {
            return HcnErrorCodes.ProcNotFound;
        }

        fixed (Guid* g = &id)
        fixed (nint* e = &errorRecord)
        {
            return _delete(g, e);
        }
    }

    public int Close(nint handle) => _close == null ? HcnErrorCodes.ProcNotFound : _close(handle);

    private static SdnRouteExports Load() =>
        new(NativeLibrary.TryLoad("computenetwork.dll", typeof(SdnRouteExports).Assembly, DllImportSearchPath.System32, out var library)
            ? library
            : 0);

    private static nint Resolve(nint library, string name) =>
        library != 0 && NativeLibrary.TryGetExport(library, name, out var address) ? address : 0;
}
