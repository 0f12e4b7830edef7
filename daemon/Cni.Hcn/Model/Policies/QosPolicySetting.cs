using System.Text.Json.Serialization;

namespace Cni.Hcn.Model.Policies;

/// <summary>Settings of the <c>QOS</c> endpoint policy.</summary>
public sealed record QosPolicySetting : PolicySetting, IEndpointPolicySetting
{
    /// <inheritdoc/>
    EndpointPolicyType IEndpointPolicySetting.EndpointPolicyType => EndpointPolicyType.Qos;

    /// <summary>Egress cap (always written).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public ulong MaximumOutgoingBandwidthInBytes { get; init; }
}
