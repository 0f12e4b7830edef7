using System.Globalization;
using System.Net;
using System.Text.Json;
using Cni.Hcn.Errors;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;
using Cni.Hcn.Model.Requests;

namespace Cni.Hcn.Memory;

/// <summary>Networks: create/get/enumerate/modify/delete with HNS's validation.</summary>
public sealed partial class MemoryHcn
{
    private static readonly HashSet<NetworkType> KnownNetworkTypes =
    [
        NetworkType.Nat, NetworkType.Transparent, NetworkType.L2Bridge, NetworkType.L2Tunnel, NetworkType.Ics,
        NetworkType.Private, NetworkType.Overlay, NetworkType.Internal, NetworkType.Mirrored, NetworkType.Infiniband,
        NetworkType.ConstrainedIcs,
    ];

    private readonly Dictionary<Guid, NetworkState> _networks = [];

    /// <inheritdoc/>
    public async Task<HostComputeNetwork> CreateNetworkAsync(HostComputeNetwork network, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(network);
        var operation = Describe("HcnCreateNetwork", network.Name);
        await _calls.EnterAsync(MemoryHcnOperation.CreateNetwork, operation, cancellationToken).ConfigureAwait(false);
        var input = CopyIn(network, operation);
        HostComputeNetwork stored;
        lock (_gate)
        {
            stored = CreateNetworkLocked(input, operation);
        }

        await PersistAsync().ConfigureAwait(false);
        return CopyOut(stored);
    }

