using System.Text.Json.Serialization;

namespace Cni.Hcn.Model.Policies;

/// <summary>
/// One ACL rule: the members HNS gives both the <c>ACL</c> endpoint policy and the <c>NetworkACL</c> network policy
/// (hcsshim hcn/hcnpolicy.go gives NetworkACLPolicySetting the rule fields of AclPolicySetting).
/// </summary>
public abstract record AclRuleSetting : PolicySetting
{
    /// <summary>Rule ID (MS-docs).</summary>
    public string? Id { get; init; }

    /// <summary>Protocol numbers as text, e.g. <c>"6"</c>.</summary>
    public string? Protocols { get; init; }

    /// <summary>Allow or Block (always written).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public ActionType Action { get; init; }

    /// <summary>In or Out (always written).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public DirectionType Direction { get; init; }

    /// <summary>Comma-separated addresses/CIDRs.</summary>
    public string? LocalAddresses { get; init; }

    /// <summary>Comma-separated addresses/CIDRs.</summary>
    public string? RemoteAddresses { get; init; }

    /// <summary>Comma-separated ports.</summary>
    public string? LocalPorts { get; init; }

    /// <summary>Comma-separated ports.</summary>
    public string? RemotePorts { get; init; }

    /// <summary>Host (WFP) or Switch (VFP).</summary>
    public RuleType RuleType { get; init; }

    public ushort Priority { get; init; }
}
