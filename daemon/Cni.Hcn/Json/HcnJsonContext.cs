using System.Text.Json.Serialization;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;
using Cni.Hcn.Model.Requests;
using Cni.Hcn.Versioning;

namespace Cni.Hcn.Json;

/// <summary>
/// Source-generated metadata for every HCN document. Names are the C# names or <c>[JsonPropertyName]</c> (no naming
/// policy); zero/null members are omitted unless marked always-written; reads are case-insensitive and ignore unknown
/// members. Use <see cref="HcnJson"/>, which adds Go's omitempty for empty arrays and optional strings on top.
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault,
    PropertyNameCaseInsensitive = true,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    Converters = [typeof(HcnGuidConverter)])]
[JsonSerializable(typeof(HostComputeNetwork))]
[JsonSerializable(typeof(HostComputeEndpoint))]
[JsonSerializable(typeof(HostComputeNamespace))]
[JsonSerializable(typeof(HostComputeLoadBalancer))]
[JsonSerializable(typeof(HostComputeRoute))]
[JsonSerializable(typeof(HostComputeQuery))]
[JsonSerializable(typeof(HostComputeQueryFilter))]
[JsonSerializable(typeof(SchemaVersion))]
[JsonSerializable(typeof(HcnVersion))]
[JsonSerializable(typeof(IReadOnlyList<HostComputeNetwork>))]
[JsonSerializable(typeof(IReadOnlyList<HostComputeEndpoint>))]
[JsonSerializable(typeof(IReadOnlyList<HostComputeNamespace>))]
[JsonSerializable(typeof(IReadOnlyList<HostComputeLoadBalancer>))]
[JsonSerializable(typeof(IReadOnlyList<HostComputeRoute>))]
[JsonSerializable(typeof(IReadOnlyList<Guid>))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(NetworkPolicy))]
[JsonSerializable(typeof(EndpointPolicy))]
[JsonSerializable(typeof(SubnetPolicy))]
[JsonSerializable(typeof(SourceMacAddressPolicySetting))]
[JsonSerializable(typeof(NetAdapterNamePolicySetting))]
[JsonSerializable(typeof(VSwitchExtensionPolicySetting))]
[JsonSerializable(typeof(DrMacAddressPolicySetting))]
[JsonSerializable(typeof(AutomaticDnsPolicySetting))]
[JsonSerializable(typeof(InterfaceConstraintPolicySetting))]
[JsonSerializable(typeof(ProviderAddressPolicySetting))]
[JsonSerializable(typeof(RemoteSubnetRoutePolicySetting))]
[JsonSerializable(typeof(VxlanPortPolicySetting))]
[JsonSerializable(typeof(HostRoutePolicySetting))]
[JsonSerializable(typeof(SetPolicySetting))]
[JsonSerializable(typeof(L4ProxyPolicySetting))]
[JsonSerializable(typeof(LayerConstraintPolicySetting))]
[JsonSerializable(typeof(NetworkAclPolicySetting))]
[JsonSerializable(typeof(NeighborDiscoveryPolicySetting))]
[JsonSerializable(typeof(PortMappingPolicySetting))]
[JsonSerializable(typeof(AclPolicySetting))]
[JsonSerializable(typeof(QosPolicySetting))]
[JsonSerializable(typeof(OutboundNatPolicySetting))]
[JsonSerializable(typeof(SdnRoutePolicySetting))]
[JsonSerializable(typeof(L4WfpProxyPolicySetting))]
[JsonSerializable(typeof(PortNamePolicySetting))]
[JsonSerializable(typeof(EncapOverheadPolicySetting))]
[JsonSerializable(typeof(IovPolicySetting))]
[JsonSerializable(typeof(TierAclPolicySetting))]
[JsonSerializable(typeof(InterfaceParametersPolicySetting))]
[JsonSerializable(typeof(VlanPolicySetting))]
[JsonSerializable(typeof(VsidPolicySetting))]
[JsonSerializable(typeof(ModifyNetworkSettingRequest))]
[JsonSerializable(typeof(ModifyEndpointSettingRequest))]
[JsonSerializable(typeof(ModifyNamespaceSettingRequest))]
[JsonSerializable(typeof(PolicyNetworkRequest))]
[JsonSerializable(typeof(PolicyEndpointRequest))]
[JsonSerializable(typeof(NetworkExtensionRequest))]
[JsonSerializable(typeof(SubnetRequest))]
[JsonSerializable(typeof(IpSubnetRequest))]
[JsonSerializable(typeof(VmEndpointRequest))]
[JsonSerializable(typeof(NamespaceEndpointRequest))]
[JsonSerializable(typeof(NamespaceContainerRequest))]
internal sealed partial class HcnJsonContext : JsonSerializerContext
{
}