    /// <inheritdoc/>
    public async Task<HostComputeNetwork> GetNetworkAsync(Guid networkId, CancellationToken cancellationToken)
    {
        var operation = Describe("HcnOpenNetwork", networkId);
        await _calls.EnterAsync(MemoryHcnOperation.GetNetwork, operation, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            return CopyOut(FindNetwork(networkId, operation).Network);
        }
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<HostComputeNetwork>> EnumerateNetworksAsync(HostComputeQuery? query, CancellationToken cancellationToken)
    {
        await _calls.EnterAsync(MemoryHcnOperation.EnumerateNetworks, "HcnEnumerateNetworks", cancellationToken).ConfigureAwait(false);
        var filter = FilterOf(query);
        List<HostComputeNetwork> matches;
        lock (_gate)
        {
            matches = _networks.Values.Select(s => s.Network)
                .Where(n => Matches(filter, n.Id, n.Name, hasName: true))
                .ToList();
        }

        return CopyOut(matches);
    }

    /// <inheritdoc/>
    public async Task<HostComputeNetwork> ModifyNetworkAsync(Guid networkId, ModifyNetworkSettingRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var operation = Describe("HcnModifyNetwork", networkId);
        await _calls.EnterAsync(MemoryHcnOperation.ModifyNetwork, operation, cancellationToken).ConfigureAwait(false);
        var input = CopyIn(request, operation);
        HostComputeNetwork modified;
        lock (_gate)
        {
            var state = FindNetwork(networkId, operation);
            modified = state.Network = ModifyNetworkLocked(state.Network, input, operation);
            Changed(MemoryHcnStore.NetworkKind, networkId);
        }

        await PersistAsync().ConfigureAwait(false);
        return CopyOut(modified);
    }

    /// <inheritdoc/>
    public async Task DeleteNetworkAsync(Guid networkId, CancellationToken cancellationToken)
    {
        var operation = Describe("HcnDeleteNetwork", networkId);
        await _calls.EnterAsync(MemoryHcnOperation.DeleteNetwork, operation, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            FindNetwork(networkId, operation);

            // IHcn contract: a network takes its endpoints with it (detached from namespaces, LBs and routes).
            foreach (var endpointId in _endpoints.Values.Where(e => e.HostComputeNetwork == networkId).Select(e => e.Id).ToList())
            {
                DeleteEndpointLocked(endpointId);
            }

            _networks.Remove(networkId);
            Changed(MemoryHcnStore.NetworkKind, networkId);
        }

        await PersistAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// An unknown network ID answers ERROR_NOT_FOUND (0x80070490), what HcnOpen* returns for a GUID HNS does not know
    /// (hcsshim hcn/hcnerrors_test.go TestNotFoundError); callers classify with <see cref="HcnException.IsNotFound"/>.
    /// </summary>
    private NetworkState FindNetwork(Guid networkId, string operation) =>
        _networks.TryGetValue(networkId, out var state)
            ? state
            : throw new HcnException(operation, HcnErrorCodes.ElementNotFound, detail: $"no network {networkId:D}");

    private HostComputeNetwork CreateNetworkLocked(HostComputeNetwork input, string operation)
    {
        var type = string.IsNullOrEmpty(input.Type.Value) ? NetworkType.Nat : input.Type;
        if (!KnownNetworkTypes.Contains(type))
        {
            throw new HcnException(operation, HcnErrorCodes.InvalidNetworkType, detail: $"'{type}' is not a network type");
        }

        var id = input.Id == Guid.Empty ? Guid.NewGuid() : input.Id;
        if (_networks.ContainsKey(id))
        {
            throw new HcnException(operation, HcnErrorCodes.NetworkAlreadyExists, detail: $"a network with ID {id:D} exists");
        }

        if (!string.IsNullOrEmpty(input.Name) && _networks.Values.Any(s => string.Equals(s.Network.Name, input.Name, StringComparison.Ordinal)))
        {
            throw new HcnException(operation, HcnErrorCodes.NetworkAlreadyExists, detail: $"a network named '{input.Name}' exists");
        }

        var subnets = CheckSubnets(input.Ipams, operation);
        var macRanges = CheckMacPool(input.MacPool, operation);

        var policies = new List<NetworkPolicy>();
        foreach (var policy in input.Policies ?? [])
        {
            PolicyRules.CheckNetworkPolicy(operation, policy, type);
            if (policies.Exists(p => NetworkPoliciesConflict(p, policy)))
            {
                throw new HcnException(operation, HcnErrorCodes.PolicyAlreadyExists, detail: $"the {policy.Type} policy is given twice");
            }

            policies.Add(policy);
        }

        // HNS reports the host management IP as a ProviderAddress policy on Overlay networks (flannel waits for it).
        if (type == NetworkType.Overlay && _options.ManagementIp is { } managementIp
            && !policies.Exists(p => p.Type == NetworkPolicyType.ProviderAddress))
        {
            policies.Add(NetworkPolicy.Create(new ProviderAddressPolicySetting { ProviderAddress = managementIp }));
        }

        // HNS gives an Overlay network its distributed-router MAC, which flannel reads back as the VTEP MAC
        // (pkg/backend/vxlan/vxlan_windows.go); here one from Hyper-V's 00-15-5D range, fixed by the network's ID.
        if (type == NetworkType.Overlay && !policies.Exists(p => p.Type == NetworkPolicyType.DrMacAddress))
        {
            var bytes = id.ToByteArray();
            policies.Add(NetworkPolicy.Create(new DrMacAddressPolicySetting { Address = string.Create(CultureInfo.InvariantCulture, $"00-15-5D-{bytes[0]:X2}-{bytes[1]:X2}-{bytes[2]:X2}") }));
        }

        var network = input with
        {
            Id = id,
            Type = type,
            Policies = policies.Count == 0 ? null : policies,
            SchemaVersion = input.SchemaVersion ?? SchemaVersion.V2,
        };
        _networks.Add(id, new NetworkState(network, subnets, macRanges));
        Changed(MemoryHcnStore.NetworkKind, id);
        return network;
    }

    private HostComputeNetwork ModifyNetworkLocked(HostComputeNetwork network, ModifyNetworkSettingRequest request, string operation)
    {
        if (request.ResourceType == NetworkResourceType.Policy)
        {
            PolicyNetworkRequest? body;
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
                    PolicyRules.CheckNetworkPolicy(operation, policy, network.Type);
                }
            }

            var policies = PolicyListEdit.Apply(operation, network.Policies, changes, request.RequestType,
                PolicyRules.SameNetworkPolicy, NetworkPoliciesConflict, p => p.Type.Value);
            return network with { Policies = policies.Count == 0 ? null : policies };
        }

        if (request.ResourceType == NetworkResourceType.Dns)
        {
            Model.Dns? dns;
            try
            {
                dns = request.GetDns();
            }
            catch (JsonException ex)
            {
                throw InvalidJson(operation, ex);
            }

            return request.RequestType == RequestType.Remove ? network with { Dns = null } : network with { Dns = dns };
        }

        if (request.ResourceType == NetworkResourceType.Extension)
        {
            // Switch extensions have no observable effect in the emulator.
            return network;
        }

        throw new HcnException(operation, HcnErrorCodes.RequestUnsupported,
            detail: $"ResourceType '{request.ResourceType}' is not supported by the emulator");
    }

