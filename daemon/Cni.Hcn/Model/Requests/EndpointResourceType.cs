using System.Text.Json.Serialization;
using Cni.Hcn.Json;

namespace Cni.Hcn.Model.Requests;

/// <summary>The <c>ResourceType</c> of an endpoint modify request. Compares case-insensitively; unknown values are kept.</summary>
[JsonConverter(typeof(HcnNameConverter<EndpointResourceType>))]
public readonly struct EndpointResourceType : IHcnName<EndpointResourceType>, IEquatable<EndpointResourceType>
{
    /// <summary>Wraps a wire string.</summary>
    /// <param name="value">The exact string HNS uses.</param>
    public EndpointResourceType(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Value = value;
    }

    /// <summary><c>"Policy"</c>. Settings: <see cref="PolicyEndpointRequest"/>.</summary>
    public static EndpointResourceType Policy { get; } = new("Policy");

    /// <summary><c>"Port"</c>. Settings: <see cref="VmEndpointRequest"/>.</summary>
    public static EndpointResourceType Port { get; } = new("Port");

    /// <inheritdoc/>
    public string? Value { get; }

    /// <summary>Compares two values case-insensitively.</summary>
    public static bool operator ==(EndpointResourceType left, EndpointResourceType right) => left.Equals(right);

    /// <summary>Compares two values case-insensitively.</summary>
    public static bool operator !=(EndpointResourceType left, EndpointResourceType right) => !left.Equals(right);

    /// <inheritdoc/>
    public static EndpointResourceType FromValue(string value) => new(value);

    /// <inheritdoc/>
    public bool Equals(EndpointResourceType other) => string.Equals(Value, other.Value, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is EndpointResourceType other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Value is null ? 0 : StringComparer.OrdinalIgnoreCase.GetHashCode(Value);

    /// <inheritdoc/>
    public override string ToString() => Value ?? string.Empty;
}
