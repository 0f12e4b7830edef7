using Cni.Hcn.Errors;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;
using Cni.Hcn.Versioning;

namespace Cni.Hcn.Memory;

/// <summary>Load balancers: backends must exist, and a frontend (VIP, protocol, port) belongs to one load balancer.</summary>
public sealed partial class MemoryHcn
{
    private readonly Dictionary<Guid, HostComputeLoadBalancer> _loadBalancers = [];

    /// <summary>Frontends in use → load balancer.</summary>
    private readonly Dictionary<FrontendKey, Guid> _frontends = [];

    /// <summary>
    /// Backend endpoint → the load balancers that list it, so deleting an endpoint touches only those (a scan of
    /// every load balancer cost ~4 ms per endpoint delete at 40,000 of them).
    /// </summary>
    /// <remarks>Arrays replaced on change rather than sets: an endpoint backs a few load balancers, and 50,000
    /// hash sets were 13 MiB.</remarks>
    private readonly Dictionary<Guid, Guid[]> _loadBalancersByBackend = [];

    /// <inheritdoc/>
    public async Task<HostComputeLoadBalancer> CreateLoadBalancerAsync(HostComputeLoadBalancer loadBalancer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(loadBalancer);
        const string Operation = "HcnCreateLoadBalancer";
        await _calls.EnterAsync(MemoryHcnOperation.CreateLoadBalancer, Operation, cancellationToken).ConfigureAwait(false);
        var input = CopyIn(loadBalancer, Operation);
        RequireBackends(input, Operation);
        HostComputeLoadBalancer stored;
        lock (_gate)
        {
            var id = input.Id == Guid.Empty ? Guid.NewGuid() : input.Id;
            if (_loadBalancers.ContainsKey(id))
            {
                throw new HcnException(Operation, HcnErrorCodes.AlreadyExists, detail: $"a load balancer with ID {id:D} exists");
            }

            stored = StoreLoadBalancerLocked(id, input, Operation);
        }

        _store?.Preserialize(MemoryHcnStore.LoadBalancerKind, stored.Id, stored);
        await PersistAsync().ConfigureAwait(false);
        return CopyOut(stored);
    }

