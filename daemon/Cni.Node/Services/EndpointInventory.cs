using System.Net;
using Cni.Hcn.Model;

namespace Cni.Node.Services;

/// <summary>The pod network's endpoints as the engine sees them: wincni's remote and VIP endpoints by IP, everything else by IP.</summary>
/// <param name="OwnedRemote">Remote endpoints under <see cref="RemoteEndpointIds"/>, by address.</param>
/// <param name="OwnedVip">Overlay ClusterIP endpoints under <see cref="ClusterIpEndpointIds"/>, by cluster IP.</param>
/// <param name="Foreign">Every other endpoint by address (pods here, first; then other agents' remote endpoints).</param>
internal sealed record EndpointInventory(
    IReadOnlyDictionary<IPAddress, HostComputeEndpoint> OwnedRemote,
    IReadOnlyDictionary<IPAddress, HostComputeEndpoint> OwnedVip,
    IReadOnlyDictionary<IPAddress, Guid> Foreign)
{
    public static EndpointInventory From(IReadOnlyList<HostComputeEndpoint> endpoints)
    {
        var owned = new Dictionary<IPAddress, HostComputeEndpoint>();
        var vips = new Dictionary<IPAddress, HostComputeEndpoint>();
        var foreign = new Dictionary<IPAddress, Guid>();

        // Local endpoints first, so an IP held by a pod here and by a foreign remote endpoint resolves to the pod.
        foreach (var endpoint in endpoints.OrderBy(e => e.Flags.HasFlag(EndpointFlags.RemoteEndpoint)))
        {
            foreach (var config in endpoint.IpConfigurations ?? [])
            {
                if (!IPAddress.TryParse(config.IpAddress, out var address))
                {
                    continue;
                }

                if (RemoteEndpointIds.IsOwned(endpoint.Id))
                {
                    owned.TryAdd(address, endpoint);
                }
                else if (ClusterIpEndpointIds.IsOwned(endpoint.Id))
                {
                    vips.TryAdd(address, endpoint);
                }
                else
                {
                    foreign.TryAdd(address, endpoint.Id);
                }
            }
        }

        return new EndpointInventory(owned, vips, foreign);
    }
}
