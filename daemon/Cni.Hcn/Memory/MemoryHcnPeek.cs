using Cni.Hcn.Model;

namespace Cni.Hcn.Memory;

/// <summary>The emulator's stored objects at one instant (<see cref="MemoryHcn.PeekAll"/>); read only, never changed.</summary>
/// <param name="Networks">Every network.</param>
/// <param name="Endpoints">Every endpoint, local and remote.</param>
/// <param name="LoadBalancers">Every load balancer.</param>
public sealed record MemoryHcnPeek(
    IReadOnlyList<HostComputeNetwork> Networks,
    IReadOnlyList<HostComputeEndpoint> Endpoints,
    IReadOnlyList<HostComputeLoadBalancer> LoadBalancers);
