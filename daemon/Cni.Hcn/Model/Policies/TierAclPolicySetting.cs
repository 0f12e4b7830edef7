using System.Text.Json.Serialization;

namespace Cni.Hcn.Model.Policies;

/// <summary>Settings of the <c>TierAcl</c> endpoint policy (HNS 14.0).</summary>
public sealed record TierAclPolicySetting : PolicySetting, IEndpointPolicySetting
{
    private readonly string _name = string.Empty;

    /// <inheritdoc/>
    EndpointPolicyType IEndpointPolicySetting.EndpointPolicyType => EndpointPolicyType.TierAcl;

    /// <summary>Tier name (always written).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string Name
    {
        get => _name;
        init => _name = value ?? string.Empty;
    }

    /// <summary>Direction (always written).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public DirectionType Direction { get; init; }

    /// <summary>Order (always written).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public ushort Order { get; init; }

    /// <summary>Rules.</summary>
    public IReadOnlyList<TierAclRule>? TierAclRules { get; init; }
}
