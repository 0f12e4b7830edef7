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

    /// <summary>Local addresses.</summary>
    public string? LocalAddresses { get; init; }

    /// <summary>Remote addresses.</summary>
    public string? RemoteAddresses { get; init; }

    /// <summary>Local ports.</summary>
    public string? LocalPorts { get; init; }

    /// <summary>Remote ports.</summary>
    public string? RemotePorts { get; init; }

    /// <summary>Priority.</summary>
    public ushort Priority { get; init; }
}
