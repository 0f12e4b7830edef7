using System.Text.Json.Serialization;
using Cni.Hcn.Json;

namespace Cni.Hcn.Model.Policies;

/// <summary>ACL direction (string on the wire). Compares case-insensitively; unknown values are kept.</summary>
[JsonConverter(typeof(HcnNameConverter<DirectionType>))]
public readonly struct DirectionType : IHcnName<DirectionType>, IEquatable<DirectionType>
{
    /// <summary>Wraps a wire string.</summary>
    /// <param name="value">The exact string HNS uses.</param>
    public DirectionType(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Value = value;
    }

    /// <summary><c>"In"</c>. Traffic towards the endpoint.</summary>
    public static DirectionType In { get; } = new("In");

    /// <summary><c>"Out"</c>. Traffic from the endpoint.</summary>
    public static DirectionType Out { get; } = new("Out");

    /// <inheritdoc/>
    public string? Value { get; }

    /// <summary>Compares two values case-insensitively.</summary>
    public static bool operator ==(DirectionType left, DirectionType right) => left.Equals(right);

    /// <summary>Compares two values case-insensitively.</summary>
    public static bool operator !=(DirectionType left, DirectionType right) => !left.Equals(right);

    /// <inheritdoc/>
    public static DirectionType FromValue(string value) => new(value);

    /// <inheritdoc/>
    public bool Equals(DirectionType other) => string.Equals(Value, other.Value, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is DirectionType other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Value is null ? 0 : StringComparer.OrdinalIgnoreCase.GetHashCode(Value);

    /// <inheritdoc/>
    public override string ToString() => Value ?? string.Empty;
}
