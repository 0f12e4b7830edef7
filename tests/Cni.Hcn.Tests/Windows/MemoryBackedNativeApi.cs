using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Cni.Hcn.Errors;
using Cni.Hcn.Json;
using Cni.Hcn.Memory;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Requests;
using Cni.Hcn.Windows;

namespace Cni.Hcn.Tests.Windows;

/// <summary>
/// computenetwork.dll emulated on top of <see cref="MemoryHcn"/>: JSON text in and out, handles, CoTaskMem buffers
/// and HNS-style error records. With it <see cref="WindowsHcn"/> runs the whole IHcn contract suite on any OS, so its
/// documents, call sequences and error mapping are exercised end to end without a Windows host.
/// </summary>
internal sealed class MemoryBackedNativeApi(MemoryHcn hcn) : IHcnNativeApi
{
    private readonly ConcurrentDictionary<nint, (HcnObjectKind Kind, Guid Id)> _handles = new();
    private readonly ConcurrentDictionary<nint, byte> _buffers = new();
    private long _nextHandle = 0x10000;

    public int OpenHandles => _handles.Count;

    public int OutstandingBuffers => _buffers.Count;

    public int Enumerate(HcnObjectKind kind, string query, out nint result, out nint errorRecord)
    {
        nint output = 0;
        var hr = Run(() =>
        {
            var parsed = HcnJson.Deserialize<HostComputeQuery>(query);
            IEnumerable<Guid> ids = kind switch
            {
                HcnObjectKind.Network => Wait(hcn.EnumerateNetworksAsync(parsed, default)).Select(n => n.Id),
                HcnObjectKind.Endpoint => Wait(hcn.EnumerateEndpointsAsync(parsed, default)).Select(e => e.Id),
                HcnObjectKind.Namespace => Wait(hcn.EnumerateNamespacesAsync(parsed, default)).Select(n => n.Id),
                HcnObjectKind.LoadBalancer => Wait(hcn.EnumerateLoadBalancersAsync(parsed, default)).Select(l => l.Id),
                _ => Wait(hcn.EnumerateSdnRoutesAsync(parsed, default)).Select(r => r.Id),
            };
            output = Allocate(JsonSerializer.Serialize(ids.Select(id => id.ToString("D")).ToArray(), TestJsonContext.Default.StringArray));
        }, out errorRecord);
        result = output;
        return hr;
    }

    public int Create(HcnObjectKind kind, in Guid id, string settings, out nint handle, out nint errorRecord)
    {
        var requested = id;
        nint created = 0;
        var hr = Run(() =>
        {
            var newId = kind switch
            {
                HcnObjectKind.Network => Wait(hcn.CreateNetworkAsync(Parse<HostComputeNetwork>(settings) with { Id = requested }, default)).Id,
                HcnObjectKind.Namespace => Wait(hcn.CreateNamespaceAsync(Parse<HostComputeNamespace>(settings) with { Id = requested }, default)).Id,
                HcnObjectKind.LoadBalancer => Wait(hcn.CreateLoadBalancerAsync(Parse<HostComputeLoadBalancer>(settings) with { Id = requested }, default)).Id,
                HcnObjectKind.SdnRoute => Wait(hcn.CreateSdnRouteAsync(Parse<HostComputeRoute>(settings) with { Id = requested }, default)).Id,
                _ => throw new HcnException("HcnCreate", HcnErrorCodes.InvalidParameter),
            };
            created = NewHandle(kind, newId);
        }, out errorRecord);
        handle = created;
        return hr;
    }

    public int CreateEndpoint(nint network, in Guid id, string settings, out nint handle, out nint errorRecord)
    {
        var requested = id;
        nint created = 0;
        var hr = Run(() =>
        {
            var networkId = Resolve(network, HcnObjectKind.Network);
            var endpoint = Parse<HostComputeEndpoint>(settings);
            if (endpoint.HostComputeNetwork != networkId)
            {
                throw new HcnException("HcnCreateEndpoint", HcnErrorCodes.InvalidJsonReference, detail: "HostComputeNetwork differs from the network handle");
            }

            created = NewHandle(HcnObjectKind.Endpoint, Wait(hcn.CreateEndpointAsync(networkId, endpoint with { Id = requested }, default)).Id);
        }, out errorRecord);
        handle = created;
        return hr;
    }

    public int Open(HcnObjectKind kind, in Guid id, out nint handle, out nint errorRecord)
    {
        var target = id;
        nint opened = 0;
        var hr = Run(() =>
        {
            _ = QueryJson(kind, target);
            opened = NewHandle(kind, target);
        }, out errorRecord);
        handle = opened;
        return hr;
    }

    public int Modify(HcnObjectKind kind, nint handle, string settings, out nint errorRecord) => Run(() =>
    {
        var id = Resolve(handle, kind);
        _ = kind switch
        {
            HcnObjectKind.Network => (object)Wait(hcn.ModifyNetworkAsync(id, Parse<ModifyNetworkSettingRequest>(settings), default)),
            HcnObjectKind.Endpoint => Wait(hcn.ModifyEndpointAsync(id, Parse<ModifyEndpointSettingRequest>(settings), default)),
            HcnObjectKind.Namespace => Wait(hcn.ModifyNamespaceAsync(id, Parse<ModifyNamespaceSettingRequest>(settings), default)),
            HcnObjectKind.LoadBalancer => Wait(hcn.ModifyLoadBalancerAsync(id, Parse<HostComputeLoadBalancer>(settings), default)),
            _ => Wait(hcn.ModifySdnRouteAsync(id, Parse<HostComputeRoute>(settings), default)),
        };
    }, out errorRecord);

