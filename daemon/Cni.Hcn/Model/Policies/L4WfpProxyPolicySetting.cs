using System.Text.Json.Serialization;

namespace Cni.Hcn.Model.Policies;

/// <summary>Settings of the <c>L4WFPPROXY</c> endpoint policy (WFP redirect for a service-mesh sidecar; HNS 13.2).</summary>
public sealed record L4WfpProxyPolicySetting : PolicySetting, IEndpointPolicySetting
{
    private readonly FiveTuple _filterTuple = new();

    private readonly ProxyExceptions _inboundExceptions = new();

    private readonly ProxyExceptions _outboundExceptions = new();

    /// <inheritdoc/>
    EndpointPolicyType IEndpointPolicySetting.EndpointPolicyType => EndpointPolicyType.L4WfpProxy;

    /// <summary>Inbound proxy port (text).</summary>
    public string? InboundProxyPort { get; init; }

    /// <summary>Outbound proxy port (text).</summary>
    public string? OutboundProxyPort { get; init; }

    /// <summary>Traffic filter (always written as an object).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public FiveTuple FilterTuple
    {
        get => _filterTuple;
        init => _filterTuple = value ?? new();
    }

    /// <summary>SID of the proxy's user.</summary>
    [JsonPropertyName("UserSID")]
    public string? UserSid { get; init; }

    /// <summary>Inbound exceptions (always written as an object).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public ProxyExceptions InboundExceptions
    {
        get => _inboundExceptions;
        init => _inboundExceptions = value ?? new();
    }

    /// <summary>Outbound exceptions (always written as an object).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public ProxyExceptions OutboundExceptions
    {
        get => _outboundExceptions;
        init => _outboundExceptions = value ?? new();
    }
}
