using System.Globalization;

namespace Cni.Spec;

/// <summary>
/// CNI_NETNS classified without touching the system. HCN GUIDs are matched case-insensitively with optional braces
/// and normalised to lower-case 8-4-4-4-12 (HNS compares IDs case-insensitively; containerd sends lower-case).
/// </summary>
/// <param name="Kind">The form.</param>
/// <param name="Value">Normalised value: the GUID text, the container ID for <see cref="NetnsKind.Container"/>, otherwise the input.</param>
/// <param name="Raw">CNI_NETNS exactly as given (what a result's <c>sandbox</c> must echo).</param>
public readonly record struct NetnsReference(NetnsKind Kind, string Value, string Raw)
{
    /// <summary>The namespace GUID when <see cref="Kind"/> is <see cref="NetnsKind.HcnNamespace"/>.</summary>
    public Guid? HcnNamespaceId => Kind == NetnsKind.HcnNamespace ? Guid.ParseExact(Value, "D") : null;

    public static NetnsReference Classify(string? netns)
    {
        if (string.IsNullOrEmpty(netns))
        {
            return new NetnsReference(NetnsKind.Empty, "", "");
        }

        if (TryParseGuid(netns, out var guid))
        {
            return new NetnsReference(NetnsKind.HcnNamespace, guid.ToString("D", CultureInfo.InvariantCulture), netns);
        }

        if (string.Equals(netns, "none", StringComparison.OrdinalIgnoreCase))
        {
            return new NetnsReference(NetnsKind.None, "none", netns);
        }

        if (netns.StartsWith("container:", StringComparison.OrdinalIgnoreCase) && netns.Length > "container:".Length)
        {
            return new NetnsReference(NetnsKind.Container, netns["container:".Length..], netns);
        }

        if (netns[0] == '/')
        {
            return new NetnsReference(NetnsKind.Path, netns, netns);
        }

        return new NetnsReference(NetnsKind.Other, netns, netns);
    }

    /// <summary>8-4-4-4-12 hex, optionally wrapped in matching braces; no other Guid formats (N, P, X).</summary>
    private static bool TryParseGuid(string text, out Guid guid)
    {
        guid = default;
        var span = text.AsSpan();
        if (span.Length == 38 && span[0] == '{' && span[^1] == '}')
        {
            span = span[1..^1];
        }

        return span.Length == 36 && Guid.TryParseExact(span, "D", out guid);
    }
}
