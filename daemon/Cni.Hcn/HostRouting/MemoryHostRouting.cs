using System.Net;
using System.Net.Sockets;
using Cni.Hcn.Model;

namespace Cni.Hcn.HostRouting;

/// <summary>
/// The host's IP stack emulated for tests and the memory dataplane: interfaces with addresses and per-family forwarding,
/// and a route table with the <see cref="IHostRouting"/> contract's answers. With an <see cref="IHcn"/> it also shows
/// the host vNICs HNS makes: an endpoint attached to the host's default namespace gives the host an interface holding
/// the endpoint's addresses (flannel's <c>cbr0_ep</c> becomes <c>vEthernet (cbr0_ep)</c>, hostgw_windows.go).
/// </summary>
public sealed class MemoryHostRouting : IHostRouting
{
    /// <summary>Where the indexes of emulated host vNICs start.</summary>
    public const int FirstVnicIndex = 100;

    private readonly IHcn? _hcn;
    private readonly Lock _gate = new();
    private readonly Dictionary<int, Interface> _interfaces = [];
    private readonly Dictionary<Guid, int> _vnicIndexes = [];
    private readonly Dictionary<IPAddress, int> _hiddenLookups = [];
    private readonly List<HostRoute> _routes = [];
    private long _calls;

    /// <summary>Creates an empty host; with <paramref name="hcn"/>, host endpoints show up as interfaces.</summary>
    /// <param name="hcn">The dataplane whose host-attached endpoints are host vNICs; null for none.</param>
    public MemoryHostRouting(IHcn? hcn = null)
    {
        _hcn = hcn;
    }

    /// <summary>How many <see cref="IHostRouting"/> calls were made (tests check that a settled pass makes few).</summary>
    public long Calls => Interlocked.Read(ref _calls);

    /// <summary>Adds (or replaces) an interface holding <paramref name="addresses"/>, forwarding off.</summary>
    /// <param name="index">Its index.</param>
    /// <param name="addresses">Its unicast addresses.</param>
    public void AddInterface(int index, params IPAddress[] addresses)
    {
        lock (_gate)
        {
            _interfaces[index] = new Interface(index, [.. addresses]);
        }
    }

    /// <summary>Removes an interface; its routes go with it, as on Windows and Linux.</summary>
    /// <param name="index">Its index.</param>
    public void RemoveInterface(int index)
    {
        lock (_gate)
        {
            _interfaces.Remove(index);
            _routes.RemoveAll(r => r.InterfaceIndex == index);
        }
    }

    /// <summary>The next <paramref name="lookups"/> lookups of <paramref name="address"/> find nothing (an adapter HNS is still making).</summary>
    /// <param name="address">The address.</param>
    /// <param name="lookups">How many lookups miss it.</param>
    public void HideFor(IPAddress address, int lookups)
    {
        lock (_gate)
        {
            _hiddenLookups[address] = lookups;
        }
    }

    /// <summary>The routes now in the table (every family).</summary>
    public IReadOnlyList<HostRoute> Routes
    {
        get
        {
            lock (_gate)
            {
                return [.. _routes];
            }
        }
    }

