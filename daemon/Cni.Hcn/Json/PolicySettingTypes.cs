using System.Collections.Frozen;
using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Json;

/// <summary>Which settings record belongs to which policy <c>Type</c> (types without a record read as raw JSON).</summary>
internal static class PolicySettingTypes
{
    private static readonly FrozenDictionary<string, Type> Network = new Dictionary<string, Type>(StringComparer.OrdinalIgnoreCase)
    {
        [NetworkPolicyType.SourceMacAddress.ToString()] = typeof(SourceMacAddressPolicySetting),
        [NetworkPolicyType.NetAdapterName.ToString()] = typeof(NetAdapterNamePolicySetting),
        [NetworkPolicyType.VSwitchExtension.ToString()] = typeof(VSwitchExtensionPolicySetting),
        [NetworkPolicyType.DrMacAddress.ToString()] = typeof(DrMacAddressPolicySetting),
        [NetworkPolicyType.AutomaticDns.ToString()] = typeof(AutomaticDnsPolicySetting),
        [NetworkPolicyType.InterfaceConstraint.ToString()] = typeof(InterfaceConstraintPolicySetting),
        [NetworkPolicyType.ProviderAddress.ToString()] = typeof(ProviderAddressPolicySetting),
        [NetworkPolicyType.RemoteSubnetRoute.ToString()] = typeof(RemoteSubnetRoutePolicySetting),
        [NetworkPolicyType.VxlanPort.ToString()] = typeof(VxlanPortPolicySetting),
        [NetworkPolicyType.HostRoute.ToString()] = typeof(HostRoutePolicySetting),
        [NetworkPolicyType.SetPolicy.ToString()] = typeof(SetPolicySetting),
        [NetworkPolicyType.L4Proxy.ToString()] = typeof(L4ProxyPolicySetting),
        [NetworkPolicyType.LayerConstraint.ToString()] = typeof(LayerConstraintPolicySetting),
        [NetworkPolicyType.NetworkAcl.ToString()] = typeof(NetworkAclPolicySetting),
        [NetworkPolicyType.NeighborDiscovery.ToString()] = typeof(NeighborDiscoveryPolicySetting),
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenDictionary<string, Type> Endpoint = new Dictionary<string, Type>(StringComparer.OrdinalIgnoreCase)
    {
        [EndpointPolicyType.PortMapping.ToString()] = typeof(PortMappingPolicySetting),
        [EndpointPolicyType.Acl.ToString()] = typeof(AclPolicySetting),
        [EndpointPolicyType.Qos.ToString()] = typeof(QosPolicySetting),
        [EndpointPolicyType.OutBoundNat.ToString()] = typeof(OutboundNatPolicySetting),
        [EndpointPolicyType.SdnRoute.ToString()] = typeof(SdnRoutePolicySetting),
        [EndpointPolicyType.L4Proxy.ToString()] = typeof(L4ProxyPolicySetting),
        [EndpointPolicyType.L4WfpProxy.ToString()] = typeof(L4WfpProxyPolicySetting),
        [EndpointPolicyType.PortName.ToString()] = typeof(PortNamePolicySetting),
        [EndpointPolicyType.EncapOverhead.ToString()] = typeof(EncapOverheadPolicySetting),
        [EndpointPolicyType.Iov.ToString()] = typeof(IovPolicySetting),
        [EndpointPolicyType.ProviderAddress.ToString()] = typeof(ProviderAddressPolicySetting),
        [EndpointPolicyType.InterfaceConstraint.ToString()] = typeof(InterfaceConstraintPolicySetting),
        [EndpointPolicyType.TierAcl.ToString()] = typeof(TierAclPolicySetting),
        [EndpointPolicyType.InterfaceParameters.ToString()] = typeof(InterfaceParametersPolicySetting),
        [EndpointPolicyType.Vlan.ToString()] = typeof(VlanPolicySetting),
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenDictionary<string, Type> Subnet = new Dictionary<string, Type>(StringComparer.OrdinalIgnoreCase)
    {
        [SubnetPolicyType.Vlan.ToString()] = typeof(VlanPolicySetting),
        [SubnetPolicyType.Vsid.ToString()] = typeof(VsidPolicySetting),
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    public static Type? ForNetwork(string? type) => type is not null && Network.TryGetValue(type, out var t) ? t : null;

    public static Type? ForEndpoint(string? type) => type is not null && Endpoint.TryGetValue(type, out var t) ? t : null;

    public static Type? ForSubnet(string? type) => type is not null && Subnet.TryGetValue(type, out var t) ? t : null;
}
