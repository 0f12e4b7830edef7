using System.Text.Json.Serialization;

namespace Cni.Hcn.Model.Policies;

/// <summary>
/// Settings of the <c>L4Proxy</c> network and endpoint policy. Member names follow hcsshim; MS-docs and SDN-psm1
/// spell two of them differently (see <see cref="HcnSchemaChoices"/>); both spellings read.
/// </summary>
public sealed record L4ProxyPolicySetting : PolicySetting, INetworkPolicySetting, IEndpointPolicySetting
{
    private readonly IReadOnlyList<string>? _exceptions;

    private readonly string _destination = string.Empty;

    /// <inheritdoc/>
    NetworkPolicyType INetworkPolicySetting.NetworkPolicyType => NetworkPolicyType.L4Proxy;

    /// <inheritdoc/>
    EndpointPolicyType IEndpointPolicySetting.EndpointPolicyType => EndpointPolicyType.L4Proxy;

    /// <summary>Proxy IP.</summary>
    [JsonPropertyName("IP")]
    public string? Ip { get; init; }

    /// <summary>Proxy port (text).</summary>
    public string? Port { get; init; }

    /// <summary>IP protocol (a number).</summary>
    public ProtocolType Protocol { get; init; }

    /// <summary>Addresses not redirected.</summary>
    [JsonPropertyName(HcnSchemaChoices.L4ProxyExceptionsName)]
    public IReadOnlyList<string>? Exceptions
    {
        get => _exceptions;
        init => _exceptions = value;
    }

    /// <summary>Redirect destination (always written).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string Destination
    {
        get => _destination;
        init => _destination = value ?? string.Empty;
    }

    /// <summary>Whether redirected traffic is NATed.</summary>
    [JsonPropertyName(HcnSchemaChoices.L4ProxyOutboundNatName)]
    public bool OutboundNat { get; init; }

    /// <summary>Read-only alias for the other spelling of the exception list; never written.</summary>
    [JsonInclude]
    [JsonPropertyName(HcnSchemaChoices.L4ProxyExceptionsAlternateName)]
    internal IReadOnlyList<string>? ExceptionsAlternate
    {
        get => null;
        init => _exceptions ??= value;
    }
}
