using System.Net;
using System.Text.Json;
using Cni.Hcn.Errors;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;
using Cni.Hcn.Model.Requests;

namespace Cni.Hcn.Memory;

/// <summary>Endpoints: addresses checked against the network, MACs allocated from its pool, host ports kept unique.</summary>
public sealed partial class MemoryHcn
{
    private readonly Dictionary<Guid, HostComputeEndpoint> _endpoints = [];

    /// <summary>Host port mappings in use (protocol, external port, VIP) → endpoint: WinNAT ports are host-wide.</summary>
    private readonly Dictionary<HostPortKey, Guid> _hostPorts = [];

    /// <inheritdoc/>
    public async Task<HostComputeEndpoint> CreateEndpointAsync(Guid networkId, HostComputeEndpoint endpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var operation = Describe("HcnCreateEndpoint", $"{endpoint.Name} on network {networkId:D}".TrimStart());
        await _calls.EnterAsync(MemoryHcnOperation.CreateEndpoint, operation, cancellationToken).ConfigureAwait(false);
        var input = CopyIn(endpoint, operation);
        HostComputeEndpoint stored;
        lock (_gate)
        {
            stored = CreateEndpointLocked(networkId, input, operation);
        }

        _store?.Preserialize(MemoryHcnStore.EndpointKind, stored.Id, stored);
        await PersistAsync().ConfigureAwait(false);
        return CopyOut(stored);
    }

