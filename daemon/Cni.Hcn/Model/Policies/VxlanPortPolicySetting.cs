using System.Text.Json.Serialization;

namespace Cni.Hcn.Model.Policies;

/// <summary>Settings of the <c>VxlanPort</c> network policy (HNS 10.3).</summary>
public sealed record VxlanPortPolicySetting : PolicySetting, INetworkPolicySetting
{
    /// <inheritdoc/>
    NetworkPolicyType INetworkPolicySetting.NetworkPolicyType => NetworkPolicyType.VxlanPort;

    /// <summary>The VXLAN UDP port (always written).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public ushort Port { get; init; }
}
