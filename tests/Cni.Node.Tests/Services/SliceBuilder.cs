using k8s.Models;

namespace Cni.Node.Tests.Services;

/// <summary>Builds an EndpointSlice of the test Service: ports first, then endpoints.</summary>
public sealed class SliceBuilder
{
    private readonly V1EndpointSlice _slice;

    private SliceBuilder(string name, string addressType)
    {
        _slice = new V1EndpointSlice
        {
            AddressType = addressType,
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = ServiceBuilder.Namespace,
                Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = ServiceBuilder.Name },
            },
            Ports = [],
            Endpoints = [],
        };
    }

    public static SliceBuilder V4(string name = "web-v4") => new(name, "IPv4");

    public static SliceBuilder V6(string name = "web-v6") => new(name, "IPv6");

    public SliceBuilder Port(string? name, int number, string protocol = "TCP")
    {
        _slice.Ports.Add(new Discoveryv1EndpointPort { Name = name, Port = number, Protocol = protocol });
        return this;
    }

    public SliceBuilder Endpoint(string address, string? node = null, EndpointState state = EndpointState.Ready, string[]? zones = null, string[]? forNodes = null)
    {
        _slice.Endpoints.Add(new V1Endpoint
        {
            Addresses = [address],
            NodeName = node,
            Conditions = Conditions(state),
            Hints = zones is null && forNodes is null ? null : new V1EndpointHints
            {
                ForZones = zones?.Select(z => new V1ForZone { Name = z }).ToList(),
                ForNodes = forNodes?.Select(n => new V1ForNode { Name = n }).ToList(),
            },
        });
        return this;
    }

    public V1EndpointSlice Build() => _slice;

    private static V1EndpointConditions? Conditions(EndpointState state) => state switch
    {
        EndpointState.Ready => new() { Ready = true, Serving = true, Terminating = false },
        EndpointState.ServingTerminating => new() { Ready = false, Serving = true, Terminating = true },
        EndpointState.NotServingTerminating => new() { Ready = false, Serving = false, Terminating = true },
        EndpointState.NotReady => new() { Ready = false, Serving = false, Terminating = false },
        _ => null,
    };
}
