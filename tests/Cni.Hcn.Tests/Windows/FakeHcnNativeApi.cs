using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Cni.Hcn.Windows;

namespace Cni.Hcn.Tests.Windows;

/// <summary>One call that crossed the seam, with the export it stands for.</summary>
internal sealed record NativeCall(string Export, HcnObjectKind? Kind, Guid? Id, nint Handle, string? Json);

/// <summary>What the fake answers: HRESULT, result text, error record text, and whether a handle comes back.</summary>
internal sealed record NativeReply(int HResult = 0, string? Result = null, string? ErrorRecord = null, bool ReturnsHandle = true)
{
    public static NativeReply Ok(string? result = null) => new(0, result);
}

/// <summary>
/// A scripted <see cref="IHcnNativeApi"/>: records every call, hands out fake handles, and allocates every returned
/// string with CoTaskMem so that tests can prove each buffer is freed exactly once and each handle closed exactly once.
/// </summary>
internal sealed class FakeHcnNativeApi : IHcnNativeApi
{
    private readonly ConcurrentDictionary<nint, byte> _buffers = new();
    private readonly ConcurrentDictionary<nint, HcnObjectKind> _handles = new();
    private readonly List<NativeCall> _calls = [];
    private long _nextHandle = 0x1000;

    /// <summary>Decides the reply for each call (except Close and FreeCoTaskMem). Default: success with "{}".</summary>
    public Func<NativeCall, NativeReply> Handler { get; set; } = _ => NativeReply.Ok("{}");

    public IReadOnlyList<NativeCall> Calls
    {
        get
        {
            lock (_calls)
            {
                return [.. _calls];
            }
        }
    }

    public IEnumerable<string> Exports => Calls.Select(c => c.Export);

    public int OutstandingBuffers => _buffers.Count;

    public int OpenHandles => _handles.Count;

    public int FreedBuffers { get; private set; }

    public List<string> Problems { get; } = [];

    public int Enumerate(HcnObjectKind kind, string query, out nint result, out nint errorRecord)
    {
        var reply = Invoke(new NativeCall(kind.EnumerateExport(), kind, null, 0, query));
        result = Allocate(reply.Result);
        errorRecord = Allocate(reply.ErrorRecord);
        return reply.HResult;
    }

    public int Create(HcnObjectKind kind, in Guid id, string settings, out nint handle, out nint errorRecord)
    {
        var reply = Invoke(new NativeCall(kind.CreateExport(), kind, id, 0, settings));
        handle = reply.ReturnsHandle ? NewHandle(kind) : 0;
        errorRecord = Allocate(reply.ErrorRecord);
        return reply.HResult;
    }

    public int CreateEndpoint(nint network, in Guid id, string settings, out nint handle, out nint errorRecord)
    {
        if (!_handles.TryGetValue(network, out var kind) || kind != HcnObjectKind.Network)
        {
            Problems.Add($"HcnCreateEndpoint got 0x{network:X}, which is not an open network handle.");
        }

        var reply = Invoke(new NativeCall("HcnCreateEndpoint", HcnObjectKind.Endpoint, id, network, settings));
        handle = reply.ReturnsHandle ? NewHandle(HcnObjectKind.Endpoint) : 0;
        errorRecord = Allocate(reply.ErrorRecord);
        return reply.HResult;
    }

    public int Open(HcnObjectKind kind, in Guid id, out nint handle, out nint errorRecord)
    {
        var reply = Invoke(new NativeCall(kind.OpenExport(), kind, id, 0, null));
        handle = reply.ReturnsHandle ? NewHandle(kind) : 0;
        errorRecord = Allocate(reply.ErrorRecord);
        return reply.HResult;
    }

    public int Modify(HcnObjectKind kind, nint handle, string settings, out nint errorRecord)
    {
        CheckHandle(kind, handle, kind.ModifyExport());
        var reply = Invoke(new NativeCall(kind.ModifyExport(), kind, null, handle, settings));
        errorRecord = Allocate(reply.ErrorRecord);
        return reply.HResult;
    }

