using System.Text.Json.Serialization;
using Cni.Hcn.Json;

namespace Cni.Hcn.Model;

/// <summary>What a namespace resource (and a namespace modify request) refers to. Compares case-insensitively; unknown values are kept.</summary>
[JsonConverter(typeof(HcnNameConverter<NamespaceResourceType>))]
public readonly struct NamespaceResourceType : IHcnName<NamespaceResourceType>, IEquatable<NamespaceResourceType>
{
    /// <summary>Wraps a wire string.</summary>
    /// <param name="value">The exact string HNS uses.</param>
    public NamespaceResourceType(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Value = value;
    }

    /// <summary><c>"Endpoint"</c>.</summary>
    public static NamespaceResourceType Endpoint { get; } = new("Endpoint");

    /// <summary><c>"Container"</c>.</summary>
    public static NamespaceResourceType Container { get; } = new("Container");

    /// <inheritdoc/>
    public string? Value { get; }

    /// <summary>Compares two values case-insensitively.</summary>
    public static bool operator ==(NamespaceResourceType left, NamespaceResourceType right) => left.Equals(right);

    /// <summary>Compares two values case-insensitively.</summary>
    public static bool operator !=(NamespaceResourceType left, NamespaceResourceType right) => !left.Equals(right);

    /// <inheritdoc/>
    public static NamespaceResourceType FromValue(string value) => new(value);

    /// <inheritdoc/>
    public bool Equals(NamespaceResourceType other) => string.Equals(Value, other.Value, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is NamespaceResourceType other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Value is null ? 0 : StringComparer.OrdinalIgnoreCase.GetHashCode(Value);

    /// <inheritdoc/>
    public override string ToString() => Value ?? string.Empty;
}