    public int QueryProperties(HcnObjectKind kind, nint handle, string query, out nint properties, out nint errorRecord)
    {
        nint output = 0;
        var hr = Run(() => output = Allocate(QueryJson(kind, Resolve(handle, kind))), out errorRecord);
        properties = output;
        return hr;
    }

    public int QueryEndpointStats(nint endpoint, string query, out nint stats, out nint errorRecord)
    {
        nint output = 0;
        var hr = Run(() => output = Allocate(string.Create(CultureInfo.InvariantCulture, $"{{\"InstanceId\":\"{Resolve(endpoint, HcnObjectKind.Endpoint):D}\"}}")), out errorRecord);
        stats = output;
        return hr;
    }

    public int QueryEndpointAddresses(nint endpoint, string query, out nint addresses, out nint errorRecord) =>
        QueryEndpointStats(endpoint, query, out addresses, out errorRecord);

    public int Delete(HcnObjectKind kind, in Guid id, out nint errorRecord)
    {
        var target = id;
        return Run(() => Wait(kind switch
        {
            HcnObjectKind.Network => hcn.DeleteNetworkAsync(target, default),
            HcnObjectKind.Endpoint => hcn.DeleteEndpointAsync(target, default),
            HcnObjectKind.Namespace => hcn.DeleteNamespaceAsync(target, default),
            HcnObjectKind.LoadBalancer => hcn.DeleteLoadBalancerAsync(target, default),
            _ => hcn.DeleteSdnRouteAsync(target, default),
        }), out errorRecord);
    }

    public int Close(HcnObjectKind kind, nint handle) =>
        _handles.TryRemove(handle, out var entry) && entry.Kind == kind ? 0 : unchecked((int)0x80070006);

    public int HnsCall(string method, string path, string request, out nint response)
    {
        var version = Wait(hcn.GetVersionAsync(default));
        response = Allocate(string.Create(CultureInfo.InvariantCulture,
            $"{{\"Success\":true,\"Output\":{{\"Major\":{version.Major},\"Minor\":{version.Minor}}}}}"));
        return 0;
    }

    public void FreeCoTaskMem(nint buffer)
    {
        if (_buffers.TryRemove(buffer, out _))
        {
            Marshal.FreeCoTaskMem(buffer);
        }
    }

    // MemoryHcn without latency completes synchronously; blocking here mirrors computenetwork.dll's synchronous calls.
    private static T Wait<T>(Task<T> task) => task.GetAwaiter().GetResult();

    private static void Wait(Task task) => task.GetAwaiter().GetResult();

    private static T Parse<T>(string json)
        where T : class
    {
        try
        {
            return HcnJson.Deserialize<T>(json) ?? throw new HcnException("parse", HcnErrorCodes.InvalidJson);
        }
        catch (JsonException ex)
        {
            throw new HcnException("parse", HcnErrorCodes.InvalidJson, detail: ex.Message);
        }
    }

    private string QueryJson(HcnObjectKind kind, Guid id) => kind switch
    {
        HcnObjectKind.Network => HcnJson.Serialize(Wait(hcn.GetNetworkAsync(id, default))),
        HcnObjectKind.Endpoint => HcnJson.Serialize(Wait(hcn.GetEndpointAsync(id, default))),
        HcnObjectKind.Namespace => HcnJson.Serialize(Wait(hcn.GetNamespaceAsync(id, default))),
        HcnObjectKind.LoadBalancer => HcnJson.Serialize(Wait(hcn.GetLoadBalancerAsync(id, default))),
        _ => HcnJson.Serialize(Wait(hcn.GetSdnRouteAsync(id, default))),
    };

    /// <summary>Runs an emulated call and turns an HCN failure into the HRESULT + error record HNS returns.</summary>
    private int Run(Action call, out nint errorRecord)
    {
        errorRecord = 0;
        try
        {
            call();
            return 0;
        }
        catch (HcnException ex)
        {
            errorRecord = Allocate(string.Create(CultureInfo.InvariantCulture,
                $"{{\"Success\":false,\"Error\":{JsonSerializer.Serialize(ex.Message, TestJsonContext.Default.String)},\"ErrorCode\":{unchecked((uint)ex.HResult)}}}"));
            return ex.HResult;
        }
    }

    private Guid Resolve(nint handle, HcnObjectKind kind) =>
        _handles.TryGetValue(handle, out var entry) && entry.Kind == kind
            ? entry.Id
            : throw new HcnException("handle", unchecked((int)0x80070006), detail: $"0x{handle:X} is not an open {kind} handle");

    private nint NewHandle(HcnObjectKind kind, Guid id)
    {
        var handle = (nint)Interlocked.Increment(ref _nextHandle);
        _handles[handle] = (kind, id);
        return handle;
    }

    private nint Allocate(string text)
    {
        var buffer = Marshal.StringToCoTaskMemUni(text);
        _buffers[buffer] = 0;
        return buffer;
    }
}
