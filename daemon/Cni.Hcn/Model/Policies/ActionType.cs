using System.Text.Json.Serialization;
using Cni.Hcn.Json;

namespace Cni.Hcn.Model.Policies;

/// <summary>ACL action (string on the wire). Compares case-insensitively; unknown values are kept.</summary>
[JsonConverter(typeof(HcnNameConverter<ActionType>))]
public readonly struct ActionType : IHcnName<ActionType>, IEquatable<ActionType>
{
    /// <summary>Wraps a wire string.</summary>
    /// <param name="value">The exact string HNS uses.</param>
    public ActionType(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Value = value;
    }

    /// <summary><c>"Allow"</c>.</summary>
    public static ActionType Allow { get; } = new("Allow");

    /// <summary><c>"Block"</c>.</summary>
    public static ActionType Block { get; } = new("Block");

    /// <summary><c>"Pass"</c>. TierAcl only, schema 2.10.</summary>
    public static ActionType Pass { get; } = new("Pass");

    /// <inheritdoc/>
    public string? Value { get; }

    /// <summary>Compares two values case-insensitively.</summary>
    public static bool operator ==(ActionType left, ActionType right) => left.Equals(right);

    /// <summary>Compares two values case-insensitively.</summary>
    public static bool operator !=(ActionType left, ActionType right) => !left.Equals(right);

    /// <inheritdoc/>
    public static ActionType FromValue(string value) => new(value);

    /// <inheritdoc/>
    public bool Equals(ActionType other) => string.Equals(Value, other.Value, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ActionType other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Value is null ? 0 : StringComparer.OrdinalIgnoreCase.GetHashCode(Value);

    /// <inheritdoc/>
    public override string ToString() => Value ?? string.Empty;
}
