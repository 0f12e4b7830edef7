using Cni.Hcn.Errors;
using Cni.Hcn.Json;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Memory;

/// <summary>
/// The policy checks HNS makes that matter to wincni: the type must be one HNS knows
/// (HCN_E_INVALID_POLICY_TYPE), typed settings must fit their record and carry what the policy needs
/// (HCN_E_INVALID_POLICY). Types without a settings record (L2Driver, Encryption, …) accept any settings.
/// </summary>
internal static class PolicyRules
{
    private static readonly HashSet<NetworkPolicyType> NetworkTypes =
    [
        NetworkPolicyType.SourceMacAddress, NetworkPolicyType.NetAdapterName, NetworkPolicyType.VSwitchExtension,
        NetworkPolicyType.DrMacAddress, NetworkPolicyType.AutomaticDns, NetworkPolicyType.InterfaceConstraint,
        NetworkPolicyType.ProviderAddress, NetworkPolicyType.RemoteSubnetRoute, NetworkPolicyType.VxlanPort,
        NetworkPolicyType.HostRoute, NetworkPolicyType.SetPolicy, NetworkPolicyType.L4Proxy,
        NetworkPolicyType.LayerConstraint, NetworkPolicyType.NetworkAcl, NetworkPolicyType.NeighborDiscovery,
    ];

    private static readonly HashSet<EndpointPolicyType> EndpointTypes =
    [
        EndpointPolicyType.PortMapping, EndpointPolicyType.Acl, EndpointPolicyType.Qos, EndpointPolicyType.L2Driver,
        EndpointPolicyType.OutBoundNat, EndpointPolicyType.SdnRoute, EndpointPolicyType.L4Proxy,
        EndpointPolicyType.L4WfpProxy, EndpointPolicyType.PortName, EndpointPolicyType.EncapOverhead,
        EndpointPolicyType.Iov, EndpointPolicyType.ProviderAddress, EndpointPolicyType.InterfaceConstraint,
        EndpointPolicyType.TierAcl, EndpointPolicyType.Encryption, EndpointPolicyType.Vlan,
        EndpointPolicyType.InterfaceParameters,
    ];

    public static void CheckNetworkPolicy(string operation, NetworkPolicy? policy, NetworkType networkType)
    {
        if (policy is null || policy.Type.Value is null || !NetworkTypes.Contains(policy.Type))
        {
            throw new HcnException(operation, HcnErrorCodes.InvalidPolicyType, detail: $"unknown network policy type '{policy?.Type}'");
        }

        CheckFits(operation, policy.Type.Value, policy.Settings, PolicySettingTypes.ForNetwork(policy.Type.Value));
        var problem = policy.Settings switch
        {
            RemoteSubnetRoutePolicySetting r when networkType != NetworkType.Overlay =>
                "RemoteSubnetRoute is only valid on Overlay networks",
            RemoteSubnetRoutePolicySetting r when !AddressMath.TryParsePrefix(r.DestinationPrefix, out _) =>
                $"RemoteSubnetRoute.DestinationPrefix '{r.DestinationPrefix}' is not a CIDR",
            RemoteSubnetRoutePolicySetting r when !AddressMath.TryParseAddress(r.ProviderAddress, out _) =>
                $"RemoteSubnetRoute.ProviderAddress '{r.ProviderAddress}' is not an IP address",
            RemoteSubnetRoutePolicySetting r when r.IsolationId == 0 => "RemoteSubnetRoute.IsolationId is 0",
            RemoteSubnetRoutePolicySetting r when !string.IsNullOrEmpty(r.DistributedRouterMacAddress)
                && !MacAddresses.TryParse(r.DistributedRouterMacAddress, out _) =>
                $"RemoteSubnetRoute.DistributedRouterMacAddress '{r.DistributedRouterMacAddress}' is not a MAC",
            ProviderAddressPolicySetting p when !AddressMath.TryParseAddress(p.ProviderAddress, out _) =>
                $"ProviderAddress '{p.ProviderAddress}' is not an IP address",
            VxlanPortPolicySetting v when v.Port == 0 => "VxlanPort.Port is 0",
            NetAdapterNamePolicySetting n when string.IsNullOrWhiteSpace(n.NetworkAdapterName) => "NetAdapterName.NetworkAdapterName is empty",
            DrMacAddressPolicySetting d when !MacAddresses.TryParse(d.Address, out _) => $"DrMacAddress.Address '{d.Address}' is not a MAC",
            SetPolicySetting s when string.IsNullOrWhiteSpace(s.Id) => "SetPolicy.Id is empty",
            _ => null,
        };
        Fail(operation, problem);
    }

