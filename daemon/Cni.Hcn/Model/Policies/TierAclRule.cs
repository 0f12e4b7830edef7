using System.Text.Json.Serialization;

namespace Cni.Hcn.Model.Policies;

/// <summary>A rule of a TierAcl policy.</summary>
public sealed record TierAclRule
{
    /// <summary>Rule ID.</summary>
    public string? Id { get; init; }

    /// <summary>Protocol numbers as text.</summary>
    public string? Protocols { get; init; }

    /// <summary>Action (always written).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public ActionType TierAclRuleAction { get; init; }

    public string? LocalAddresses { get; init; }

    public string? RemoteAddresses { get; init; }

    public string? LocalPorts { get; init; }

    public string? RemotePorts { get; init; }

    public ushort Priority { get; init; }
}