    /// <inheritdoc/>
    public async Task<HostComputeEndpoint> GetEndpointAsync(Guid endpointId, CancellationToken cancellationToken)
    {
        var operation = Describe("HcnOpenEndpoint", endpointId);
        await _calls.EnterAsync(MemoryHcnOperation.GetEndpoint, operation, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            return CopyOut(FindEndpoint(endpointId, operation));
        }
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<HostComputeEndpoint>> EnumerateEndpointsAsync(HostComputeQuery? query, CancellationToken cancellationToken)
    {
        await _calls.EnterAsync(MemoryHcnOperation.EnumerateEndpoints, "HcnEnumerateEndpoints", cancellationToken).ConfigureAwait(false);
        var filter = FilterOf(query);
        List<HostComputeEndpoint> matches;
        lock (_gate)
        {
            matches = _endpoints.Values
                .Where(e => Matches(filter, e.Id, e.Name, hasName: true, e.HostComputeNetwork,
                    _networks.TryGetValue(e.HostComputeNetwork, out var n) ? n.Network.Name : null))
                .ToList();
        }

        return CopyOut(matches);
    }

    /// <inheritdoc/>
    public async Task<HostComputeEndpoint> ModifyEndpointAsync(Guid endpointId, ModifyEndpointSettingRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var operation = Describe("HcnModifyEndpoint", endpointId);
        await _calls.EnterAsync(MemoryHcnOperation.ModifyEndpoint, operation, cancellationToken).ConfigureAwait(false);
        var input = CopyIn(request, operation);
        HostComputeEndpoint modified;
        lock (_gate)
        {
            var endpoint = FindEndpoint(endpointId, operation);
            modified = ModifyEndpointLocked(endpoint, input, operation);
            _endpoints[endpointId] = modified;
            Changed(MemoryHcnStore.EndpointKind, endpointId);
        }

        await PersistAsync().ConfigureAwait(false);
        return CopyOut(modified);
    }

    /// <inheritdoc/>
    public async Task DeleteEndpointAsync(Guid endpointId, CancellationToken cancellationToken)
    {
        var operation = Describe("HcnDeleteEndpoint", endpointId);
        await _calls.EnterAsync(MemoryHcnOperation.DeleteEndpoint, operation, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            FindEndpoint(endpointId, operation);
            DeleteEndpointLocked(endpointId);
        }

        await PersistAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// The endpoint with this ID. Opening an unknown GUID answers ERROR_NOT_FOUND (0x80070490) as HcnOpen* does
    /// (hcsshim hcn/hcnerrors_test.go); an unknown endpoint named inside another object's document (a load-balancer
    /// backend, an SDN route, a namespace attach) answers HCN_E_ENDPOINT_NOT_FOUND.
    /// </summary>
    private HostComputeEndpoint FindEndpoint(Guid endpointId, string operation, bool reference = false) =>
        _endpoints.TryGetValue(endpointId, out var endpoint)
            ? endpoint
            : throw new HcnException(operation, reference ? HcnErrorCodes.EndpointNotFound : HcnErrorCodes.ElementNotFound, detail: $"no endpoint {endpointId:D}");

    private HostComputeEndpoint CreateEndpointLocked(Guid networkId, HostComputeEndpoint input, string operation)
    {
        var network = FindNetwork(networkId, operation);
        if (input.HostComputeNamespace != Guid.Empty)
        {
            throw new HcnException(operation, HcnErrorCodes.InvalidParameter,
                detail: "HostComputeNamespace is read-only; attach the endpoint through the namespace");
        }

        var id = input.Id == Guid.Empty ? Guid.NewGuid() : input.Id;
        if (_endpoints.ContainsKey(id))
        {
            throw new HcnException(operation, HcnErrorCodes.AlreadyExists, detail: $"an endpoint with ID {id:D} exists");
        }

        var remote = input.Flags.HasFlag(EndpointFlags.RemoteEndpoint);
        var ipConfigurations = AssignAddresses(network, input.IpConfigurations, remote, operation);
        // A remote endpoint's given MAC is not claimed: it never goes on the wire, and HNS takes the host's MAC on many
        // (winkernel gives it to every overlay ClusterIP endpoint and to the source VIP's, kubernetes pkg/proxy/winkernel/proxier.go).
        var sharedMac = remote && !string.IsNullOrWhiteSpace(input.MacAddress);
        var mac = sharedMac && MacAddresses.TryParse(input.MacAddress, out var given) ? given : AssignMac(network, input.MacAddress, operation);

        foreach (var route in input.Routes ?? [])
        {
            if ((route.NextHop is not null && !AddressMath.TryParseAddress(route.NextHop, out _))
                || (route.DestinationPrefix is not null && !AddressMath.TryParsePrefix(route.DestinationPrefix, out _)))
            {
                throw new HcnException(operation, HcnErrorCodes.InvalidEndpoint, detail: $"route {route.DestinationPrefix} via {route.NextHop} is malformed");
            }
        }

        var policies = new List<EndpointPolicy>();
        foreach (var policy in input.Policies ?? [])
        {
            PolicyRules.CheckEndpointPolicy(operation, policy);
            if (policies.Exists(p => PolicyRules.SameEndpointPolicy(p, policy)))
            {
                throw new HcnException(operation, HcnErrorCodes.PolicyAlreadyExists, detail: $"the {policy.Type} policy is given twice");
            }

            policies.Add(policy);
        }

        var ports = HostPortsOf(policies, id, operation);

        // Every check passed: commit the endpoint and its address-book entries together.
        var endpoint = input with
        {
            Id = id,
            HostComputeNetwork = networkId,
            HostComputeNamespace = Guid.Empty,
            IpConfigurations = ipConfigurations.Count == 0 ? null : ipConfigurations,
            MacAddress = MacAddresses.Format(mac),
            Policies = policies.Count == 0 ? null : policies,
            SchemaVersion = input.SchemaVersion ?? SchemaVersion.V2,
        };
        _endpoints.Add(id, endpoint);
        Changed(MemoryHcnStore.EndpointKind, id);
        foreach (var config in ipConfigurations)
        {
            network.Addresses[IPAddress.Parse(config.IpAddress!)] = id;
        }

        if (!sharedMac)
        {
            network.Macs[mac] = id;
        }
        foreach (var port in ports)
        {
            _hostPorts[port] = id;
        }

        return endpoint;
    }

    private List<IpConfig> AssignAddresses(NetworkState network, IReadOnlyList<IpConfig>? requested, bool remote, string operation)
    {
        var result = new List<IpConfig>();
        var taken = new HashSet<IPAddress>();
        foreach (var config in requested ?? [])
        {
            if (!AddressMath.TryParseAddress(config.IpAddress, out var ip))
            {
                throw new HcnException(operation, HcnErrorCodes.InvalidIp, detail: $"'{config.IpAddress}' is not an IP address");
            }

            var subnet = network.Subnets.Find(s => s.Prefix.Contains(ip));
            if (subnet is null && !remote)
            {
                // Remote endpoints (overlay peers) live in other nodes' subnets; local ones must be in ours.
                throw new HcnException(operation, HcnErrorCodes.InvalidIp, detail: $"{ip} is not in any subnet of network {network.Network.Name}");
            }

            if (subnet is not null && (AddressMath.IsNetworkOrBroadcast(subnet.Prefix, ip) || ip.Equals(subnet.ReservedGateway)))
            {
                throw new HcnException(operation, HcnErrorCodes.AddrInvalidOrReserved, detail: $"{ip} is reserved in subnet {subnet.Prefix}");
            }

            if (network.Addresses.ContainsKey(ip) || !taken.Add(ip))
            {
                throw new HcnException(operation, HcnErrorCodes.AddrInvalidOrReserved, detail: $"{ip} is already used by another endpoint");
            }

            var prefixLength = config.PrefixLength != 0 || subnet is null ? config.PrefixLength : (byte)subnet.Prefix.PrefixLength;
            result.Add(config with { IpAddress = ip.ToString(), PrefixLength = prefixLength });
        }

        if (result.Count == 0 && !remote && network.Subnets.Count > 0)
        {
            // Static IPAM: HNS picks the first free address when the caller gives none.
            var subnet = network.Subnets[0];
            var ip = AddressMath.FirstFree(subnet.Prefix, a => !a.Equals(subnet.ReservedGateway) && !network.Addresses.ContainsKey(a))
                ?? throw new HcnException(operation, HcnErrorCodes.AddrInvalidOrReserved, detail: $"subnet {subnet.Prefix} has no free address");
            result.Add(new IpConfig { IpAddress = ip.ToString(), PrefixLength = (byte)subnet.Prefix.PrefixLength });
        }

        return result;
    }

    private static ulong AssignMac(NetworkState network, string? requested, string operation)
    {
        if (!string.IsNullOrWhiteSpace(requested))
        {
            if (!MacAddresses.TryParse(requested, out var mac))
            {
                throw new HcnException(operation, HcnErrorCodes.InvalidEndpoint, detail: $"MacAddress '{requested}' is not a MAC address");
            }

            if (network.Macs.ContainsKey(mac))
            {
                throw new HcnException(operation, HcnErrorCodes.AddrInvalidOrReserved, detail: $"MAC {MacAddresses.Format(mac)} is already used by another endpoint");
            }

            return mac;
        }

        // Sequential from where the last allocation stopped, wrapping once through every range of the pool.
        var total = network.MacRanges.Aggregate(0UL, (sum, r) => sum + (r.End - r.Start + 1));
        var cursor = network.NextMac;
        for (ulong tried = 0; tried < total; tried++, cursor = (cursor + 1) % total)
        {
            var candidate = MacAt(network.MacRanges, cursor);
            if (!network.Macs.ContainsKey(candidate))
            {
                network.NextMac = (cursor + 1) % total;
                return candidate;
            }
        }

        throw new HcnException(operation, HcnErrorCodes.AddrInvalidOrReserved, detail: "the network's MAC pool is exhausted");
    }

    private static ulong MacAt(List<(ulong Start, ulong End)> ranges, ulong index)
    {
        foreach (var (start, end) in ranges)
        {
            var size = end - start + 1;
            if (index < size)
            {
                return start + index;
            }

            index -= size;
        }

        throw new InvalidOperationException("MAC index outside the pool.");
    }

    /// <summary>The host ports an endpoint's policies claim; a port held by another endpoint is HCN_E_PORT_ALREADY_EXISTS.</summary>
    private List<HostPortKey> HostPortsOf(IEnumerable<EndpointPolicy> policies, Guid owner, string operation)
    {
        var keys = new List<HostPortKey>();
        foreach (var key in PortKeys(policies))
        {
            if (keys.Contains(key) || (_hostPorts.TryGetValue(key, out var holder) && holder != owner))
            {
                throw new HcnException(operation, HcnErrorCodes.PortAlreadyExists,
                    detail: $"host port {(uint)key.Protocol}/{key.Port}{(key.Vip.Length > 0 ? " on " + key.Vip : string.Empty)} is already mapped");
            }

            keys.Add(key);
        }

        return keys;
    }

    private HostComputeEndpoint ModifyEndpointLocked(HostComputeEndpoint endpoint, ModifyEndpointSettingRequest request, string operation)
    {
        if (request.ResourceType == EndpointResourceType.Port)
        {
            // VM NIC attach: nothing the emulator models beyond accepting the request.
            return endpoint;
        }

        if (request.ResourceType != EndpointResourceType.Policy)
        {
            throw new HcnException(operation, HcnErrorCodes.RequestUnsupported, detail: $"ResourceType '{request.ResourceType}' is not supported");
        }

        PolicyEndpointRequest? body;
        try
        {
            body = request.GetPolicyRequest();
        }
        catch (JsonException ex)
        {
            throw InvalidJson(operation, ex);
        }

        var changes = body?.Policies ?? [];
        if (request.RequestType != RequestType.Remove)
        {
            foreach (var policy in changes)
            {
                PolicyRules.CheckEndpointPolicy(operation, policy);
            }
        }

        var policies = PolicyListEdit.Apply(operation, endpoint.Policies, changes, request.RequestType,
            PolicyRules.SameEndpointPolicy, PolicyRules.SameEndpointPolicy, p => p.Type.Value);
        var ports = HostPortsOf(policies, endpoint.Id, operation);

        ReleaseHostPorts(endpoint);
        foreach (var port in ports)
        {
            _hostPorts[port] = endpoint.Id;
        }

        return endpoint with { Policies = policies.Count == 0 ? null : policies };
    }

    /// <summary>Removes an endpoint and every reference to it (namespace, load balancers, routes, address books).</summary>
    private void DeleteEndpointLocked(Guid endpointId)
    {
        if (!_endpoints.Remove(endpointId, out var endpoint))
        {
            return;
        }

        Changed(MemoryHcnStore.EndpointKind, endpointId);
        if (endpoint.HostComputeNamespace != Guid.Empty && _namespaces.TryGetValue(endpoint.HostComputeNamespace, out var ns))
        {
            _namespaces[ns.Id] = WithoutEndpoint(ns, endpointId);
            Changed(MemoryHcnStore.NamespaceKind, ns.Id);
        }

        DropLoadBalancerBackend(endpointId);
        DropRouteEndpoint(endpointId);
        ReleaseHostPorts(endpoint);
        if (_networks.TryGetValue(endpoint.HostComputeNetwork, out var network))
        {
            // Straight from the stored record, so deleting stays O(1) however many endpoints a benchmark creates.
            foreach (var config in endpoint.IpConfigurations ?? [])
            {
                if (AddressMath.TryParseAddress(config.IpAddress, out var ip) && network.Addresses.TryGetValue(ip, out var owner) && owner == endpointId)
                {
                    network.Addresses.Remove(ip);
                }
            }

            if (MacAddresses.TryParse(endpoint.MacAddress, out var mac) && network.Macs.TryGetValue(mac, out var macOwner) && macOwner == endpointId)
            {
                network.Macs.Remove(mac);
            }
        }
    }

    private void ReleaseHostPorts(HostComputeEndpoint endpoint)
    {
        foreach (var key in PortKeys(endpoint.Policies ?? []))
        {
            if (_hostPorts.TryGetValue(key, out var owner) && owner == endpoint.Id)
            {
                _hostPorts.Remove(key);
            }
        }
    }

    private static IEnumerable<HostPortKey> PortKeys(IEnumerable<EndpointPolicy> policies) =>
        policies.Select(p => p.Settings).OfType<PortMappingPolicySetting>().Select(m =>
            new HostPortKey(m.Protocol, m.ExternalPort, AddressMath.TryParseAddress(m.Vip, out var vip) ? vip.ToString() : string.Empty));

    /// <summary>A host port as WinNAT keys it.</summary>
    private readonly record struct HostPortKey(ProtocolType Protocol, ushort Port, string Vip);
}
