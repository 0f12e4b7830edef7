using System.Text.Json.Serialization;
using Cni.Hcn.Json;

namespace Cni.Hcn.Model.Requests;

/// <summary>What a modify request does. Compares case-insensitively; unknown values are kept.</summary>
[JsonConverter(typeof(HcnNameConverter<RequestType>))]
public readonly struct RequestType : IHcnName<RequestType>, IEquatable<RequestType>
{
    /// <summary>Wraps a wire string.</summary>
    /// <param name="value">The exact string HNS uses.</param>
    public RequestType(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Value = value;
    }

    /// <summary><c>"Add"</c>.</summary>
    public static RequestType Add { get; } = new("Add");

    /// <summary><c>"Remove"</c>.</summary>
    public static RequestType Remove { get; } = new("Remove");

    /// <summary><c>"Update"</c>.</summary>
    public static RequestType Update { get; } = new("Update");

    /// <summary><c>"Refresh"</c>.</summary>
    public static RequestType Refresh { get; } = new("Refresh");

    /// <summary><c>"Reset"</c>. MS-docs only.</summary>
    public static RequestType Reset { get; } = new("Reset");

    /// <inheritdoc/>
    public string? Value { get; }

    /// <summary>Compares two values case-insensitively.</summary>
    public static bool operator ==(RequestType left, RequestType right) => left.Equals(right);

    /// <summary>Compares two values case-insensitively.</summary>
    public static bool operator !=(RequestType left, RequestType right) => !left.Equals(right);

    /// <inheritdoc/>
    public static RequestType FromValue(string value) => new(value);

    /// <inheritdoc/>
    public bool Equals(RequestType other) => string.Equals(Value, other.Value, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is RequestType other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Value is null ? 0 : StringComparer.OrdinalIgnoreCase.GetHashCode(Value);

    /// <inheritdoc/>
    public override string ToString() => Value ?? string.Empty;
}
