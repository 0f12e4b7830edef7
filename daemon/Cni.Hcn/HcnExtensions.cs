using Cni.Hcn.Errors;
using Cni.Hcn.Model;

namespace Cni.Hcn;

/// <summary>
/// Conveniences over <see cref="IHcn"/> for reconcile loops, which should not use exceptions for "not found":
/// deletes that report whether anything was there, lookups by name.
/// </summary>
public static class HcnExtensions
{
    /// <summary>Deletes a HostComputeEndpoint; "already gone" is not an error.</summary>
    /// <returns>True when it was deleted, false when it did not exist.</returns>
    /// <exception cref="HcnException">Any failure other than not-found.</exception>
    public static async Task<bool> DeleteEndpointIfExistsAsync(this IHcn hcn, Guid endpointId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hcn);
        try
        {
            await hcn.DeleteEndpointAsync(endpointId, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (HcnException ex) when (ex.IsNotFound)
        {
            return false;
        }
    }

    /// <summary>
    /// Detaches an endpoint from its namespace, then deletes it, as windows-container-networking's DEL does
    /// (network/manager.go: RemoveNamespaceEndpoint before HcnDeleteEndpoint): the namespace never holds a reference to
    /// a deleted endpoint. A namespace or attachment that is already gone is not an error, nor is the endpoint.
    /// </summary>
    /// <param name="endpoint">The endpoint as last read (its <c>HostComputeNamespace</c> says where it is attached).</param>
    /// <returns>True when it was deleted, false when it did not exist.</returns>
    /// <exception cref="HcnException">Any failure other than not-found (and not-attached on the detach).</exception>
    public static async Task<bool> DetachAndDeleteEndpointAsync(this IHcn hcn, HostComputeEndpoint endpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hcn);
        ArgumentNullException.ThrowIfNull(endpoint);
        if (endpoint.HostComputeNamespace != Guid.Empty)
        {
            try
            {
                await hcn.RemoveNamespaceEndpointAsync(endpoint.HostComputeNamespace, endpoint.Id, cancellationToken).ConfigureAwait(false);
            }
            catch (HcnException ex) when (ex.IsNotFound || ex.HResult == HcnErrorCodes.EndpointNotAttached)
            {
                // The namespace went first (sandbox torn down) or the endpoint is no longer in it: nothing to detach.
            }
        }

        return await hcn.DeleteEndpointIfExistsAsync(endpoint.Id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes a HostComputeRoute; "already gone" is not an error.</summary>
    /// <returns>True when it was deleted, false when it did not exist.</returns>
    /// <exception cref="HcnException">Any failure other than not-found.</exception>
    public static async Task<bool> DeleteSdnRouteIfExistsAsync(this IHcn hcn, Guid routeId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hcn);
        try
        {
            await hcn.DeleteSdnRouteAsync(routeId, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (HcnException ex) when (ex.IsNotFound)
        {
            return false;
        }
    }

    /// <summary>
    /// The network named <paramref name="name"/>, or null. Filters by name in the query and again on the result
    /// (case-insensitively, as Windows object names are), so an implementation that ignores the filter still answers right.
    /// </summary>
    /// <param name="name">The network name.</param>
    /// <returns>The first network with that name, or null.</returns>
    public static async Task<HostComputeNetwork?> FindNetworkByNameAsync(this IHcn hcn, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hcn);
        var networks = await hcn.EnumerateNetworksAsync(HostComputeQuery.ByName(name), cancellationToken).ConfigureAwait(false);
        return networks.FirstOrDefault(n => string.Equals(n.Name, name, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// The host's default namespace (v2 <c>Type</c> <c>HostDefault</c>), or null. Lists every namespace and selects by
    /// <c>Type</c> as hcsshim does (cmd/ncproxy/hcn.go); the <c>IsDefault</c> filter of
    /// <see cref="HostComputeQuery.DefaultNamespace"/> is a v1 field HNS may ignore, which would hand back a pod's namespace.
    /// </summary>
    /// <returns>The first namespace whose type is HostDefault, or null.</returns>
    public static async Task<HostComputeNamespace?> FindHostDefaultNamespaceAsync(this IHcn hcn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hcn);
        var namespaces = await hcn.EnumerateNamespacesAsync(null, cancellationToken).ConfigureAwait(false);
        return namespaces.FirstOrDefault(n => n.Type == NamespaceType.HostDefault);
    }

    /// <summary>The endpoints named <paramref name="name"/> (HNS does not keep endpoint names unique).</summary>
    /// <param name="name">The endpoint name.</param>
    /// <returns>The endpoints with that name; empty when none.</returns>
    public static async Task<IReadOnlyList<HostComputeEndpoint>> FindEndpointsByNameAsync(this IHcn hcn, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hcn);
        var endpoints = await hcn.EnumerateEndpointsAsync(HostComputeQuery.ByName(name), cancellationToken).ConfigureAwait(false);
        return endpoints.Where(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase)).ToArray();
    }
}
