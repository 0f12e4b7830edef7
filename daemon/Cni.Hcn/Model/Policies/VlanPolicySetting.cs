using System.Text.Json.Serialization;

namespace Cni.Hcn.Model.Policies;

/// <summary>Settings of the <c>VLAN</c> subnet policy.</summary>
public sealed record VlanPolicySetting : PolicySetting, ISubnetPolicySetting
{
    /// <inheritdoc/>
    SubnetPolicyType ISubnetPolicySetting.SubnetPolicyType => SubnetPolicyType.Vlan;

    /// <summary>VLAN ID (always written).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public uint IsolationId { get; init; }
}