    public static void CheckEndpointPolicy(string operation, EndpointPolicy? policy)
    {
        if (policy is null || policy.Type.Value is null || !EndpointTypes.Contains(policy.Type))
        {
            throw new HcnException(operation, HcnErrorCodes.InvalidPolicyType, detail: $"unknown endpoint policy type '{policy?.Type}'");
        }

        CheckFits(operation, policy.Type.Value, policy.Settings, PolicySettingTypes.ForEndpoint(policy.Type.Value));
        if (policy.Settings is PortMappingPolicySetting { InternalPort: 0 })
        {
            throw new HcnException(operation, HcnErrorCodes.InvalidInternalPort, detail: "PortMapping.InternalPort is 0");
        }

        var problem = policy.Settings switch
        {
            PortMappingPolicySetting m when m.Protocol is not (ProtocolType.Tcp or ProtocolType.Udp) =>
                $"PortMapping.Protocol {(uint)m.Protocol} is neither TCP (6) nor UDP (17)",
            PortMappingPolicySetting m when m.ExternalPort == 0 => "PortMapping.ExternalPort is 0",
            PortMappingPolicySetting m when !string.IsNullOrEmpty(m.Vip) && !AddressMath.TryParseAddress(m.Vip, out _) =>
                $"PortMapping.VIP '{m.Vip}' is not an IP address",
            OutboundNatPolicySetting o when o.Exceptions?.FirstOrDefault(e => !AddressMath.IsPrefixOrAddress(e)) is { } bad =>
                $"OutBoundNAT exception '{bad}' is not a CIDR or address",
            OutboundNatPolicySetting o when o.Destinations?.FirstOrDefault(e => !AddressMath.IsPrefixOrAddress(e)) is { } bad =>
                $"OutBoundNAT destination '{bad}' is not a CIDR or address",
            OutboundNatPolicySetting o when !string.IsNullOrEmpty(o.VirtualIP) && !AddressMath.TryParseAddress(o.VirtualIP, out _) =>
                $"OutBoundNAT.VirtualIP '{o.VirtualIP}' is not an IP address",
            SdnRoutePolicySetting r when !AddressMath.TryParsePrefix(r.DestinationPrefix, out _) =>
                $"SDNRoute.DestinationPrefix '{r.DestinationPrefix}' is not a CIDR",
            SdnRoutePolicySetting r when !string.IsNullOrEmpty(r.NextHop) && !AddressMath.TryParseAddress(r.NextHop, out _) =>
                $"SDNRoute.NextHop '{r.NextHop}' is not an IP address",
            AclPolicySetting a when a.Action != ActionType.Allow && a.Action != ActionType.Block =>
                $"ACL.Action '{a.Action}' is neither Allow nor Block",
            AclPolicySetting a when a.Direction != DirectionType.In && a.Direction != DirectionType.Out =>
                $"ACL.Direction '{a.Direction}' is neither In nor Out",
            ProviderAddressPolicySetting p when !AddressMath.TryParseAddress(p.ProviderAddress, out _) =>
                $"ProviderAddress '{p.ProviderAddress}' is not an IP address",
            VlanPolicySetting { IsolationId: 0 or > 4094 } v => $"VLAN.IsolationId {v.IsolationId} is outside 1-4094",
            _ => null,
        };
        Fail(operation, problem);
    }

    public static void CheckSubnetPolicy(string operation, SubnetPolicy? policy)
    {
        if (policy is null || (policy.Type != SubnetPolicyType.Vlan && policy.Type != SubnetPolicyType.Vsid))
        {
            throw new HcnException(operation, HcnErrorCodes.InvalidPolicyType, detail: $"unknown subnet policy type '{policy?.Type}'");
        }

        CheckFits(operation, policy.Type.Value!, policy.Settings, PolicySettingTypes.ForSubnet(policy.Type.Value));
        var problem = policy.Settings switch
        {
            null => $"{policy.Type} policy has no settings",
            VsidPolicySetting { IsolationId: 0 } => "VSID.IsolationId is 0",
            VlanPolicySetting { IsolationId: 0 or > 4094 } v => $"VLAN.IsolationId {v.IsolationId} is outside 1-4094",
            _ => null,
        };
        Fail(operation, problem);
    }

    /// <summary>Policies compare by their JSON (type and settings), which is how HNS matches a Remove.</summary>
    public static bool SameNetworkPolicy(NetworkPolicy a, NetworkPolicy b) =>
        System.Text.Json.JsonElement.DeepEquals(HcnJson.SerializeToElement(a), HcnJson.SerializeToElement(b));

    /// <inheritdoc cref="SameNetworkPolicy"/>
    public static bool SameEndpointPolicy(EndpointPolicy a, EndpointPolicy b) =>
        System.Text.Json.JsonElement.DeepEquals(HcnJson.SerializeToElement(a), HcnJson.SerializeToElement(b));

    private static void CheckFits(string operation, string type, PolicySetting? settings, Type? expected)
    {
        if (expected is not null && settings is null && !string.Equals(type, NetworkPolicyType.HostRoute.Value, StringComparison.OrdinalIgnoreCase))
        {
            throw new HcnException(operation, HcnErrorCodes.InvalidPolicy, detail: $"the {type} policy has no settings");
        }

        if (expected is not null && settings is RawPolicySetting)
        {
            throw new HcnException(operation, HcnErrorCodes.InvalidPolicy, detail: $"the settings of the {type} policy do not match its schema");
        }
    }

    private static void Fail(string operation, string? problem)
    {
        if (problem is not null)
        {
            throw new HcnException(operation, HcnErrorCodes.InvalidPolicy, detail: problem);
        }
    }
}
