using System.Text.Json.Serialization;
using Cni.Hcn.Json;

namespace Cni.Hcn.Model;

/// <summary>The <c>Type</c> of a HostComputeNamespace. Compares case-insensitively; unknown values are kept.</summary>
[JsonConverter(typeof(HcnNameConverter<NamespaceType>))]
public readonly struct NamespaceType : IHcnName<NamespaceType>, IEquatable<NamespaceType>
{
    /// <summary>Wraps a wire string.</summary>
    /// <param name="value">The exact string HNS uses.</param>
    public NamespaceType(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Value = value;
    }

    /// <summary><c>"Host"</c>. A separate compartment on the host (process-isolated pod).</summary>
    public static NamespaceType Host { get; } = new("Host");

    /// <summary><c>"HostDefault"</c>. The host's default compartment.</summary>
    public static NamespaceType HostDefault { get; } = new("HostDefault");

    /// <summary><c>"Guest"</c>. Inside a utility VM (Hyper-V isolated pod).</summary>
    public static NamespaceType Guest { get; } = new("Guest");

    /// <summary><c>"GuestDefault"</c>. The default compartment inside a utility VM.</summary>
    public static NamespaceType GuestDefault { get; } = new("GuestDefault");

    /// <inheritdoc/>
    public string? Value { get; }

    /// <summary>Compares two values case-insensitively.</summary>
    public static bool operator ==(NamespaceType left, NamespaceType right) => left.Equals(right);

    /// <summary>Compares two values case-insensitively.</summary>
    public static bool operator !=(NamespaceType left, NamespaceType right) => !left.Equals(right);

    /// <inheritdoc/>
    public static NamespaceType FromValue(string value) => new(value);

    /// <inheritdoc/>
    public bool Equals(NamespaceType other) => string.Equals(Value, other.Value, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is NamespaceType other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Value is null ? 0 : StringComparer.OrdinalIgnoreCase.GetHashCode(Value);

    /// <inheritdoc/>
    public override string ToString() => Value ?? string.Empty;
}
