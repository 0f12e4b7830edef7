using System.Net;
using Cni.Hcn.Kernel.Netlink;
using Cni.Hcn.Model;

namespace Cni.Hcn.Kernel;

/// <summary>
/// SDN routes: each route with a next hop becomes a host route in the node's namespace (how L2Bridge nodes reach each
/// other's pod CIDRs via the peer node IP). A next hop that is one of the node's own addresses needs nothing: pods
/// already route through the node. Routes without a next hop have no Linux meaning and are kept as objects only.
/// </summary>
public sealed partial class KernelHcn
{
    /// <inheritdoc/>
    public async Task<HostComputeRoute> CreateSdnRouteAsync(HostComputeRoute route, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(route);
        var held = await EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var created = await _objects.CreateSdnRouteAsync(route, cancellationToken).ConfigureAwait(false);
            try
            {
                ApplyHostRoutes(new HashSet<RouteSpec>(), HostRoutes([created]));
                await CommitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsKernelFailure(ex))
            {
                await _objects.DeleteSdnRouteAsync(created.Id, CancellationToken.None).ConfigureAwait(false);
                var remaining = await AllRoutesAsync().ConfigureAwait(false);
                TryKernel("route", created.Id, () => ApplyHostRoutes(HostRoutes([created]), HostRoutes(remaining)));
                throw KernelFailure("HcnCreateSdnRoute", ex);
            }

            return created;
        }
        finally
        {
            held.Dispose();
        }
    }

    /// <inheritdoc/>
    public Task<HostComputeRoute> GetSdnRouteAsync(Guid routeId, CancellationToken cancellationToken) =>
        ReadAsync(() => _objects.GetSdnRouteAsync(routeId, cancellationToken), cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<HostComputeRoute>> EnumerateSdnRoutesAsync(HostComputeQuery? query, CancellationToken cancellationToken) =>
        ReadAsync(() => _objects.EnumerateSdnRoutesAsync(query, cancellationToken), cancellationToken);

    /// <inheritdoc/>
    public async Task<HostComputeRoute> ModifySdnRouteAsync(Guid routeId, HostComputeRoute route, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(route);
        var held = await EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var before = await AllRoutesAsync().ConfigureAwait(false);
            var old = await _objects.GetSdnRouteAsync(routeId, cancellationToken).ConfigureAwait(false);
            var after = await _objects.ModifySdnRouteAsync(routeId, route, cancellationToken).ConfigureAwait(false);
            var now = await AllRoutesAsync().ConfigureAwait(false);
            try
            {
                ApplyHostRoutes(HostRoutes(before), HostRoutes(now));
                await CommitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsKernelFailure(ex))
            {
                await _objects.ModifySdnRouteAsync(routeId, old, CancellationToken.None).ConfigureAwait(false);
                TryKernel("route", routeId, () => ApplyHostRoutes(HostRoutes(now), HostRoutes(before)));
                throw KernelFailure($"HcnModifySdnRoute {routeId:D}", ex);
            }

            return after;
        }
        finally
        {
            held.Dispose();
        }
    }

    /// <inheritdoc/>
    public async Task DeleteSdnRouteAsync(Guid routeId, CancellationToken cancellationToken)
    {
        var held = await EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var before = await AllRoutesAsync().ConfigureAwait(false);
            await _objects.DeleteSdnRouteAsync(routeId, cancellationToken).ConfigureAwait(false);
            var after = await AllRoutesAsync().ConfigureAwait(false);
            TryKernel("route", routeId, () => ApplyHostRoutes(HostRoutes(before), HostRoutes(after)));
            await CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            held.Dispose();
        }
    }

    private Task<IReadOnlyList<HostComputeRoute>> AllRoutesAsync() => _objects.EnumerateSdnRoutesAsync(null, CancellationToken.None);

    /// <summary>The host routes the SDN routes ask for (next hops that are local addresses need none).</summary>
    private HashSet<RouteSpec> HostRoutes(IEnumerable<HostComputeRoute> routes)
    {
        var local = _host.ListAddresses().Select(a => a.Address).ToHashSet();
        var result = new HashSet<RouteSpec>();
        foreach (var setting in routes.SelectMany(r => r.Routes ?? []))
        {
            if (IPNetwork.TryParse(setting.DestinationPrefix ?? string.Empty, out var destination)
                && IPAddress.TryParse(setting.NextHop ?? string.Empty, out var hop)
                && hop.AddressFamily == destination.BaseAddress.AddressFamily && !local.Contains(hop))
            {
                result.Add(new RouteSpec(destination, hop));
            }
        }

        return result;
    }

    private void ApplyHostRoutes(IReadOnlySet<RouteSpec> before, IReadOnlySet<RouteSpec> after)
    {
        foreach (var gone in before.Where(r => !after.Contains(r)))
        {
            _host.DeleteRoute(gone);
        }

        foreach (var route in after.Where(r => !before.Contains(r)))
        {
            _host.ReplaceRoute(route);
        }
    }
}