    /// <inheritdoc/>
    public async Task<HostComputeLoadBalancer> GetLoadBalancerAsync(Guid loadBalancerId, CancellationToken cancellationToken)
    {
        var operation = Describe("HcnOpenLoadBalancer", loadBalancerId);
        await _calls.EnterAsync(MemoryHcnOperation.GetLoadBalancer, operation, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            return CopyOut(FindLoadBalancer(loadBalancerId, operation));
        }
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<HostComputeLoadBalancer>> EnumerateLoadBalancersAsync(HostComputeQuery? query, CancellationToken cancellationToken)
    {
        await _calls.EnterAsync(MemoryHcnOperation.EnumerateLoadBalancers, "HcnEnumerateLoadBalancers", cancellationToken).ConfigureAwait(false);
        var filter = FilterOf(query);
        List<HostComputeLoadBalancer> matches;
        lock (_gate)
        {
            matches = _loadBalancers.Values
                .Where(lb => Matches(filter, lb.Id, network: lb.HostComputeNetwork == Guid.Empty ? null : lb.HostComputeNetwork))
                .ToList();
        }

        return CopyOut(matches);
    }

    /// <inheritdoc/>
    public async Task<HostComputeLoadBalancer> ModifyLoadBalancerAsync(Guid loadBalancerId, HostComputeLoadBalancer loadBalancer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(loadBalancer);
        var operation = Describe("HcnModifyLoadBalancer", loadBalancerId);
        await _calls.EnterAsync(MemoryHcnOperation.ModifyLoadBalancer, operation, cancellationToken).ConfigureAwait(false);
        if (!HcnFeatures.FromVersion(_options.Version).ModifyLoadBalancer)
        {
            throw new HcnException(operation, HcnErrorCodes.NotImplemented, detail: $"HNS {_options.Version} predates ModifyLoadBalancer (15.4)");
        }

        var input = CopyIn(loadBalancer, operation);
        RequireBackends(input, operation);
        HostComputeLoadBalancer stored;
        lock (_gate)
        {
            FindLoadBalancer(loadBalancerId, operation);
            stored = StoreLoadBalancerLocked(loadBalancerId, input, operation);
        }

        _store?.Preserialize(MemoryHcnStore.LoadBalancerKind, stored.Id, stored);
        await PersistAsync().ConfigureAwait(false);
        return CopyOut(stored);
    }

    /// <inheritdoc/>
    public async Task DeleteLoadBalancerAsync(Guid loadBalancerId, CancellationToken cancellationToken)
    {
        var operation = Describe("HcnDeleteLoadBalancer", loadBalancerId);
        await _calls.EnterAsync(MemoryHcnOperation.DeleteLoadBalancer, operation, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            var deleted = FindLoadBalancer(loadBalancerId, operation);
            ReleaseFrontends(deleted);
            IndexBackends(deleted, null);
            _loadBalancers.Remove(loadBalancerId);
            Changed(MemoryHcnStore.LoadBalancerKind, loadBalancerId);
        }

        await PersistAsync().ConfigureAwait(false);
    }

    private HostComputeLoadBalancer FindLoadBalancer(Guid loadBalancerId, string operation) =>
        _loadBalancers.TryGetValue(loadBalancerId, out var lb)
            ? lb
            : throw new HcnException(operation, HcnErrorCodes.ElementNotFound, detail: $"no load balancer {loadBalancerId:D}");

    /// <summary>
    /// HNS refuses a load balancer without backends on create and modify (kubernetes/kubernetes#106936), unless this
    /// instance accepts it (<see cref="MemoryHcnOptions.AcceptLoadBalancersWithoutBackends"/>). Only the calls check:
    /// deleting the last backend endpoint leaves a load balancer without backends, and a restore keeps it.
    /// </summary>
    private void RequireBackends(HostComputeLoadBalancer input, string operation)
    {
        if (input.HostComputeEndpoints is not { Count: > 0 } && !_options.AcceptLoadBalancersWithoutBackends)
        {
            throw new HcnException(operation, HcnErrorCodes.InvalidParameter, detail: "a load balancer needs a backend endpoint");
        }
    }

    /// <summary>Validates and stores (creating or replacing) a load balancer under <paramref name="id"/>.</summary>
    private HostComputeLoadBalancer StoreLoadBalancerLocked(Guid id, HostComputeLoadBalancer input, string operation)
    {
        foreach (var backend in input.HostComputeEndpoints ?? [])
        {
            FindEndpoint(backend, operation, reference: true);
        }

        if (input.HostComputeNetwork != Guid.Empty)
        {
            FindNetwork(input.HostComputeNetwork, operation);
        }

        if (!string.IsNullOrEmpty(input.SourceVip) && !AddressMath.TryParseAddress(input.SourceVip, out _))
        {
            throw new HcnException(operation, HcnErrorCodes.InvalidParameter, detail: $"SourceVIP '{input.SourceVip}' is not an IP address");
        }

        var vips = new List<string>();
        Span<char> text = stackalloc char[64];
        foreach (var vip in input.FrontendVips ?? [])
        {
            if (!AddressMath.TryParseAddress(vip, out var address))
            {
                throw new HcnException(operation, HcnErrorCodes.InvalidParameter, detail: $"FrontendVIP '{vip}' is not an IP address");
            }

            // The caller's string when it is already the canonical text (the usual case): one instance, not two.
            vips.Add(address.TryFormat(text, out var written) && text[..written].SequenceEqual(vip) ? vip : address.ToString());
        }

        if (input.PortMappings is not { Count: > 0 } mappings)
        {
            throw new HcnException(operation, HcnErrorCodes.InvalidParameter, detail: "a load balancer needs a port mapping");
        }

        foreach (var mapping in mappings)
        {
            if (mapping.Protocol is not (ProtocolType.Tcp or ProtocolType.Udp) || mapping.ExternalPort == 0 || mapping.InternalPort == 0)
            {
                throw new HcnException(operation, HcnErrorCodes.InvalidParameter,
                    detail: $"port mapping {(uint)mapping.Protocol} {mapping.ExternalPort}->{mapping.InternalPort} needs TCP or UDP and non-zero ports");
            }
        }

        var stored = input with { Id = id, FrontendVips = vips.Count == 0 ? null : vips.ToArray(), SchemaVersion = input.SchemaVersion ?? SchemaVersion.V2 };
        var keys = new List<FrontendKey>();
        foreach (var key in FrontendKeys(stored))
        {
            if (keys.Contains(key) || (_frontends.TryGetValue(key, out var owner) && owner != id))
            {
                throw new HcnException(operation, HcnErrorCodes.PortAlreadyExists,
                    detail: $"frontend {key.Vip} {(uint)key.Protocol}/{key.Port} belongs to another load balancer");
            }

            keys.Add(key);
        }

        if (_loadBalancers.TryGetValue(id, out var previous))
        {
            ReleaseFrontends(previous);
        }

        IndexBackends(previous, stored);
        _loadBalancers[id] = stored;
        Changed(MemoryHcnStore.LoadBalancerKind, id);
        foreach (var key in keys)
        {
            _frontends[key] = id;
        }

        return stored;
    }

    /// <summary>The frontends a load balancer claims. No VIP (NodePort): the port on every host address of the family.</summary>
    private static IEnumerable<FrontendKey> FrontendKeys(HostComputeLoadBalancer lb)
    {
        var vips = lb.FrontendVips is { Count: > 0 } list ? list : [lb.Flags.HasFlag(LoadBalancerFlags.IPv6) ? "::" : "0.0.0.0"];
        return (lb.PortMappings ?? []).SelectMany(m => vips.Select(vip => new FrontendKey(vip, m.Protocol, m.ExternalPort)));
    }

    private void ReleaseFrontends(HostComputeLoadBalancer lb)
    {
        foreach (var key in FrontendKeys(lb))
        {
            if (_frontends.TryGetValue(key, out var owner) && owner == lb.Id)
            {
                _frontends.Remove(key);
            }
        }
    }

    /// <summary>A deleted endpoint leaves the backend lists (IHcn: deletion detaches it from load balancers' view).</summary>
    private void DropLoadBalancerBackend(Guid endpointId)
    {
        if (!_loadBalancersByBackend.Remove(endpointId, out var holders))
        {
            return;
        }

        foreach (var id in holders)
        {
            var lb = _loadBalancers[id];
            var rest = lb.HostComputeEndpoints!.Where(e => e != endpointId).ToList();
            _loadBalancers[id] = lb with { HostComputeEndpoints = rest.Count == 0 ? null : rest };
            Changed(MemoryHcnStore.LoadBalancerKind, id);
        }
    }

    /// <summary>Moves a load balancer's entries in <see cref="_loadBalancersByBackend"/> from one version to the next (null: none).</summary>
    private void IndexBackends(HostComputeLoadBalancer? previous, HostComputeLoadBalancer? next)
    {
        foreach (var backend in previous?.HostComputeEndpoints ?? [])
        {
            if (_loadBalancersByBackend.TryGetValue(backend, out var holders) && Array.IndexOf(holders, previous!.Id) >= 0)
            {
                if (holders.Length == 1)
                {
                    _loadBalancersByBackend.Remove(backend);
                }
                else
                {
                    _loadBalancersByBackend[backend] = Array.FindAll(holders, id => id != previous.Id);
                }
            }
        }

        foreach (var backend in next?.HostComputeEndpoints ?? [])
        {
            if (!_loadBalancersByBackend.TryGetValue(backend, out var holders))
            {
                _loadBalancersByBackend[backend] = [next!.Id];
            }
            else if (Array.IndexOf(holders, next!.Id) < 0)
            {
                _loadBalancersByBackend[backend] = [.. holders, next.Id];
            }
        }
    }

    /// <summary>A load-balancer frontend: VIP (or the family's any-address for NodePorts), protocol and port.</summary>
    private readonly record struct FrontendKey(string Vip, ProtocolType Protocol, ushort Port);
}
