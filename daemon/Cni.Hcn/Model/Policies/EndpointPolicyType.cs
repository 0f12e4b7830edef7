using System.Text.Json.Serialization;
using Cni.Hcn.Json;

namespace Cni.Hcn.Model.Policies;

/// <summary>The <c>Type</c> of an <see cref="EndpointPolicy"/> (hcsshim hcn/hcnpolicy.go <c>EndpointPolicyType</c>). Compares case-insensitively; unknown values are kept.</summary>
[JsonConverter(typeof(HcnNameConverter<EndpointPolicyType>))]
public readonly struct EndpointPolicyType : IHcnName<EndpointPolicyType>, IEquatable<EndpointPolicyType>
{
    /// <summary>Wraps a wire string.</summary>
    /// <param name="value">The exact string HNS uses.</param>
    public EndpointPolicyType(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Value = value;
    }

    /// <summary><c>"PortMapping"</c>. hostPort / NAT port forward.</summary>
    public static EndpointPolicyType PortMapping { get; } = new("PortMapping");

    /// <summary><c>"ACL"</c>.</summary>
    public static EndpointPolicyType Acl { get; } = new("ACL");

    /// <summary><c>"QOS"</c>.</summary>
    public static EndpointPolicyType Qos { get; } = new("QOS");

    /// <summary><c>"L2Driver"</c>.</summary>
    public static EndpointPolicyType L2Driver { get; } = new("L2Driver");

    /// <summary><c>"OutBoundNAT"</c>. SNAT for pod egress (note HNS's capitalisation).</summary>
    public static EndpointPolicyType OutBoundNat { get; } = new("OutBoundNAT");

    /// <summary><c>"SDNRoute"</c>. Per-endpoint route.</summary>
    public static EndpointPolicyType SdnRoute { get; } = new("SDNRoute");

    /// <summary><c>"L4Proxy"</c>.</summary>
    public static EndpointPolicyType L4Proxy { get; } = new("L4Proxy");

    /// <summary><c>"L4WFPPROXY"</c>. WFP redirect; needs HNS 13.2.</summary>
    public static EndpointPolicyType L4WfpProxy { get; } = new("L4WFPPROXY");

    /// <summary><c>"PortName"</c>.</summary>
    public static EndpointPolicyType PortName { get; } = new("PortName");

    /// <summary><c>"EncapOverhead"</c>.</summary>
    public static EndpointPolicyType EncapOverhead { get; } = new("EncapOverhead");

    /// <summary><c>"Iov"</c>. Go constant <c>IOV</c>; the wire string is <c>Iov</c>.</summary>
    public static EndpointPolicyType Iov { get; } = new("Iov");

    /// <summary><c>"ProviderAddress"</c>. A remote endpoint's provider address (Overlay).</summary>
    public static EndpointPolicyType ProviderAddress { get; } = new("ProviderAddress");

    /// <summary><c>"InterfaceConstraint"</c>.</summary>
    public static EndpointPolicyType InterfaceConstraint { get; } = new("InterfaceConstraint");

    /// <summary><c>"TierAcl"</c>. Needs HNS 14.0.</summary>
    public static EndpointPolicyType TierAcl { get; } = new("TierAcl");

    /// <summary><c>"Encryption"</c>. MS-docs only, schema 2.1.</summary>
    public static EndpointPolicyType Encryption { get; } = new("Encryption");

    /// <summary><c>"VLAN"</c>. MS-docs only, schema 2.4.</summary>
    public static EndpointPolicyType Vlan { get; } = new("VLAN");

    /// <summary><c>"InterfaceParameters"</c>. MS-docs only, schema 2.4.</summary>
    public static EndpointPolicyType InterfaceParameters { get; } = new("InterfaceParameters");

    /// <inheritdoc/>
    public string? Value { get; }

    /// <summary>Compares two values case-insensitively.</summary>
    public static bool operator ==(EndpointPolicyType left, EndpointPolicyType right) => left.Equals(right);

    /// <summary>Compares two values case-insensitively.</summary>
    public static bool operator !=(EndpointPolicyType left, EndpointPolicyType right) => !left.Equals(right);

    /// <inheritdoc/>
    public static EndpointPolicyType FromValue(string value) => new(value);

    /// <inheritdoc/>
    public bool Equals(EndpointPolicyType other) => string.Equals(Value, other.Value, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is EndpointPolicyType other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Value is null ? 0 : StringComparer.OrdinalIgnoreCase.GetHashCode(Value);

    /// <inheritdoc/>
    public override string ToString() => Value ?? string.Empty;
}
