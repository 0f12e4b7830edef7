using System.Globalization;

namespace Cni.Spec;

/// <summary>
/// The CNI spec versions wincni implements and the rules attached to them. Support is an exact string match, as in
/// the reference library: "1.1" is not "1.1.0", and a config without cniVersion is "0.1.0", which is not supported.
/// </summary>
public static class CniVersion
{
    public const string V030 = "0.3.0";
    public const string V031 = "0.3.1";
    public const string V040 = "0.4.0";
    public const string V100 = "1.0.0";
    public const string V110 = "1.1.0";

    /// <summary>The highest supported version; what VERSION answers with when the input gives none.</summary>
    public const string Latest = V110;

    /// <summary>The version the reference library assumes when a config has no cniVersion.</summary>
    public const string Implicit = "0.1.0";

    /// <summary>Supported versions, oldest first (the order VERSION lists them in).</summary>
    public static IReadOnlyList<string> Supported { get; } = [V030, V031, V040, V100, V110];

    /// <summary>Exact-string support check.</summary>
    public static bool IsSupported(string? version) => IndexOf(version) >= 0;

    /// <summary>The result family of a supported version; throws code 1 for anything else.</summary>
    public static CniResultFamily FamilyOf(string version)
    {
        var index = IndexOf(version);
        return index switch
        {
            < 0 => throw Unsupported(version),
            <= 2 => CniResultFamily.V03,
            _ => CniResultFamily.V1,
        };
    }

    /// <summary>
    /// Orders two supported versions. Only supported versions are comparable: a semver library is not needed because
    /// everything else is rejected before any ordering question is asked.
    /// </summary>
    public static int Compare(string a, string b)
    {
        var ia = IndexOf(a);
        var ib = IndexOf(b);
        if (ia < 0)
        {
            throw Unsupported(a);
        }

        if (ib < 0)
        {
            throw Unsupported(b);
        }

        return ia.CompareTo(ib);
    }

    /// <summary>True when a supported <paramref name="version"/> is at least <paramref name="minimum"/>.</summary>
    public static bool IsAtLeast(string version, string minimum) => Compare(version, minimum) >= 0;

    /// <summary>Throws code 1 unless <paramref name="version"/> is supported (details name both sides, as the reference does).</summary>
    public static void EnsureSupported(string? version)
    {
        if (!IsSupported(version))
        {
            throw Unsupported(version);
        }
    }

    /// <summary>
    /// Applies the per-command version gates: CHECK needs ≥ 0.4.0, STATUS and GC need ≥ 1.1.0; every command needs a
    /// supported version. The gate is checked first, on any numeric version (as the reference does), so CHECK with
    /// "0.3.1" or "0.2.0" gets the reference's "config version does not allow CHECK".
    /// </summary>
    public static void EnsureCommandAllowed(CniCommand command, string? version)
    {
        var minimum = MinimumFor(command);
        var effective = string.IsNullOrEmpty(version) ? Implicit : version;
        if (minimum is not null && TryParseNumeric(effective, out var given) && TryParseNumeric(minimum, out var needed) && given.CompareTo(needed) < 0)
        {
            throw new CniException(
                CniErrorCode.IncompatibleCniVersion,
                "config version does not allow " + command.ToWireName(),
                string.Create(CultureInfo.InvariantCulture, $"config is \"{version}\", {command.ToWireName()} needs {minimum} or later"));
        }

        EnsureSupported(version);
    }

    /// <summary>The lowest version a command exists in, or null when every supported version has it.</summary>
    public static string? MinimumFor(CniCommand command) => command switch
    {
        CniCommand.Check => V040,
        CniCommand.Status or CniCommand.Gc => V110,
        _ => null,
    };

    /// <summary>
    /// Picks what a runtime would pick from a conflist: the highest supported version among <paramref name="cniVersions"/>
    /// and <paramref name="cniVersion"/>; null when none is supported.
    /// </summary>
    public static string? SelectHighest(string? cniVersion, IEnumerable<string>? cniVersions)
    {
        var best = -1;
        if (cniVersions is not null)
        {
            foreach (var v in cniVersions)
            {
                best = Math.Max(best, IndexOf(v));
            }
        }

        best = Math.Max(best, IndexOf(cniVersion));
        return best < 0 ? null : Supported[best];
    }

    /// <summary>
    /// The reference library's lenient reading for ordering only: 1–3 dot-separated non-negative integers
    /// ("1.1" is 1.1.0). Support itself stays an exact string match.
    /// </summary>
    private static bool TryParseNumeric(string version, out (int Major, int Minor, int Micro) value)
    {
        value = default;
        var parts = version.Split('.');
        if (parts.Length > 3)
        {
            return false;
        }

        var numbers = new int[3];
        for (var i = 0; i < parts.Length; i++)
        {
            if (parts[i].Length == 0 || !int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]))
            {
                return false;
            }
        }

        value = (numbers[0], numbers[1], numbers[2]);
        return true;
    }

    private static int IndexOf(string? version)
    {
        if (version is null)
        {
            return -1;
        }

        for (var i = 0; i < Supported.Count; i++)
        {
            if (string.Equals(Supported[i], version, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private static CniException Unsupported(string? version) => new(
        CniErrorCode.IncompatibleCniVersion,
        "incompatible CNI versions",
        string.Create(CultureInfo.InvariantCulture, $"config is \"{version ?? Implicit}\", plugin supports [{string.Join(' ', Supported)}]"));
}
