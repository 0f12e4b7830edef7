using Cni.Hcn.Model;

namespace Cni.Hcn.Memory;

/// <summary>
/// Reads of the stored objects without the JSON round trip, for a dataplane layered on the emulator (KernelHcn) that
/// renders every load balancer with its backends: copying tens of thousands of objects through JSON on each render
/// cost seconds at 10,000 Services.
/// </summary>
/// <remarks>
/// The objects returned are the stored instances: the caller reads them and never changes them. That is safe
/// because the emulator never changes a stored object in place; every change stores a new instance (records with
/// <c>with</c>), so an instance read here stays as it was read. Peeks are not HCN calls: not counted, never delayed
/// or failed by injected faults.
/// </remarks>
public sealed partial class MemoryHcn
{
    /// <summary>The stored load balancer with this ID, null when there is none.</summary>
    public HostComputeLoadBalancer? PeekLoadBalancer(Guid loadBalancerId)
    {
        lock (_gate)
        {
            return _loadBalancers.GetValueOrDefault(loadBalancerId);
        }
    }

    /// <summary>The stored endpoint with this ID, null when there is none.</summary>
    public HostComputeEndpoint? PeekEndpoint(Guid endpointId)
    {
        lock (_gate)
        {
            return _endpoints.GetValueOrDefault(endpointId);
        }
    }

    /// <summary>Every stored network, endpoint and load balancer, read at one instant.</summary>
    public MemoryHcnPeek PeekAll()
    {
        lock (_gate)
        {
            return new MemoryHcnPeek(
                [.. _networks.Values.Select(n => n.Network)],
                [.. _endpoints.Values],
                [.. _loadBalancers.Values]);
        }
    }
}
