using System.Text.Json.Serialization;
using Cni.Hcn.Json;

namespace Cni.Hcn.Model.Policies;

/// <summary>Where an ACL is enforced (string on the wire). Compares case-insensitively; unknown values are kept.</summary>
[JsonConverter(typeof(HcnNameConverter<RuleType>))]
public readonly struct RuleType : IHcnName<RuleType>, IEquatable<RuleType>
{
    /// <summary>Wraps a wire string.</summary>
    /// <param name="value">The exact string HNS uses.</param>
    public RuleType(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Value = value;
    }

    /// <summary><c>"Host"</c>. WFP.</summary>
    public static RuleType Host { get; } = new("Host");

    /// <summary><c>"Switch"</c>. VFP.</summary>
    public static RuleType Switch { get; } = new("Switch");

    /// <inheritdoc/>
    public string? Value { get; }

    /// <summary>Compares two values case-insensitively.</summary>
    public static bool operator ==(RuleType left, RuleType right) => left.Equals(right);

    /// <summary>Compares two values case-insensitively.</summary>
    public static bool operator !=(RuleType left, RuleType right) => !left.Equals(right);

    /// <inheritdoc/>
    public static RuleType FromValue(string value) => new(value);

    /// <inheritdoc/>
    public bool Equals(RuleType other) => string.Equals(Value, other.Value, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is RuleType other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Value is null ? 0 : StringComparer.OrdinalIgnoreCase.GetHashCode(Value);

    /// <inheritdoc/>
    public override string ToString() => Value ?? string.Empty;
}
