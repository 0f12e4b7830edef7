using System.Text.Json.Serialization;
using Cni.Hcn.Json;

namespace Cni.Hcn.Model.Policies;

/// <summary>The <c>PolicyType</c> of a SetPolicy (string on the wire; SDN-psm1 sends a number, which reads as its text). Compares case-insensitively; unknown values are kept.</summary>
[JsonConverter(typeof(HcnNameConverter<SetPolicyType>))]
public readonly struct SetPolicyType : IHcnName<SetPolicyType>, IEquatable<SetPolicyType>
{
    /// <summary>Wraps a wire string.</summary>
    /// <param name="value">The exact string HNS uses.</param>
    public SetPolicyType(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Value = value;
    }

    /// <summary><c>"IPSET"</c>.</summary>
    public static SetPolicyType IpSet { get; } = new("IPSET");

    /// <summary><c>"NESTEDIPSET"</c>. Needs HNS 15.0.</summary>
    public static SetPolicyType NestedIpSet { get; } = new("NESTEDIPSET");

    /// <inheritdoc/>
    public string? Value { get; }

    /// <summary>Compares two values case-insensitively.</summary>
    public static bool operator ==(SetPolicyType left, SetPolicyType right) => left.Equals(right);

    /// <summary>Compares two values case-insensitively.</summary>
    public static bool operator !=(SetPolicyType left, SetPolicyType right) => !left.Equals(right);

    /// <inheritdoc/>
    public static SetPolicyType FromValue(string value) => new(value);

    /// <inheritdoc/>
    public bool Equals(SetPolicyType other) => string.Equals(Value, other.Value, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is SetPolicyType other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Value is null ? 0 : StringComparer.OrdinalIgnoreCase.GetHashCode(Value);

    /// <inheritdoc/>
    public override string ToString() => Value ?? string.Empty;
}
