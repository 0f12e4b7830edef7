using System.Globalization;
using System.Text;
using System.Text.Json;
using Cni.LocalCluster;

namespace Cni.E2E.Harness;

/// <summary>
/// The services table (<c>ip wincni_services</c>) of a node read as nft JSON, and the out-of-band deletion of one
/// frontend's realization in it, whatever shape the renderer gives load balancers: every set or map element whose key
/// starts with the frontend's VIP, and the chains those elements jump to (a per-load-balancer chain).
/// </summary>
internal static class ServicesTable
{
    public const string Name = "wincni_services";

    /// <summary>What was deleted: one line per element or chain.</summary>
    /// <returns>The nft commands that were run (empty when nothing matched).</returns>
    public static async Task<IReadOnlyList<string>> DeleteFrontendAsync(ClusterNode node, string vip, CancellationToken cancellationToken)
    {
        var listing = await Netns.ExecCheckAsync(node.Netns, ["nft", "-j", "list", "table", "ip", Name], cancellationToken);
        using var json = JsonDocument.Parse(listing);
        var commands = new List<string>();
        var chains = new List<string>();
        foreach (var item in json.RootElement.GetProperty("nftables").EnumerateArray())
        {
            var isMap = item.TryGetProperty("map", out var set);
            if (!isMap && !item.TryGetProperty("set", out set))
            {
                continue;
            }

            if (!set.TryGetProperty("elem", out var elements))
            {
                continue;
            }

            var name = set.GetProperty("name").GetString()!;
            foreach (var element in elements.EnumerateArray())
            {
                // Map elements are [key, value]; set elements are the key itself.
                var key = isMap ? element[0] : element;
                if (!string.Equals(FirstPart(key), vip, StringComparison.Ordinal))
                {
                    continue;
                }

                commands.Add($"delete element ip {Name} {name} {{ {KeyText(key)} }}");
                if (isMap && element[1].ValueKind == JsonValueKind.Object)
                {
                    foreach (var verdict in new[] { "goto", "jump" })
                    {
                        if (element[1].TryGetProperty(verdict, out var target))
                        {
                            chains.Add(target.GetProperty("target").GetString()!);
                        }
                    }
                }
            }
        }

        foreach (var chain in chains.Distinct())
        {
            commands.Add($"flush chain ip {Name} {chain}");
            commands.Add($"delete chain ip {Name} {chain}");
        }

        if (commands.Count > 0)
        {
            var result = await Netns.ExecAsync(node.Netns, ["nft", "-f", "-"], cancellationToken, stdin: string.Join('\n', commands) + "\n");
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"nft -f - in {node.NodeName}: {result}\n{string.Join('\n', commands)}");
            }
        }

        return commands;
    }

    /// <summary>Whether any set or map of the table holds an element whose key starts with <paramref name="vip"/>.</summary>
    public static async Task<bool> HasFrontendAsync(ClusterNode node, string vip, CancellationToken cancellationToken)
    {
        var result = await Netns.ExecAsync(node.Netns, ["nft", "-j", "list", "table", "ip", Name], cancellationToken);
        if (!result.Succeeded)
        {
            return false;
        }

        using var json = JsonDocument.Parse(result.Stdout);
        foreach (var item in json.RootElement.GetProperty("nftables").EnumerateArray())
        {
            var isMap = item.TryGetProperty("map", out var set);
            if ((isMap || item.TryGetProperty("set", out set)) && set.TryGetProperty("elem", out var elements)
                && elements.EnumerateArray().Any(e => string.Equals(FirstPart(isMap ? e[0] : e), vip, StringComparison.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }

    private static string? FirstPart(JsonElement key)
    {
        if (key.ValueKind == JsonValueKind.Object && key.TryGetProperty("concat", out var parts))
        {
            return Part(parts[0]);
        }

        return Part(key);
    }

    private static string? Part(JsonElement part) => part.ValueKind switch
    {
        JsonValueKind.String => part.GetString(),
        JsonValueKind.Number => part.GetInt64().ToString(CultureInfo.InvariantCulture),
        _ => null,
    };

    private static string KeyText(JsonElement key)
    {
        if (key.ValueKind == JsonValueKind.Object && key.TryGetProperty("concat", out var parts))
        {
            var text = new StringBuilder();
            foreach (var part in parts.EnumerateArray())
            {
                text.Append(text.Length == 0 ? string.Empty : " . ").Append(Part(part) ?? throw new InvalidOperationException($"element key part {part} not understood"));
            }

            return text.ToString();
        }

        return Part(key) ?? throw new InvalidOperationException($"element key {key} not understood");
    }
}
