namespace Cni.Spec;

/// <summary>
/// CNI_ARGS: <c>K=V</c> pairs joined by <c>;</c>, parsed with the reference library's rules: exactly one <c>=</c>
/// per pair (so an empty pair or a trailing <c>;</c> is an error), keys are case-sensitive, a repeated key keeps the
/// last value, and unknown keys are an error unless <c>IgnoreUnknown</c> is <c>1</c>/<c>true</c> (case-insensitive).
/// Every error is code 4 naming CNI_ARGS and the offending pair or key.
/// </summary>
public sealed class CniArgs
{
    public const string K8sPodNamespaceKey = "K8S_POD_NAMESPACE";
    public const string K8sPodNameKey = "K8S_POD_NAME";
    public const string K8sPodInfraContainerIdKey = "K8S_POD_INFRA_CONTAINER_ID";
    public const string K8sPodUidKey = "K8S_POD_UID";
    public const string IgnoreUnknownKey = "IgnoreUnknown";
    public const string IpKey = "IP";
    public const string MacKey = "MAC";

    /// <summary>wincni's own key: the endpoint's VLAN ID (HCN VLAN endpoint policy), on l2bridge networks.</summary>
    public const string VlanKey = "VLAN";

    /// <summary>The keys wincni understands; anything else is "unknown" for the IgnoreUnknown rule.</summary>
    public static IReadOnlyList<string> KnownKeys { get; } =
        [K8sPodNamespaceKey, K8sPodNameKey, K8sPodInfraContainerIdKey, K8sPodUidKey, IgnoreUnknownKey, IpKey, MacKey, VlanKey];

    private readonly Dictionary<string, string> values;

    private CniArgs(List<KeyValuePair<string, string>> pairs, Dictionary<string, string> values, bool ignoreUnknown)
    {
        Pairs = pairs;
        this.values = values;
        IgnoreUnknown = ignoreUnknown;
    }

    /// <summary>No arguments (CNI_ARGS unset or empty).</summary>
    public static CniArgs Empty { get; } = new([], new Dictionary<string, string>(StringComparer.Ordinal), false);

    /// <summary>Every pair in the order given, unknown ones included (they survive when IgnoreUnknown is set).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Pairs { get; }

    public bool IgnoreUnknown { get; }

    public string? K8sPodNamespace => Get(K8sPodNamespaceKey);

    public string? K8sPodName => Get(K8sPodNameKey);

    public string? K8sPodInfraContainerId => Get(K8sPodInfraContainerIdKey);

    public string? K8sPodUid => Get(K8sPodUidKey);

    public string? Ip => Get(IpKey);

    public string? Mac => Get(MacKey);

    /// <summary>The value of a key (last one wins), or null.</summary>
    public string? Get(string key) => values.TryGetValue(key, out var v) ? v : null;

    /// <summary>Parses CNI_ARGS; null or empty gives <see cref="Empty"/>.</summary>
    public static CniArgs Parse(string? raw)
    {
        if (string.IsNullOrEmpty(raw))
        {
            return Empty;
        }

        var pairs = new List<KeyValuePair<string, string>>();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var unknown = new List<string>();
        foreach (var pair in raw.Split(';'))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || pair.IndexOf('=', eq + 1) >= 0)
            {
                // Empty pair (";;" or a trailing ";"), no "=", an empty key or more than one "=".
                throw new CniException(
                    CniErrorCode.InvalidEnvironmentVariables,
                    "CNI_ARGS: invalid pair " + Json.JsonPath.Quote(pair),
                    "every CNI_ARGS entry must be KEY=VALUE with exactly one '=', entries separated by ';'");
            }

            var key = pair[..eq];
            var value = pair[(eq + 1)..];
            pairs.Add(new KeyValuePair<string, string>(key, value));
            values[key] = value;
            if (!IsKnown(key))
            {
                unknown.Add(pair);
            }
        }

        var ignoreUnknown = false;
        if (values.TryGetValue(IgnoreUnknownKey, out var ignore))
        {
            ignoreUnknown = ParseBool(ignore)
                ?? throw new CniException(
                    CniErrorCode.InvalidEnvironmentVariables,
                    "CNI_ARGS: IgnoreUnknown has invalid value " + Json.JsonPath.Quote(ignore),
                    "use 1, true, 0 or false");
        }

        if (unknown.Count > 0 && !ignoreUnknown)
        {
            throw new CniException(
                CniErrorCode.InvalidEnvironmentVariables,
                "CNI_ARGS: unknown args [" + string.Join(", ", unknown.Select(u => Json.JsonPath.Quote(u))) + "]",
                "set IgnoreUnknown=1 to pass keys the plugin does not know");
        }

        return new CniArgs(pairs, values, ignoreUnknown);
    }

    private static bool IsKnown(string key)
    {
        foreach (var k in KnownKeys)
        {
            if (string.Equals(k, key, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The library's UnmarshallableBool: 1/true and 0/false, case-insensitive.</summary>
    private static bool? ParseBool(string value)
    {
        if (value == "1" || string.Equals(value, "true", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (value == "0" || string.Equals(value, "false", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return null;
    }
}
