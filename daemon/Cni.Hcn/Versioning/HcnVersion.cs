using System.Globalization;

namespace Cni.Hcn.Versioning;

/// <summary>
/// The HNS <em>service</em> version (<c>HNSCall("GET","/globals/version")</c> → <c>{"Major":n,"Minor":n}</c>); unrelated
/// to the 2.x JSON schema version. Ordered by (Major, Minor).
/// </summary>
/// <param name="Major">Major version.</param>
/// <param name="Minor">Minor version.</param>
public readonly record struct HcnVersion(uint Major, uint Minor) : IComparable<HcnVersion>
{
    /// <summary>Orders two versions.</summary>
    public static bool operator <(HcnVersion left, HcnVersion right) => left.CompareTo(right) < 0;

    /// <summary>Orders two versions.</summary>
    public static bool operator >(HcnVersion left, HcnVersion right) => left.CompareTo(right) > 0;

    /// <summary>Orders two versions.</summary>
    public static bool operator <=(HcnVersion left, HcnVersion right) => left.CompareTo(right) <= 0;

    /// <summary>Orders two versions.</summary>
    public static bool operator >=(HcnVersion left, HcnVersion right) => left.CompareTo(right) >= 0;

    /// <inheritdoc/>
    public int CompareTo(HcnVersion other) =>
        Major != other.Major ? Major.CompareTo(other.Major) : Minor.CompareTo(other.Minor);

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Major}.{Minor}");
}
