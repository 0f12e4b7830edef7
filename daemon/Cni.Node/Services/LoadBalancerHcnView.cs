using System.Net;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;

namespace Cni.Node.Services;

/// <summary>
/// What the engine believes HCN holds: the last listing, with every write the engine made since applied to it. An
/// event-driven pass plans against it instead of listing HCN again; the periodic resync (or any pass after a write
/// failed) lists and replaces it, which is how changes made behind the engine's back are found.
/// </summary>
internal sealed class LoadBalancerHcnView
{
    private readonly Dictionary<Guid, HostComputeLoadBalancer> _ownedLoadBalancers;
    private readonly Dictionary<IPAddress, Guid> _ownedRemote;
    private readonly Dictionary<Guid, int> _references = [];
    private readonly Dictionary<Guid, IPAddress> _remoteAddresses = [];

    // The provider address of each owned remote endpoint that has one; the values are interned (one instance per node).
    private readonly Dictionary<IPAddress, IPAddress> _remoteProviders = [];
    private readonly Dictionary<IPAddress, IPAddress> _providerInstances = [];
    private readonly Dictionary<IPAddress, (Guid Id, IPAddress? ProviderAddress)> _ownedVip = [];
    private Dictionary<IPAddress, Guid> _foreign;

    private LoadBalancerHcnView(Guid networkId, EndpointInventory inventory, IReadOnlyList<HostComputeLoadBalancer> loadBalancers)
    {
        NetworkId = networkId;
        _ownedRemote = [];
        foreach (var (address, endpoint) in inventory.OwnedRemote)
        {
            SetRemote(address, endpoint.Id, ProviderAddressOf(endpoint));
        }

        SetVips(inventory);
        _foreign = new Dictionary<IPAddress, Guid>(inventory.Foreign);
        _ownedLoadBalancers = new Dictionary<Guid, HostComputeLoadBalancer>(loadBalancers.Count);
        foreach (var lb in loadBalancers)
        {
            // Every load balancer counts for the references (another agent's may use wincni's remote endpoints), only owned ones are kept.
            if (LoadBalancerIds.IsOwned(lb.Id))
            {
                _ownedLoadBalancers[lb.Id] = lb;
            }

            Reference(lb, 1);
        }
    }

    public Guid NetworkId { get; }

    /// <summary>wincni's load balancers by ID.</summary>
    public IReadOnlyDictionary<Guid, HostComputeLoadBalancer> OwnedLoadBalancers => _ownedLoadBalancers;

    /// <summary>wincni's remote endpoints by address (their IDs: the objects are not kept, 50,000 of them would cost megabytes).</summary>
    public IReadOnlyDictionary<IPAddress, Guid> OwnedRemote => _ownedRemote;

    /// <summary>wincni's overlay ClusterIP endpoints by cluster IP: their IDs and provider addresses.</summary>
    public IReadOnlyDictionary<IPAddress, (Guid Id, IPAddress? ProviderAddress)> OwnedVip => _ownedVip;

    /// <summary>Every other endpoint of the network by address (pods here first).</summary>
    public IReadOnlyDictionary<IPAddress, Guid> Foreign => _foreign;

    public static LoadBalancerHcnView From(Guid networkId, IReadOnlyList<HostComputeEndpoint> endpoints, IReadOnlyList<HostComputeLoadBalancer> loadBalancers) =>
        new(networkId, EndpointInventory.From(endpoints), loadBalancers);

    /// <summary>Whether a load balancer in HCN refers to the endpoint <paramref name="endpointId"/>.</summary>
    public bool IsReferenced(Guid endpointId) => _references.GetValueOrDefault(endpointId) > 0;

    /// <summary>Takes a fresh endpoint listing; returns the addresses whose foreign endpoint appeared, vanished or changed.</summary>
    public HashSet<IPAddress> ReplaceEndpoints(IReadOnlyList<HostComputeEndpoint> endpoints)
    {
        var inventory = EndpointInventory.From(endpoints);
        var changed = new HashSet<IPAddress>();
        foreach (var (address, id) in inventory.Foreign)
        {
            if (!_foreign.TryGetValue(address, out var known) || known != id)
            {
                changed.Add(address);
            }
        }

        foreach (var address in _foreign.Keys)
        {
            if (!inventory.Foreign.ContainsKey(address))
            {
                changed.Add(address);
            }
        }

        _foreign = new Dictionary<IPAddress, Guid>(inventory.Foreign);
        SetVips(inventory);
        _ownedRemote.Clear();
        _remoteAddresses.Clear();
        _remoteProviders.Clear();
        foreach (var (address, endpoint) in inventory.OwnedRemote)
        {
            SetRemote(address, endpoint.Id, ProviderAddressOf(endpoint));
        }

        return changed;
    }

