using System.Text.Json.Serialization;
using Cni.Hcn.Json;

namespace Cni.Hcn.Model.Requests;

/// <summary>The <c>ResourceType</c> of a network modify request. Compares case-insensitively; unknown values are kept.</summary>
[JsonConverter(typeof(HcnNameConverter<NetworkResourceType>))]
public readonly struct NetworkResourceType : IHcnName<NetworkResourceType>, IEquatable<NetworkResourceType>
{
    /// <summary>Wraps a wire string.</summary>
    /// <param name="value">The exact string HNS uses.</param>
    public NetworkResourceType(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Value = value;
    }

    /// <summary><c>"Policy"</c>. Settings: <see cref="PolicyNetworkRequest"/>.</summary>
    public static NetworkResourceType Policy { get; } = new("Policy");

    /// <summary><c>"DNS"</c>. Settings: a <see cref="Model.Dns"/> object.</summary>
    public static NetworkResourceType Dns { get; } = new("DNS");

    /// <summary><c>"Extension"</c>. Settings: <see cref="NetworkExtensionRequest"/>.</summary>
    public static NetworkResourceType Extension { get; } = new("Extension");

    /// <summary><c>"Subnet"</c>. Settings: <see cref="SubnetRequest"/> (MS-docs, schema 2.6).</summary>
    public static NetworkResourceType Subnet { get; } = new("Subnet");

    /// <summary><c>"IPSubnet"</c>. Settings: <see cref="IpSubnetRequest"/> (MS-docs, schema 2.6).</summary>
    public static NetworkResourceType IpSubnet { get; } = new("IPSubnet");

    /// <inheritdoc/>
    public string? Value { get; }

    /// <summary>Compares two values case-insensitively.</summary>
    public static bool operator ==(NetworkResourceType left, NetworkResourceType right) => left.Equals(right);

    /// <summary>Compares two values case-insensitively.</summary>
    public static bool operator !=(NetworkResourceType left, NetworkResourceType right) => !left.Equals(right);

    /// <inheritdoc/>
    public static NetworkResourceType FromValue(string value) => new(value);

    /// <inheritdoc/>
    public bool Equals(NetworkResourceType other) => string.Equals(Value, other.Value, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is NetworkResourceType other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Value is null ? 0 : StringComparer.OrdinalIgnoreCase.GetHashCode(Value);

    /// <inheritdoc/>
    public override string ToString() => Value ?? string.Empty;
}
