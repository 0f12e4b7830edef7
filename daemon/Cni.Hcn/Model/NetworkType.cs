using System.Text.Json.Serialization;
using Cni.Hcn.Json;

namespace Cni.Hcn.Model;

/// <summary>The HCN network type (<c>Type</c> of a HostComputeNetwork; MS-docs <c>NetworkMode</c>). A network read without <c>Type</c> is NAT: HNS omits its default (hcsshim hcn/hcnnetwork.go presets NAT before reading). Compares case-insensitively; unknown values are kept.</summary>
[JsonConverter(typeof(HcnNameConverter<NetworkType>))]
public readonly struct NetworkType : IHcnName<NetworkType>, IEquatable<NetworkType>
{
    /// <summary>Wraps a wire string.</summary>
    /// <param name="value">The exact string HNS uses.</param>
    public NetworkType(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Value = value;
    }

    /// <summary><c>"NAT"</c>.</summary>
    public static NetworkType Nat { get; } = new("NAT");

    /// <summary><c>"Transparent"</c>.</summary>
    public static NetworkType Transparent { get; } = new("Transparent");

    /// <summary><c>"L2Bridge"</c>. Kubernetes host-gw style (win-bridge, sdnbridge).</summary>
    public static NetworkType L2Bridge { get; } = new("L2Bridge");

    /// <summary><c>"L2Tunnel"</c>.</summary>
    public static NetworkType L2Tunnel { get; } = new("L2Tunnel");

    /// <summary><c>"ICS"</c>.</summary>
    public static NetworkType Ics { get; } = new("ICS");

    /// <summary><c>"Private"</c>.</summary>
    public static NetworkType Private { get; } = new("Private");

    /// <summary><c>"Overlay"</c>. VXLAN (flannel vxlan, sdnoverlay).</summary>
    public static NetworkType Overlay { get; } = new("Overlay");

    /// <summary><c>"Internal"</c>. MS-docs only.</summary>
    public static NetworkType Internal { get; } = new("Internal");

    /// <summary><c>"Mirrored"</c>. MS-docs only, schema 2.4.</summary>
    public static NetworkType Mirrored { get; } = new("Mirrored");

    /// <summary><c>"Infiniband"</c>. MS-docs only, schema 2.4.</summary>
    public static NetworkType Infiniband { get; } = new("Infiniband");

    /// <summary><c>"ConstrainedICS"</c>. MS-docs only, schema 2.10.</summary>
    public static NetworkType ConstrainedIcs { get; } = new("ConstrainedICS");

    /// <inheritdoc/>
    public string? Value { get; }

    /// <summary>Compares two values case-insensitively.</summary>
    public static bool operator ==(NetworkType left, NetworkType right) => left.Equals(right);

    /// <summary>Compares two values case-insensitively.</summary>
    public static bool operator !=(NetworkType left, NetworkType right) => !left.Equals(right);

    /// <inheritdoc/>
    public static NetworkType FromValue(string value) => new(value);

    /// <inheritdoc/>
    public bool Equals(NetworkType other) => string.Equals(Value, other.Value, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is NetworkType other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Value is null ? 0 : StringComparer.OrdinalIgnoreCase.GetHashCode(Value);

    /// <inheritdoc/>
    public override string ToString() => Value ?? string.Empty;
}