    /// <summary>Records that HCN now holds <paramref name="loadBalancer"/> under its ID (created or changed); returns what it held before.</summary>
    public HostComputeLoadBalancer? SetLoadBalancer(HostComputeLoadBalancer loadBalancer)
    {
        var old = RemoveLoadBalancer(loadBalancer.Id);
        _ownedLoadBalancers[loadBalancer.Id] = loadBalancer;
        Reference(loadBalancer, 1);
        return old;
    }

    /// <summary>Records that HCN no longer holds the owned load balancer <paramref name="id"/>; returns what it held.</summary>
    public HostComputeLoadBalancer? RemoveLoadBalancer(Guid id)
    {
        if (_ownedLoadBalancers.Remove(id, out var old))
        {
            Reference(old, -1);
            return old;
        }

        return null;
    }

    /// <summary>Records that HCN holds the owned remote endpoint <paramref name="id"/> for <paramref name="address"/>, with that provider address (null: none).</summary>
    public void SetRemote(IPAddress address, Guid id, IPAddress? providerAddress)
    {
        _ownedRemote[address] = id;
        _remoteAddresses[id] = address;
        if (providerAddress is null)
        {
            _remoteProviders.Remove(address);
        }
        else
        {
            if (!_providerInstances.TryGetValue(providerAddress, out var interned))
            {
                _providerInstances[providerAddress] = interned = providerAddress;
            }

            _remoteProviders[address] = interned;
        }
    }

    public void RemoveRemote(IPAddress address)
    {
        if (_ownedRemote.Remove(address, out var id))
        {
            _remoteAddresses.Remove(id);
        }

        _remoteProviders.Remove(address);
    }

    /// <summary>Records that HCN holds the owned VIP endpoint <paramref name="id"/> for <paramref name="address"/>.</summary>
    public void SetVip(IPAddress address, Guid id, IPAddress? providerAddress) => _ownedVip[address] = (id, providerAddress);

    public void RemoveVip(IPAddress address) => _ownedVip.Remove(address);

    /// <summary>The provider address the owned remote endpoint for <paramref name="address"/> carries in HCN, or null (none, or no such endpoint).</summary>
    public IPAddress? RemoteProviderAddress(IPAddress address) => _remoteProviders.GetValueOrDefault(address);

    /// <summary>
    /// Records that HCN dropped the endpoints <paramref name="endpointIds"/> from every load balancer (what deleting an
    /// endpoint does): owned load balancers that had one get a copy without it; no load balancer refers to them any more.
    /// </summary>
    /// <returns>The IDs of the owned load balancers that changed.</returns>
    public List<Guid> DropBackends(IReadOnlySet<Guid> endpointIds)
    {
        var changed = new List<HostComputeLoadBalancer>();
        foreach (var lb in _ownedLoadBalancers.Values)
        {
            if (lb.HostComputeEndpoints is { } backends && backends.Any(endpointIds.Contains))
            {
                var rest = backends.Where(id => !endpointIds.Contains(id)).ToList();
                changed.Add(lb with { HostComputeEndpoints = rest.Count == 0 ? null : rest });
            }
        }

        foreach (var lb in changed)
        {
            SetLoadBalancer(lb);
        }

        foreach (var id in endpointIds)
        {
            // Other agents' load balancers (counted, not kept) lost them too.
            _references.Remove(id);
        }

        return [.. changed.Select(lb => lb.Id)];
    }

    /// <summary>The address of the owned remote endpoint with <paramref name="id"/>, if the view has it.</summary>
    public bool TryGetRemoteAddress(Guid id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IPAddress? address)
    {
        return _remoteAddresses.TryGetValue(id, out address);
    }

    private void SetVips(EndpointInventory inventory)
    {
        _ownedVip.Clear();
        foreach (var (address, endpoint) in inventory.OwnedVip)
        {
            _ownedVip[address] = (endpoint.Id, ProviderAddressOf(endpoint));
        }
    }

    /// <summary>The provider address of an endpoint's ProviderAddress policy, or null.</summary>
    internal static IPAddress? ProviderAddressOf(HostComputeEndpoint endpoint)
    {
        foreach (var policy in endpoint.Policies ?? [])
        {
            if (policy.GetSettings<ProviderAddressPolicySetting>()?.ProviderAddress is { } text && IPAddress.TryParse(text, out var address))
            {
                return address;
            }
        }

        return null;
    }

    private void Reference(HostComputeLoadBalancer lb, int delta)
    {
        foreach (var endpoint in lb.HostComputeEndpoints ?? [])
        {
            var count = _references.GetValueOrDefault(endpoint) + delta;
            if (count > 0)
            {
                _references[endpoint] = count;
            }
            else
            {
                _references.Remove(endpoint);
            }
        }
    }
}