    public int QueryProperties(HcnObjectKind kind, nint handle, string query, out nint properties, out nint errorRecord)
    {
        CheckHandle(kind, handle, kind.QueryExport());
        var reply = Invoke(new NativeCall(kind.QueryExport(), kind, null, handle, query));
        properties = Allocate(reply.Result);
        errorRecord = Allocate(reply.ErrorRecord);
        return reply.HResult;
    }

    public int QueryEndpointStats(nint endpoint, string query, out nint stats, out nint errorRecord)
    {
        CheckHandle(HcnObjectKind.Endpoint, endpoint, "HcnQueryEndpointStats");
        var reply = Invoke(new NativeCall("HcnQueryEndpointStats", HcnObjectKind.Endpoint, null, endpoint, query));
        stats = Allocate(reply.Result);
        errorRecord = Allocate(reply.ErrorRecord);
        return reply.HResult;
    }

    public int QueryEndpointAddresses(nint endpoint, string query, out nint addresses, out nint errorRecord)
    {
        CheckHandle(HcnObjectKind.Endpoint, endpoint, "HcnQueryEndpointAddresses");
        var reply = Invoke(new NativeCall("HcnQueryEndpointAddresses", HcnObjectKind.Endpoint, null, endpoint, query));
        addresses = Allocate(reply.Result);
        errorRecord = Allocate(reply.ErrorRecord);
        return reply.HResult;
    }

    public int Delete(HcnObjectKind kind, in Guid id, out nint errorRecord)
    {
        var reply = Invoke(new NativeCall(kind.DeleteExport(), kind, id, 0, null));
        errorRecord = Allocate(reply.ErrorRecord);
        return reply.HResult;
    }

    public int Close(HcnObjectKind kind, nint handle)
    {
        Record(new NativeCall(kind.CloseExport(), kind, null, handle, null));
        if (!_handles.TryRemove(handle, out var openedAs))
        {
            Problems.Add($"{kind.CloseExport()} on 0x{handle:X}, which is not open (double close?).");
            return unchecked((int)0x80070006); // E_HANDLE
        }

        if (openedAs != kind)
        {
            Problems.Add($"{kind.CloseExport()} on a {openedAs} handle.");
        }

        return 0;
    }

    public int HnsCall(string method, string path, string request, out nint response)
    {
        var reply = Invoke(new NativeCall("HNSCall", null, null, 0, $"{method} {path} {request}".TrimEnd()));
        response = Allocate(reply.Result);
        return reply.HResult;
    }

    public void FreeCoTaskMem(nint buffer)
    {
        if (!_buffers.TryRemove(buffer, out _))
        {
            Problems.Add($"FreeCoTaskMem on 0x{buffer:X}, which this fake did not allocate or already freed.");
            return;
        }

        FreedBuffers++;
        Marshal.FreeCoTaskMem(buffer);
    }

    private NativeReply Invoke(NativeCall call)
    {
        Record(call);
        return Handler(call);
    }

    private void Record(NativeCall call)
    {
        lock (_calls)
        {
            _calls.Add(call);
        }
    }

    private nint Allocate(string? text)
    {
        if (text is null)
        {
            return 0;
        }

        var buffer = Marshal.StringToCoTaskMemUni(text);
        _buffers[buffer] = 0;
        return buffer;
    }

    private nint NewHandle(HcnObjectKind kind)
    {
        var handle = (nint)Interlocked.Increment(ref _nextHandle);
        _handles[handle] = kind;
        return handle;
    }

    private void CheckHandle(HcnObjectKind kind, nint handle, string export)
    {
        if (!_handles.TryGetValue(handle, out var openedAs) || openedAs != kind)
        {
            Problems.Add($"{export} got 0x{handle:X}, which is not an open {kind} handle.");
        }
    }
}
