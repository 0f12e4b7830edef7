namespace Cni.Hcn.Kernel.Nftables;

/// <summary>
/// What a table holds, counted: rules per chain and elements per named set or map. Cheap to read from the kernel
/// (<see cref="NftShapeReader"/>) and to derive from what wincni rendered, so drift made outside wincni (a rule,
/// element, set, chain or the whole table deleted) shows without listing the table as text. A rule replaced by
/// another, or a changed hook or policy, keeps the counts and is not seen.
/// </summary>
internal sealed class NftTableShape
{
    /// <summary>Rules per chain; only chains with rules (the kernel's rule dump is how chains are seen).</summary>
    public SortedDictionary<string, int> Rules { get; } = new(StringComparer.Ordinal);

    /// <summary>Elements per named set or map (anonymous sets belong to their rule).</summary>
    public SortedDictionary<string, int> Elements { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The shape of a table as wincni's renderers write it (<see cref="NftRenderer.RenderNetwork"/>,
    /// <see cref="ServiceRenderer.RenderTable(IEnumerable{LoadBalancerRendering})"/>): one statement a line, blocks
    /// opened by <c>chain</c>/<c>set</c>/<c>map</c> lines, a base chain's <c>type … hook …;</c> line, and elements as
    /// <c>elements = { a, b }</c> (possibly over several lines; no element contains a comma).
    /// </summary>
    public static NftTableShape Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var shape = new NftTableShape();
        string? chain = null;
        string? set = null;
        var inElements = false;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (inElements && set is not null)
            {
                shape.Elements[set] += line.TrimEnd('}').Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Length;
                inElements = !line.EndsWith('}');
                continue;
            }

            if (line.EndsWith('{') && line.StartsWith("chain ", StringComparison.Ordinal))
            {
                chain = line[6..^1].Trim();
                continue;
            }

            if (line.EndsWith('{') && (line.StartsWith("set ", StringComparison.Ordinal) || line.StartsWith("map ", StringComparison.Ordinal)))
            {
                set = line[4..^1].Trim();
                shape.Elements[set] = 0;
                continue;
            }

            if (line == "}")
            {
                chain = null;
                set = null;
                continue;
            }

            if (set is not null && line.StartsWith("elements = {", StringComparison.Ordinal))
            {
                var rest = line["elements = {".Length..];
                shape.Elements[set] += rest.TrimEnd('}').Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Length;
                inElements = !rest.EndsWith('}');
                continue;
            }

            if (chain is not null && !(line.StartsWith("type ", StringComparison.Ordinal) && line.Contains(" hook ", StringComparison.Ordinal)))
            {
                shape.Rules[chain] = shape.Rules.GetValueOrDefault(chain) + 1;
            }
        }

        return shape;
    }

    /// <summary>How <paramref name="actual"/> differs from this (expected) shape, one short phrase per difference; empty when equal.</summary>
    public List<string> Differences(NftTableShape actual)
    {
        ArgumentNullException.ThrowIfNull(actual);
        var result = new List<string>();
        Compare(Rules, actual.Rules, "chain", "rules", result);
        Compare(Elements, actual.Elements, "set", "elements", result);
        return result;
    }

    private static void Compare(SortedDictionary<string, int> expected, SortedDictionary<string, int> actual, string kind, string what, List<string> result)
    {
        foreach (var name in expected.Keys.Union(actual.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var want = expected.TryGetValue(name, out var w) ? w : (int?)null;
            var have = actual.TryGetValue(name, out var h) ? h : (int?)null;
            if (want != have)
            {
                result.Add($"{kind} {name}: {(have is { } n ? $"{n} {what}" : "missing")}, expected {(want is { } m ? $"{m} {what}" : "none")}");
            }
        }
    }
}
