using Cni.Hcn.Model;
using Cni.Node.Ipam;

namespace Cni.Node.Networks;

/// <summary>Desired beside actual for <c>wincnid status</c>: the network, its endpoints and the IPAM leases.</summary>
/// <param name="IsReady">Readiness.</param>
/// <param name="NotReadyReason">Why not ready, or null.</param>
/// <param name="NetworkName">The configured network name.</param>
/// <param name="DesiredNetwork">The network the config asks for (null until the node's facts are known).</param>
/// <param name="ActualNetwork">The network HNS has under that name (null when absent).</param>
/// <param name="Differences">Desired vs actual.</param>
/// <param name="Endpoints">The HCN endpoints on the network.</param>
/// <param name="Leases">The IPAM leases of the network.</param>
/// <param name="Pools">Pool occupancy.</param>
/// <param name="StaleLeases">Recovered leases that do not fit the current pools.</param>
/// <param name="Error">Why HNS could not be read for the snapshot (the actual side is then incomplete), or null.</param>
public sealed record NodeStatusSnapshot(
    bool IsReady,
    string? NotReadyReason,
    string NetworkName,
    HostComputeNetwork? DesiredNetwork,
    HostComputeNetwork? ActualNetwork,
    IReadOnlyList<NetworkDifference> Differences,
    IReadOnlyList<EndpointStatus> Endpoints,
    IReadOnlyList<LeaseStatus> Leases,
    IReadOnlyList<IpPoolUsage> Pools,
    IReadOnlyList<StaleLease> StaleLeases,
    string? Error);
