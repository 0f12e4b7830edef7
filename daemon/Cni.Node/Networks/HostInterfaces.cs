using System.Net;

namespace Cni.Node.Networks;

/// <summary>The host side of the node network, as the bootstrap found it.</summary>
/// <param name="ManagementAddress">The host's address on the network's vNIC (the Overlay ProviderAddress, else the node IP).</param>
/// <param name="ManagementIndex">The index of the host interface holding it (it changes when HNS rebuilds the vNIC).</param>
/// <param name="HostEndpointIndexes">L2Bridge: the interfaces holding the host endpoint's addresses (.2); empty on Overlay.</param>
public sealed record HostInterfaces(IPAddress ManagementAddress, int ManagementIndex, IReadOnlyList<int> HostEndpointIndexes);