    /// <inheritdoc/>
    public async Task<int?> FindInterfaceIndexAsync(IPAddress address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        Enter(cancellationToken);
        lock (_gate)
        {
            if (_hiddenLookups.TryGetValue(address, out var left) && left > 0)
            {
                _hiddenLookups[address] = left - 1;
                return null;
            }

            if (_interfaces.Values.FirstOrDefault(i => i.Addresses.Contains(address)) is { } known)
            {
                return known.Index;
            }
        }

        await RefreshVnicsAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            return _interfaces.Values.FirstOrDefault(i => i.Addresses.Contains(address))?.Index;
        }
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<HostRoute>> ListRoutesAsync(AddressFamily family, CancellationToken cancellationToken)
    {
        Enter(cancellationToken);
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<HostRoute>>([.. _routes.Where(r => r.Family == family)]);
        }
    }

    /// <inheritdoc/>
    public async Task AddRouteAsync(HostRoute route, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(route);
        Enter(cancellationToken);
        await RefreshVnicsAsync(cancellationToken).ConfigureAwait(false);
        var operation = "add route " + route;
        lock (_gate)
        {
            if (route.NextHop.AddressFamily != route.Family)
            {
                throw new HostRoutingException(operation, HostRoutingErrorKind.InvalidParameter, 87, "ERROR_INVALID_PARAMETER", "the next hop's family differs from the destination's");
            }

            if (!_interfaces.ContainsKey(route.InterfaceIndex))
            {
                throw new HostRoutingException(operation, HostRoutingErrorKind.InterfaceNotFound, 1168, "ERROR_NOT_FOUND");
            }

            if (_routes.Exists(r => r.SameRoute(route)))
            {
                throw new HostRoutingException(operation, HostRoutingErrorKind.AlreadyExists, 5010, "ERROR_OBJECT_ALREADY_EXISTS");
            }

            _routes.Add(route.Metric == 0 ? route with { Metric = HostRoute.WindowsDefaultMetric } : route);
        }
    }

    /// <inheritdoc/>
    public Task<bool> DeleteRouteAsync(HostRoute route, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(route);
        Enter(cancellationToken);
        lock (_gate)
        {
            return Task.FromResult(_routes.RemoveAll(r => r.SameRoute(route)) > 0);
        }
    }

    /// <inheritdoc/>
    public async Task<bool> GetForwardingAsync(int interfaceIndex, AddressFamily family, CancellationToken cancellationToken)
    {
        Enter(cancellationToken);
        await RefreshVnicsAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            return Find(interfaceIndex, "get forwarding").Forwarding.Contains(family);
        }
    }

    /// <inheritdoc/>
    public async Task SetForwardingAsync(int interfaceIndex, AddressFamily family, bool enabled, CancellationToken cancellationToken)
    {
        Enter(cancellationToken);
        await RefreshVnicsAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            var target = Find(interfaceIndex, "set forwarding");
            if (enabled)
            {
                target.Forwarding.Add(family);
            }
            else
            {
                target.Forwarding.Remove(family);
            }
        }
    }

    private void Enter(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Increment(ref _calls);
    }

    private Interface Find(int index, string operation) =>
        _interfaces.TryGetValue(index, out var found)
            ? found
            : throw new HostRoutingException($"{operation} if#{index}", HostRoutingErrorKind.InterfaceNotFound, 2, "ERROR_FILE_NOT_FOUND");

    /// <summary>Host vNICs follow the dataplane: one per endpoint attached to a HostDefault namespace, gone with it.</summary>
    private async Task RefreshVnicsAsync(CancellationToken cancellationToken)
    {
        if (_hcn is null)
        {
            return;
        }

        var hostDefaults = (await _hcn.EnumerateNamespacesAsync(null, cancellationToken).ConfigureAwait(false))
            .Where(n => n.Type == NamespaceType.HostDefault)
            .Select(n => n.Id)
            .ToHashSet();
        var attached = (await _hcn.EnumerateEndpointsAsync(null, cancellationToken).ConfigureAwait(false))
            .Where(e => hostDefaults.Contains(e.HostComputeNamespace))
            .ToList();
        lock (_gate)
        {
            foreach (var (endpointId, index) in _vnicIndexes.Where(v => !attached.Exists(e => e.Id == v.Key)).ToList())
            {
                _vnicIndexes.Remove(endpointId);
                _interfaces.Remove(index);
                _routes.RemoveAll(r => r.InterfaceIndex == index);
            }

            foreach (var endpoint in attached.Where(e => !_vnicIndexes.ContainsKey(e.Id)))
            {
                var index = FirstVnicIndex + _vnicIndexes.Count;
                while (_interfaces.ContainsKey(index))
                {
                    index++;
                }

                _vnicIndexes[endpoint.Id] = index;
                var addresses = (endpoint.IpConfigurations ?? [])
                    .Select(c => IPAddress.TryParse(c.IpAddress, out var a) ? a : null)
                    .OfType<IPAddress>()
                    .ToArray();
                _interfaces[index] = new Interface(index, [.. addresses]);
            }
        }
    }

    private sealed class Interface(int index, HashSet<IPAddress> addresses)
    {
        public int Index { get; } = index;

        public HashSet<IPAddress> Addresses { get; } = addresses;

        public HashSet<AddressFamily> Forwarding { get; } = [];
    }
}
