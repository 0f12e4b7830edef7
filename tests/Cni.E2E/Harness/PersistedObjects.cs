using Cni.Hcn.Memory;
using Cni.Hcn.Model;
using Cni.LocalCluster;

namespace Cni.E2E.Harness;

/// <summary>The HCN objects a node's wincnid has persisted for its kernel dataplane, read from a copy of its store.</summary>
internal static class PersistedObjects
{
    public static async Task<IReadOnlyList<HostComputeNamespace>> NamespacesAsync(ClusterNode node, CancellationToken cancellationToken)
    {
        var persisted = await MemoryHcn.ReadPersistedAsync(
            Path.Combine(node.StateDir, "kernel"),
            (kind, id, e) => Assert.Fail($"persisted {kind} {id} cannot be restored: {e.Message}"),
            cancellationToken).ConfigureAwait(false);
        using (persisted)
        {
            return await persisted.EnumerateNamespacesAsync(null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The load balancers and endpoints persisted, by ID (read from a copy of the store, so the daemon may run).</summary>
    public static async Task<(IReadOnlyList<HostComputeLoadBalancer> LoadBalancers, IReadOnlyList<HostComputeEndpoint> Endpoints)> LoadBalancersAndEndpointsAsync(
        ClusterNode node, CancellationToken cancellationToken)
    {
        var persisted = await MemoryHcn.ReadPersistedAsync(
            Path.Combine(node.StateDir, "kernel"),
            (kind, id, e) => Assert.Fail($"persisted {kind} {id} cannot be restored: {e.Message}"),
            cancellationToken).ConfigureAwait(false);
        using (persisted)
        {
            return (await persisted.EnumerateLoadBalancersAsync(null, cancellationToken).ConfigureAwait(false),
                await persisted.EnumerateEndpointsAsync(null, cancellationToken).ConfigureAwait(false));
        }
    }
}
