using System.Text.Json.Serialization;

namespace Cni.Hcn.Model.Policies;

/// <summary>Settings of the <c>SetPolicy</c> network policy (an IP set). All members are always written.</summary>
public sealed record SetPolicySetting : PolicySetting, INetworkPolicySetting
{
    private readonly string _id = string.Empty;

    private readonly string _name = string.Empty;

    private readonly string _values = string.Empty;

    /// <inheritdoc/>
    NetworkPolicyType INetworkPolicySetting.NetworkPolicyType => NetworkPolicyType.SetPolicy;

    /// <summary>Set ID.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string Id
    {
        get => _id;
        init => _id = value ?? string.Empty;
    }

    /// <summary>Set name.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string Name
    {
        get => _name;
        init => _name = value ?? string.Empty;
    }

    /// <summary><c>IPSET</c> or <c>NESTEDIPSET</c> (hcsshim's Go field <c>Type</c>, tagged <c>PolicyType</c>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public SetPolicyType PolicyType { get; init; }

    /// <summary>Comma-separated members.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string Values
    {
        get => _values;
        init => _values = value ?? string.Empty;
    }
}
