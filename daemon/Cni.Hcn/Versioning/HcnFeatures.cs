using System.Collections.Frozen;

namespace Cni.Hcn.Versioning;

/// <summary>
/// What an HNS version supports (the version ranges of hcsshim hcn/hcnglobals.go). A feature is on when the version falls in one of its ranges
/// (inclusive; "9.3–9.x" means every minor of major 9). With no version (the query failed: pre-1803) everything is off.
/// </summary>
public sealed record HcnFeatures
{
    private static readonly FrozenDictionary<HcnFeature, Range[]> Table = new Dictionary<HcnFeature, Range[]>
    {
        [HcnFeature.Acl] = [From(7, 2)],
        [HcnFeature.ApiV2] = [From(9, 2)],
        [HcnFeature.RemoteSubnet] = [From(9, 2)],
        [HcnFeature.HostRoute] = [From(9, 2)],
        [HcnFeature.Dsr] = [WithinMajor(9, 3), From(10, 2)],
        [HcnFeature.Slash32EndpointPrefixes] = [WithinMajor(9, 3), From(10, 4)],
        [HcnFeature.AclSupportForProtocol252] = [From(11, 0)],
        [HcnFeature.SessionAffinity] = [From(12, 0)],
        [HcnFeature.IPv6DualStack] = [From(11, 10)],
        [HcnFeature.SetPolicy] = [From(13, 0)],
        [HcnFeature.VxlanPort] = [From(10, 3)],
        [HcnFeature.L4Proxy] = [WithinMajor(9, 5), WithinMajor(10, 5), WithinMajor(11, 11), WithinMajor(12, 1), From(13, 1)],
        [HcnFeature.L4WfpProxy] = [From(13, 2)],
        [HcnFeature.TierAcl] = [From(14, 0)],
        [HcnFeature.NetworkAcl] = [From(15, 0)],
        [HcnFeature.NestedIpSet] = [From(15, 0)],
        [HcnFeature.DisableHostPort] = [From(15, 1)],
        [HcnFeature.ModifyLoadBalancer] = [From(15, 4)],
        [HcnFeature.AcceleratedNetworking] = [From(15, 4)],
    }.ToFrozenDictionary();

    private readonly FrozenSet<HcnFeature> _supported;

    private HcnFeatures(HcnVersion? version, FrozenSet<HcnFeature> supported)
    {
        Version = version;
        _supported = supported;
    }

    /// <summary>No features: the version is unknown.</summary>
    public static HcnFeatures None { get; } = new(null, FrozenSet<HcnFeature>.Empty);

    /// <summary>The version these features were derived from; null when it could not be read.</summary>
    public HcnVersion? Version { get; }

    /// <summary>Every feature that is on.</summary>
    public IReadOnlySet<HcnFeature> Supported => _supported;

    /// <summary>The v1 API is always there.</summary>
    public static bool ApiV1 => true;

    /// <summary>ACL address lists etc.</summary>
    public bool Acl => IsSupported(HcnFeature.Acl);

    /// <summary>The v2 API.</summary>
    public bool ApiV2 => IsSupported(HcnFeature.ApiV2);

    /// <summary>RemoteSubnetRoute.</summary>
    public bool RemoteSubnet => IsSupported(HcnFeature.RemoteSubnet);

    /// <summary>HostRoute.</summary>
    public bool HostRoute => IsSupported(HcnFeature.HostRoute);

    /// <summary>Direct server return.</summary>
    public bool Dsr => IsSupported(HcnFeature.Dsr);

    /// <summary>/32 endpoint prefixes.</summary>
    public bool Slash32EndpointPrefixes => IsSupported(HcnFeature.Slash32EndpointPrefixes);

    /// <summary>ACLs on protocol 252.</summary>
    public bool AclSupportForProtocol252 => IsSupported(HcnFeature.AclSupportForProtocol252);

    /// <summary>Client-IP affinity.</summary>
    public bool SessionAffinity => IsSupported(HcnFeature.SessionAffinity);

    /// <summary>IPv6 dual stack.</summary>
    public bool IPv6DualStack => IsSupported(HcnFeature.IPv6DualStack);

    /// <summary>SetPolicy.</summary>
    public bool SetPolicy => IsSupported(HcnFeature.SetPolicy);

    /// <summary>VxlanPort.</summary>
    public bool VxlanPort => IsSupported(HcnFeature.VxlanPort);

    /// <summary>L4Proxy.</summary>
    public bool L4Proxy => IsSupported(HcnFeature.L4Proxy);

    /// <summary>L4WFPPROXY.</summary>
    public bool L4WfpProxy => IsSupported(HcnFeature.L4WfpProxy);

    /// <summary>TierAcl.</summary>
    public bool TierAcl => IsSupported(HcnFeature.TierAcl);

    /// <summary>NetworkACL.</summary>
    public bool NetworkAcl => IsSupported(HcnFeature.NetworkAcl);

    /// <summary>NESTEDIPSET.</summary>
    public bool NestedIpSet => IsSupported(HcnFeature.NestedIpSet);

    /// <summary>DisableHostPort network flag.</summary>
    public bool DisableHostPort => IsSupported(HcnFeature.DisableHostPort);

    /// <summary>HcnModifyLoadBalancer.</summary>
    public bool ModifyLoadBalancer => IsSupported(HcnFeature.ModifyLoadBalancer);

    public bool AcceleratedNetworking => IsSupported(HcnFeature.AcceleratedNetworking);

    /// <summary>The features of <paramref name="version"/>; <see cref="None"/> when it is null.</summary>
    /// <param name="version">The HNS version, or null when the query failed.</param>
    /// <returns>The feature set.</returns>
    public static HcnFeatures FromVersion(HcnVersion? version)
    {
        if (version is not { } v)
        {
            return None;
        }

        var on = Table.Where(entry => entry.Value.Any(range => range.Contains(v))).Select(entry => entry.Key);
        return new HcnFeatures(v, on.ToFrozenSet());
    }

    /// <summary>The HNS versions that have <paramref name="feature"/>, for messages ("9.3–9.x or 10.2 or later").</summary>
    /// <returns>The ranges as text.</returns>
    public static string RequiredVersion(HcnFeature feature) => string.Join(" or ", Table[feature].Select(r => r.Describe()));

    /// <summary>The version as text for messages: "15.4", or why there is none.</summary>
    public string VersionText => Version?.ToString() ?? "of unknown version (pre-1803, or the version could not be read)";

    /// <summary>Whether <paramref name="feature"/> is on.</summary>
    /// <returns>True when supported.</returns>
    public bool IsSupported(HcnFeature feature) => _supported.Contains(feature);

    /// <summary>Value equality: same version, same features.</summary>
    /// <param name="other">The other set.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(HcnFeatures? other) =>
        other is not null && Version == other.Version && _supported.SetEquals(other._supported);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Version, _supported.Count);

    private static Range From(uint major, uint minor) => new(new(major, minor), new(uint.MaxValue, uint.MaxValue));

    private static Range WithinMajor(uint major, uint minor) => new(new(major, minor), new(major, uint.MaxValue));

    private readonly record struct Range(HcnVersion Min, HcnVersion Max)
    {
        public bool Contains(HcnVersion version) => version >= Min && version <= Max;

        public string Describe() => Max.Major == uint.MaxValue ? $"{Min} or later" : $"{Min}–{Min.Major}.x";
    }
}
