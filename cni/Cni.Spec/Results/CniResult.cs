using System.Globalization;

namespace Cni.Spec.Results;

/// <summary>
/// The canonical in-memory ADD result: a superset of every supported version (1.1.0 has every field). The result
/// remembers the version it is in; <see cref="ConvertTo"/> relabels it and the writer emits only the fields the
/// label's version defines, so conversion rules live in one place (the writer).
/// </summary>
public sealed record CniResult
{
    public required string CniVersion { get; init; }

    public IReadOnlyList<ResultInterface> Interfaces { get; init; } = [];

    public IReadOnlyList<ResultIpConfig> Ips { get; init; } = [];

    public IReadOnlyList<ResultRoute> Routes { get; init; } = [];

    /// <summary>Null when absent. An empty block is kept so a 0.4.0 <c>"dns":{}</c> round-trips.</summary>
    public CniDns? Dns { get; init; }

    /// <summary>
    /// The same result labelled <paramref name="cniVersion"/>. Unknown versions are code 1; information the target
    /// cannot carry is dropped when written (see <see cref="CniJson.Serialize(CniResult)"/>).
    /// </summary>
    public CniResult ConvertTo(string cniVersion)
    {
        Spec.CniVersion.EnsureSupported(cniVersion);
        return this with { CniVersion = cniVersion };
    }

    /// <summary>
    /// Checks the invariants no writer may break: a supported version, non-empty interface names and every
    /// <c>ips[].interface</c> in 0 ≤ i &lt; interfaces.Count (go-cni panics on an index equal to the count).
    /// Returns null when valid, otherwise the problem with its field path.
    /// </summary>
    public string? FindProblem()
    {
        if (!Spec.CniVersion.IsSupported(CniVersion))
        {
            return "cniVersion: unsupported CNI result version " + Json.JsonPath.Quote(CniVersion);
        }

        for (var i = 0; i < Interfaces.Count; i++)
        {
            var iface = Interfaces[i];
            if (iface is null || string.IsNullOrEmpty(iface.Name))
            {
                return Problem($"interfaces[{i}].name: must not be empty");
            }

            if (iface.Mtu is < 0)
            {
                return Problem($"interfaces[{i}].mtu: must not be negative");
            }
        }

        for (var i = 0; i < Ips.Count; i++)
        {
            var ip = Ips[i];
            if (ip is null || !IsWellFormed(ip.Address))
            {
                return Problem($"ips[{i}].address: must be an address with a prefix length that fits its family");
            }

            if (ip.Interface is { } index && (index < 0 || index >= Interfaces.Count))
            {
                return Problem($"ips[{i}].interface: index {index} is out of range, the result has {Interfaces.Count} interface(s)");
            }
        }

        for (var i = 0; i < Routes.Count; i++)
        {
            var route = Routes[i];
            if (route is null || !IsWellFormed(route.Dst))
            {
                return Problem($"routes[{i}].dst: must be an address with a prefix length that fits its family");
            }

            if (route.Mtu is < 0 || route.AdvMss is < 0 || route.Priority is < 0 || route.Table is < 0 || route.Scope is < 0 or > 255)
            {
                return Problem($"routes[{i}]: mtu, advmss, priority and table must not be negative; scope is 0-255");
            }
        }

        return null;
    }

    /// <summary>The writer prints address/prefix as given, so a value built in code must still parse back.</summary>
    private static bool IsWellFormed(IpAddressWithPrefix value) =>
        value.Address is not null
        && value.PrefixLength >= 0
        && value.PrefixLength <= (value.IsIPv4 ? 32 : 128)
        && (value.IsIPv4 || value.Address.ScopeId == 0); // ScopeId throws for IPv4

    private static string Problem(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
