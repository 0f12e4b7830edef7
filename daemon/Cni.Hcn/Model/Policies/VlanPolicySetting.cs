using System.Text.Json.Serialization;

namespace Cni.Hcn.Model.Policies;

/// <summary>
/// Settings of the <c>VLAN</c> policy: a subnet policy (hcsshim hcn/hcnnetwork.go, every endpoint of the subnet is
/// in the VLAN) and an endpoint policy (MS-docs HNS schema 2.4 <c>VlanPolicySetting</c>: one endpoint in its own VLAN).
/// </summary>
public sealed record VlanPolicySetting : PolicySetting, ISubnetPolicySetting, IEndpointPolicySetting
{
    /// <inheritdoc/>
    SubnetPolicyType ISubnetPolicySetting.SubnetPolicyType => SubnetPolicyType.Vlan;

    /// <inheritdoc/>
    EndpointPolicyType IEndpointPolicySetting.EndpointPolicyType => EndpointPolicyType.Vlan;

    /// <summary>VLAN ID (always written).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public uint IsolationId { get; init; }
}
