using System.Text.Json;

namespace Cni.E2E.Harness;

/// <summary>Reads what tests need from an ADD result as wincni printed it, and builds the CHECK request that carries it.</summary>
internal static class CniResultText
{
    /// <summary>The first address with its prefix, e.g. <c>10.244.1.3/24</c>.</summary>
    public static string Address(string result)
    {
        using var json = JsonDocument.Parse(result);
        return json.RootElement.GetProperty("ips")[0].GetProperty("address").GetString()!;
    }

    /// <summary>The first address's gateway, or null.</summary>
    public static string? Gateway(string result)
    {
        using var json = JsonDocument.Parse(result);
        return json.RootElement.GetProperty("ips")[0].TryGetProperty("gateway", out var gateway) ? gateway.GetString() : null;
    }

    /// <summary>The name of the interface the first address is on (index 0 when the result leaves it out).</summary>
    public static string InterfaceName(string result)
    {
        using var json = JsonDocument.Parse(result);
        var ip = json.RootElement.GetProperty("ips")[0];
        var index = ip.TryGetProperty("interface", out var i) ? i.GetInt32() : 0;
        return json.RootElement.GetProperty("interfaces")[index].GetProperty("name").GetString()!;
    }

    /// <summary>The network configuration with <paramref name="result"/> as its <c>prevResult</c> (what a runtime sends on CHECK).</summary>
    public static string WithPrevResult(string netConf, string result) => netConf.TrimEnd().TrimEnd('}') + ",\"prevResult\":" + result + "}";
}
