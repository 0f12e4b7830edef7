using System.Text.Json.Serialization;
using Cni.Hcn.Json;

namespace Cni.Hcn.Model.Policies;

/// <summary>The <c>Type</c> of a <see cref="NetworkPolicy"/> (hcsshim hcn/hcnpolicy.go <c>NetworkPolicyType</c>). Compares case-insensitively; unknown values are kept.</summary>
[JsonConverter(typeof(HcnNameConverter<NetworkPolicyType>))]
public readonly struct NetworkPolicyType : IHcnName<NetworkPolicyType>, IEquatable<NetworkPolicyType>
{
    /// <summary>Wraps a wire string.</summary>
    /// <param name="value">The exact string HNS uses.</param>
    public NetworkPolicyType(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Value = value;
    }

    /// <summary><c>"SourceMacAddress"</c>.</summary>
    public static NetworkPolicyType SourceMacAddress { get; } = new("SourceMacAddress");

    /// <summary><c>"NetAdapterName"</c>. Binds the network to a host NIC by name.</summary>
    public static NetworkPolicyType NetAdapterName { get; } = new("NetAdapterName");

    /// <summary><c>"VSwitchExtension"</c>.</summary>
    public static NetworkPolicyType VSwitchExtension { get; } = new("VSwitchExtension");

    /// <summary><c>"DrMacAddress"</c>. Distributed-router MAC.</summary>
    public static NetworkPolicyType DrMacAddress { get; } = new("DrMacAddress");

    /// <summary><c>"AutomaticDNS"</c>.</summary>
    public static NetworkPolicyType AutomaticDns { get; } = new("AutomaticDNS");

    /// <summary><c>"InterfaceConstraint"</c>.</summary>
    public static NetworkPolicyType InterfaceConstraint { get; } = new("InterfaceConstraint");

    /// <summary><c>"ProviderAddress"</c>. Host PA on Overlay (input selects the adapter; HNS reports the management IP here).</summary>
    public static NetworkPolicyType ProviderAddress { get; } = new("ProviderAddress");

    /// <summary><c>"RemoteSubnetRoute"</c>. Routes a remote node's pod CIDR via its provider address and VNI (Overlay).</summary>
    public static NetworkPolicyType RemoteSubnetRoute { get; } = new("RemoteSubnetRoute");

    /// <summary><c>"VxlanPort"</c>. VXLAN UDP port; needs HNS 10.3.</summary>
    public static NetworkPolicyType VxlanPort { get; } = new("VxlanPort");

    /// <summary><c>"HostRoute"</c>. Local host to local pod on Overlay.</summary>
    public static NetworkPolicyType HostRoute { get; } = new("HostRoute");

    /// <summary><c>"SetPolicy"</c>. IP sets; needs HNS 13.0.</summary>
    public static NetworkPolicyType SetPolicy { get; } = new("SetPolicy");

    /// <summary><c>"L4Proxy"</c>.</summary>
    public static NetworkPolicyType L4Proxy { get; } = new("L4Proxy");

    /// <summary><c>"LayerConstraint"</c>.</summary>
    public static NetworkPolicyType LayerConstraint { get; } = new("LayerConstraint");

    /// <summary><c>"NetworkACL"</c>. Needs HNS 15.0.</summary>
    public static NetworkPolicyType NetworkAcl { get; } = new("NetworkACL");

    /// <summary><c>"NeighborDiscovery"</c>. SDN-psm1 only.</summary>
    public static NetworkPolicyType NeighborDiscovery { get; } = new("NeighborDiscovery");

    /// <inheritdoc/>
    public string? Value { get; }

    /// <summary>Compares two values case-insensitively.</summary>
    public static bool operator ==(NetworkPolicyType left, NetworkPolicyType right) => left.Equals(right);

    /// <summary>Compares two values case-insensitively.</summary>
    public static bool operator !=(NetworkPolicyType left, NetworkPolicyType right) => !left.Equals(right);

    /// <inheritdoc/>
    public static NetworkPolicyType FromValue(string value) => new(value);

    /// <inheritdoc/>
    public bool Equals(NetworkPolicyType other) => string.Equals(Value, other.Value, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is NetworkPolicyType other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Value is null ? 0 : StringComparer.OrdinalIgnoreCase.GetHashCode(Value);

    /// <inheritdoc/>
    public override string ToString() => Value ?? string.Empty;
}
