using System.Text.Json.Serialization;
using Cni.Hcn.Json;

namespace Cni.Hcn.Model;

/// <summary>The <c>Type</c> of an <see cref="Ipam"/> block. Compares case-insensitively; unknown values are kept.</summary>
[JsonConverter(typeof(HcnNameConverter<IpamType>))]
public readonly struct IpamType : IHcnName<IpamType>, IEquatable<IpamType>
{
    /// <summary>Wraps a wire string.</summary>
    /// <param name="value">The exact string HNS uses.</param>
    public IpamType(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Value = value;
    }

    /// <summary><c>"Static"</c>.</summary>
    public static IpamType Static { get; } = new("Static");

    /// <summary><c>"Dhcp"</c>. MS-docs only.</summary>
    public static IpamType Dhcp { get; } = new("Dhcp");

    /// <inheritdoc/>
    public string? Value { get; }

    /// <summary>Compares two values case-insensitively.</summary>
    public static bool operator ==(IpamType left, IpamType right) => left.Equals(right);

    /// <summary>Compares two values case-insensitively.</summary>
    public static bool operator !=(IpamType left, IpamType right) => !left.Equals(right);

    /// <inheritdoc/>
    public static IpamType FromValue(string value) => new(value);

    /// <inheritdoc/>
    public bool Equals(IpamType other) => string.Equals(Value, other.Value, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is IpamType other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Value is null ? 0 : StringComparer.OrdinalIgnoreCase.GetHashCode(Value);

    /// <inheritdoc/>
    public override string ToString() => Value ?? string.Empty;
}
