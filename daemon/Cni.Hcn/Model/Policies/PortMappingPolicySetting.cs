using System.Text.Json.Serialization;

namespace Cni.Hcn.Model.Policies;

/// <summary>Settings of the <c>PortMapping</c> endpoint policy (hostPort). A duplicate mapping fails with HCN_E_PORT_ALREADY_EXISTS.</summary>
public sealed record PortMappingPolicySetting : PolicySetting, IEndpointPolicySetting
{
    /// <inheritdoc/>
    EndpointPolicyType IEndpointPolicySetting.EndpointPolicyType => EndpointPolicyType.PortMapping;

    /// <summary>IP protocol (a number).</summary>
    public ProtocolType Protocol { get; init; }

    /// <summary>Container port.</summary>
    public ushort InternalPort { get; init; }

    /// <summary>Host port.</summary>
    public ushort ExternalPort { get; init; }

    /// <summary>Host IP to bind.</summary>
    [JsonPropertyName("VIP")]
    public string? Vip { get; init; }

    /// <summary>NAT flags (a number).</summary>
    public NatFlags Flags { get; init; }
}
