using System.Text.Json.Serialization;
using Cni.Hcn.Json;

namespace Cni.Hcn.Model.Policies;

/// <summary>The <c>Type</c> of a <see cref="SubnetPolicy"/>. Compares case-insensitively; unknown values are kept.</summary>
[JsonConverter(typeof(HcnNameConverter<SubnetPolicyType>))]
public readonly struct SubnetPolicyType : IHcnName<SubnetPolicyType>, IEquatable<SubnetPolicyType>
{
    /// <summary>Wraps a wire string.</summary>
    /// <param name="value">The exact string HNS uses.</param>
    public SubnetPolicyType(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Value = value;
    }

    /// <summary><c>"VLAN"</c>.</summary>
    public static SubnetPolicyType Vlan { get; } = new("VLAN");

    /// <summary><c>"VSID"</c>. VXLAN VNI on Overlay networks.</summary>
    public static SubnetPolicyType Vsid { get; } = new("VSID");

    /// <inheritdoc/>
    public string? Value { get; }

    /// <summary>Compares two values case-insensitively.</summary>
    public static bool operator ==(SubnetPolicyType left, SubnetPolicyType right) => left.Equals(right);

    /// <summary>Compares two values case-insensitively.</summary>
    public static bool operator !=(SubnetPolicyType left, SubnetPolicyType right) => !left.Equals(right);

    /// <inheritdoc/>
    public static SubnetPolicyType FromValue(string value) => new(value);

    /// <inheritdoc/>
    public bool Equals(SubnetPolicyType other) => string.Equals(Value, other.Value, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is SubnetPolicyType other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Value is null ? 0 : StringComparer.OrdinalIgnoreCase.GetHashCode(Value);

    /// <inheritdoc/>
    public override string ToString() => Value ?? string.Empty;
}
