using System.Net;
using Cni.Hcn.Kernel.Nftables;
using Cni.Hcn.Model;

namespace Cni.Hcn.Kernel;

/// <summary>
/// Load balancers: nftables DNAT in the services table, one chain per load balancer; a change sends only the changed
/// load balancers' chains and map elements (<see cref="Nftables.ServiceTableSync"/>).
/// </summary>
public sealed partial class KernelHcn
{
    /// <inheritdoc/>
    public async Task<HostComputeLoadBalancer> CreateLoadBalancerAsync(HostComputeLoadBalancer loadBalancer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(loadBalancer);

        // Shared with other object work and locked per object (the ID is chosen here, as the object layer would), so
        // concurrent load-balancer calls share commits: a service proxy programming thousands of them in parallel
        // pays one nft transaction per commit, not one per load balancer.
        var input = loadBalancer.Id == Guid.Empty ? loadBalancer with { Id = Guid.NewGuid() } : loadBalancer;
        using var changes = _store.HoldBack();
        var held = await EnterSharedAsync([input.Id], cancellationToken).ConfigureAwait(false);
        try
        {
            var created = await _objects.CreateLoadBalancerAsync(input, cancellationToken).ConfigureAwait(false);
            try
            {
                Prerender(created.Id);
                await CommitAsync(cancellationToken, loadBalancer: created.Id).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsKernelFailure(ex))
            {
                await _objects.DeleteLoadBalancerAsync(created.Id, CancellationToken.None).ConfigureAwait(false);
                throw KernelFailure("HcnCreateLoadBalancer", ex);
            }

            return created;
        }
        finally
        {
            held.Dispose();
        }
    }

    /// <inheritdoc/>
    public Task<HostComputeLoadBalancer> GetLoadBalancerAsync(Guid loadBalancerId, CancellationToken cancellationToken) =>
        ReadAsync(() => _objects.GetLoadBalancerAsync(loadBalancerId, cancellationToken), cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<HostComputeLoadBalancer>> EnumerateLoadBalancersAsync(HostComputeQuery? query, CancellationToken cancellationToken) =>
        ReadAsync(() => _objects.EnumerateLoadBalancersAsync(query, cancellationToken), cancellationToken);

    /// <inheritdoc/>
    public async Task<HostComputeLoadBalancer> ModifyLoadBalancerAsync(Guid loadBalancerId, HostComputeLoadBalancer loadBalancer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(loadBalancer);
        using var changes = _store.HoldBack();
        var held = await EnterSharedAsync([loadBalancerId], cancellationToken).ConfigureAwait(false);
        try
        {
            var before = await _objects.GetLoadBalancerAsync(loadBalancerId, cancellationToken).ConfigureAwait(false);
            var after = await _objects.ModifyLoadBalancerAsync(loadBalancerId, loadBalancer, cancellationToken).ConfigureAwait(false);
            try
            {
                Prerender(loadBalancerId);
                await CommitAsync(cancellationToken, loadBalancer: loadBalancerId).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsKernelFailure(ex))
            {
                await _objects.ModifyLoadBalancerAsync(loadBalancerId, before, CancellationToken.None).ConfigureAwait(false);
                throw KernelFailure($"HcnModifyLoadBalancer {loadBalancerId:D}", ex);
            }

            return after;
        }
        finally
        {
            held.Dispose();
        }
    }

    /// <inheritdoc/>
    public async Task DeleteLoadBalancerAsync(Guid loadBalancerId, CancellationToken cancellationToken)
    {
        using var changes = _store.HoldBack();
        var held = await EnterSharedAsync([loadBalancerId], cancellationToken).ConfigureAwait(false);
        try
        {
            await _objects.DeleteLoadBalancerAsync(loadBalancerId, cancellationToken).ConfigureAwait(false);
            await CommitAsync(CancellationToken.None, loadBalancer: loadBalancerId).ConfigureAwait(false);
        }
        finally
        {
            held.Dispose();
        }
    }

    /// <summary>Backend addresses for a services table: every endpoint's address of <paramref name="family"/>, local or remote.</summary>
    private static Dictionary<Guid, IPAddress> EndpointAddresses(IEnumerable<HostComputeEndpoint> endpoints, NftFamily family) =>
        endpoints.Select(e => (e.Id, Address: NftRenderer.AddressOf(e, family))).Where(p => p.Address is not null).ToDictionary(p => p.Id, p => p.Address!);
}
