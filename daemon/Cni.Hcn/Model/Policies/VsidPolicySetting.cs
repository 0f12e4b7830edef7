using System.Text.Json.Serialization;

namespace Cni.Hcn.Model.Policies;

/// <summary>Settings of the <c>VSID</c> subnet policy (the VXLAN VNI on Overlay networks).</summary>
public sealed record VsidPolicySetting : PolicySetting, ISubnetPolicySetting
{
    /// <inheritdoc/>
    SubnetPolicyType ISubnetPolicySetting.SubnetPolicyType => SubnetPolicyType.Vsid;

    /// <summary>VSID / VNI (always written).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public uint IsolationId { get; init; }
}
