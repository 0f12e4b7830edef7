using Cni.Hcn.Errors;
using Cni.Hcn.Model;

namespace Cni.Hcn.Memory;

/// <summary>SDN routes: a non-empty set of existing endpoints and well-formed routes.</summary>
public sealed partial class MemoryHcn
{
    private readonly Dictionary<Guid, HostComputeRoute> _routes = [];

    /// <inheritdoc/>
    public async Task<HostComputeRoute> CreateSdnRouteAsync(HostComputeRoute route, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(route);
        const string Operation = "HcnCreateSdnRoute";
        await _calls.EnterAsync(MemoryHcnOperation.CreateSdnRoute, Operation, cancellationToken).ConfigureAwait(false);
        var input = CopyIn(route, Operation);
        HostComputeRoute stored;
        lock (_gate)
        {
            var id = input.Id == Guid.Empty ? Guid.NewGuid() : input.Id;
            if (_routes.ContainsKey(id))
            {
                throw new HcnException(Operation, HcnErrorCodes.AlreadyExists, detail: $"an SDN route with ID {id:D} exists");
            }

            stored = StoreRouteLocked(id, input, Operation);
        }

        await PersistAsync().ConfigureAwait(false);
        return CopyOut(stored);
    }

    /// <inheritdoc/>
    public async Task<HostComputeRoute> GetSdnRouteAsync(Guid routeId, CancellationToken cancellationToken)
    {
        var operation = Describe("HcnOpenSdnRoute", routeId);
        await _calls.EnterAsync(MemoryHcnOperation.GetSdnRoute, operation, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            return CopyOut(FindRoute(routeId, operation));
        }
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<HostComputeRoute>> EnumerateSdnRoutesAsync(HostComputeQuery? query, CancellationToken cancellationToken)
    {
        await _calls.EnterAsync(MemoryHcnOperation.EnumerateSdnRoutes, "HcnEnumerateSdnRoutes", cancellationToken).ConfigureAwait(false);
        var filter = FilterOf(query);
        List<HostComputeRoute> matches;
        lock (_gate)
        {
            matches = _routes.Values
                .Where(r => Matches(filter, r.Id, network: r.HostComputeNetwork == Guid.Empty ? null : r.HostComputeNetwork))
                .ToList();
        }

        return CopyOut(matches);
    }

    /// <inheritdoc/>
    public async Task<HostComputeRoute> ModifySdnRouteAsync(Guid routeId, HostComputeRoute route, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(route);
        var operation = Describe("HcnModifySdnRoute", routeId);
        await _calls.EnterAsync(MemoryHcnOperation.ModifySdnRoute, operation, cancellationToken).ConfigureAwait(false);
        var input = CopyIn(route, operation);
        HostComputeRoute stored;
        lock (_gate)
        {
            FindRoute(routeId, operation);
            stored = StoreRouteLocked(routeId, input, operation);
        }

        await PersistAsync().ConfigureAwait(false);
        return CopyOut(stored);
    }

    /// <inheritdoc/>
    public async Task DeleteSdnRouteAsync(Guid routeId, CancellationToken cancellationToken)
    {
        var operation = Describe("HcnDeleteSdnRoute", routeId);
        await _calls.EnterAsync(MemoryHcnOperation.DeleteSdnRoute, operation, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            FindRoute(routeId, operation);
            _routes.Remove(routeId);
            Changed(MemoryHcnStore.SdnRouteKind, routeId);
        }

        await PersistAsync().ConfigureAwait(false);
    }

    private HostComputeRoute FindRoute(Guid routeId, string operation) =>
        _routes.TryGetValue(routeId, out var route)
            ? route
            : throw new HcnException(operation, HcnErrorCodes.ElementNotFound, detail: $"no SDN route {routeId:D}");

    private HostComputeRoute StoreRouteLocked(Guid id, HostComputeRoute input, string operation)
    {
        if (input.HostComputeEndpoints is not { Count: > 0 } endpoints)
        {
            throw new HcnException(operation, HcnErrorCodes.InvalidParameter, detail: "an SDN route needs at least one endpoint");
        }

        foreach (var endpoint in endpoints)
        {
            FindEndpoint(endpoint, operation, reference: true);
        }

        if (input.HostComputeNetwork != Guid.Empty)
        {
            FindNetwork(input.HostComputeNetwork, operation);
        }

        foreach (var route in input.Routes ?? [])
        {
            if (!AddressMath.TryParsePrefix(route.DestinationPrefix, out _)
                || (!string.IsNullOrEmpty(route.NextHop) && !AddressMath.TryParseAddress(route.NextHop, out _)))
            {
                throw new HcnException(operation, HcnErrorCodes.InvalidParameter, detail: $"route {route.DestinationPrefix} via {route.NextHop} is malformed");
            }
        }

        var stored = input with { Id = id, SchemaVersion = input.SchemaVersion ?? SchemaVersion.V2 };
        _routes[id] = stored;
        Changed(MemoryHcnStore.SdnRouteKind, id);
        return stored;
    }

    /// <summary>A deleted endpoint leaves every route's endpoint list.</summary>
    private void DropRouteEndpoint(Guid endpointId)
    {
        foreach (var route in _routes.Values.Where(r => r.HostComputeEndpoints?.Contains(endpointId) == true).ToList())
        {
            var rest = route.HostComputeEndpoints!.Where(e => e != endpointId).ToList();
            _routes[route.Id] = route with { HostComputeEndpoints = rest.Count == 0 ? null : rest };
            Changed(MemoryHcnStore.SdnRouteKind, route.Id);
        }
    }
}
