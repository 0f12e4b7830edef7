using System.Text.Json;
using Cni.LocalCluster;

namespace Cni.E2E.Harness;

/// <summary>One interface of a pod's namespace as the kernel has it (<c>ip -j addr</c>): name, up, IPv4 addresses with prefix.</summary>
internal sealed record PodInterface(string Name, bool Up, IReadOnlyList<string> Addresses);

/// <summary>What a pod's network namespace really holds: its interfaces and IPv4 routes, read with <c>ip -n</c>.</summary>
internal sealed record PodInterfaces(IReadOnlyList<PodInterface> Interfaces, IReadOnlyList<string> Routes)
{
    /// <summary>Reads the interfaces and IPv4 routes of <paramref name="netns"/>.</summary>
    public static async Task<PodInterfaces> ReadAsync(string netns, CancellationToken cancellationToken)
    {
        var addresses = await Shell.CheckAsync("ip", ["-n", netns, "-j", "-4", "addr", "show"], cancellationToken).ConfigureAwait(false);
        var links = await Shell.CheckAsync("ip", ["-n", netns, "-j", "link", "show"], cancellationToken).ConfigureAwait(false);
        var routes = await Shell.CheckAsync("ip", ["-n", netns, "-4", "route", "show"], cancellationToken).ConfigureAwait(false);
        var byName = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        using (var json = JsonDocument.Parse(addresses))
        {
            foreach (var link in json.RootElement.EnumerateArray())
            {
                var list = byName[link.GetProperty("ifname").GetString()!] = [];
                foreach (var info in link.GetProperty("addr_info").EnumerateArray())
                {
                    list.Add($"{info.GetProperty("local").GetString()}/{info.GetProperty("prefixlen").GetInt32()}");
                }
            }
        }

        var interfaces = new List<PodInterface>();
        using (var json = JsonDocument.Parse(links))
        {
            foreach (var link in json.RootElement.EnumerateArray())
            {
                var name = link.GetProperty("ifname").GetString()!;
                var up = link.GetProperty("flags").EnumerateArray().Any(f => f.GetString() == "UP");
                interfaces.Add(new PodInterface(name, up, byName.GetValueOrDefault(name) ?? []));
            }
        }

        return new PodInterfaces(interfaces, routes.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    /// <summary>The interface named <paramref name="name"/>, or null.</summary>
    public PodInterface? Named(string name) => Interfaces.FirstOrDefault(i => i.Name == name);

    /// <summary>Why <paramref name="name"/> does not carry <paramref name="addressWithPrefix"/> up with a default route via <paramref name="gateway"/>; null when it does.</summary>
    public string? ProblemWith(string name, string addressWithPrefix, string? gateway)
    {
        if (Named(name) is not { } link)
        {
            return $"no interface {name} (has {string.Join(", ", Interfaces.Select(i => i.Name))})";
        }

        if (!link.Up)
        {
            return $"{name} is down";
        }

        if (!link.Addresses.Contains(addressWithPrefix))
        {
            return $"{name} lacks {addressWithPrefix} (has [{string.Join(", ", link.Addresses)}])";
        }

        if (gateway is not null && !Routes.Any(r => r.StartsWith($"default via {gateway} dev {name}", StringComparison.Ordinal)))
        {
            return $"no default route via {gateway} on {name} (routes: {string.Join("; ", Routes)})";
        }

        return null;
    }

    public override string ToString() =>
        string.Join("; ", Interfaces.Select(i => $"{i.Name}{(i.Up ? "" : " (down)")} [{string.Join(", ", i.Addresses)}]")) + " | routes: " + string.Join("; ", Routes);
}
