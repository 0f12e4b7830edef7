using System.Text.Json.Serialization;

namespace Cni.Hcn.Model.Policies;

/// <summary>Settings of the <c>NetworkACL</c> network policy (HNS 15.0); the same members as ACL.</summary>
public sealed record NetworkAclPolicySetting : PolicySetting, INetworkPolicySetting
{
    /// <inheritdoc/>
    NetworkPolicyType INetworkPolicySetting.NetworkPolicyType => NetworkPolicyType.NetworkAcl;

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