    /// <summary>Two policies that cannot coexist: identical ones, or two remote-subnet routes for one prefix.</summary>
    private static bool NetworkPoliciesConflict(NetworkPolicy existing, NetworkPolicy added)
    {
        if (existing.Settings is RemoteSubnetRoutePolicySetting a && added.Settings is RemoteSubnetRoutePolicySetting b
            && AddressMath.TryParsePrefix(a.DestinationPrefix, out var pa) && AddressMath.TryParsePrefix(b.DestinationPrefix, out var pb))
        {
            return pa.Equals(pb);
        }

        return PolicyRules.SameNetworkPolicy(existing, added);
    }

    private static List<SubnetInfo> CheckSubnets(IReadOnlyList<Ipam>? ipams, string operation)
    {
        var result = new List<SubnetInfo>();
        foreach (var ipam in ipams ?? [])
        {
            foreach (var subnet in ipam.Subnets ?? [])
            {
                if (!AddressMath.TryParsePrefix(subnet.IpAddressPrefix, out var prefix))
                {
                    throw new HcnException(operation, HcnErrorCodes.InvalidPrefix,
                        detail: $"subnet IpAddressPrefix '{subnet.IpAddressPrefix}' is not a CIDR without host bits");
                }

                if (result.Exists(s => s.Prefix.Contains(prefix.BaseAddress) || prefix.Contains(s.Prefix.BaseAddress)))
                {
                    throw new HcnException(operation, HcnErrorCodes.InvalidSubnet, detail: $"subnet {prefix} overlaps another subnet of the network");
                }

                IPAddress? gateway = null;
                foreach (var route in subnet.Routes ?? [])
                {
                    if ((route.NextHop is not null && !AddressMath.TryParseAddress(route.NextHop, out _))
                        || (route.DestinationPrefix is not null && !AddressMath.TryParsePrefix(route.DestinationPrefix, out _)))
                    {
                        throw new HcnException(operation, HcnErrorCodes.InvalidSubnet,
                            detail: $"route {route.DestinationPrefix} via {route.NextHop} of subnet {prefix} is malformed");
                    }

                    if (route.NextHop is not null && AddressMath.TryParseAddress(route.NextHop, out var hop) && prefix.Contains(hop))
                    {
                        gateway ??= hop;
                    }
                }

                foreach (var policy in subnet.Policies ?? [])
                {
                    PolicyRules.CheckSubnetPolicy(operation, policy);
                }

                var reserveGateway = !subnet.Flags.HasFlag(SubnetFlags.DoNotReserveGatewayAddress);
                result.Add(new SubnetInfo(prefix, reserveGateway ? gateway : null));
            }
        }

        return result;
    }

    private static List<(ulong Start, ulong End)> CheckMacPool(MacPool? pool, string operation)
    {
        var ranges = new List<(ulong, ulong)>();
        foreach (var range in pool?.Ranges ?? [])
        {
            if (!MacAddresses.TryParse(range.StartMacAddress, out var start) || !MacAddresses.TryParse(range.EndMacAddress, out var end) || start > end)
            {
                throw new HcnException(operation, HcnErrorCodes.InvalidNetwork,
                    detail: $"MacPool range {range.StartMacAddress}..{range.EndMacAddress} is not a valid MAC range");
            }

            ranges.Add((start, end));
        }

        return ranges;
    }

    /// <summary>A subnet of a network: its prefix and the gateway address HNS keeps for itself (unless flagged not to).</summary>
    private sealed record SubnetInfo(IPNetwork Prefix, IPAddress? ReservedGateway);

    /// <summary>A stored network with the address books its endpoints are checked against.</summary>
    private sealed class NetworkState(HostComputeNetwork network, List<SubnetInfo> subnets, List<(ulong Start, ulong End)> macRanges)
    {
        public HostComputeNetwork Network { get; set; } = network;

        public List<SubnetInfo> Subnets { get; } = subnets;

        public List<(ulong Start, ulong End)> MacRanges { get; } =
            macRanges.Count > 0 ? macRanges : [MacAddresses.DefaultRange];

        /// <summary>IP → endpoint, for the duplicate check (local and remote endpoints alike).</summary>
        public Dictionary<IPAddress, Guid> Addresses { get; } = [];

        /// <summary>MAC → endpoint.</summary>
        public Dictionary<ulong, Guid> Macs { get; } = [];

        /// <summary>Where the next MAC search starts, so allocation is sequential and deterministic.</summary>
        public ulong NextMac { get; set; }
    }
}
