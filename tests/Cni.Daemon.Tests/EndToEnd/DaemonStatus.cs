using System.Text.Json;
using Cni.Daemon.Status;
using Cni.Node.Networks;

namespace Cni.Daemon.Tests.EndToEnd;

/// <summary>The parts of GET /v1/status (what <c>wincnid status --json</c> prints) the tests compare.</summary>
internal sealed record DaemonStatus(
    bool Ready,
    IReadOnlyDictionary<string, string> LeaseIpByContainer,
    IReadOnlyDictionary<string, string> EndpointIpByName,
    int OwnedEndpointCount)
{
    /// <summary>Asks the daemon on <paramref name="socket"/> through the same code as <c>wincnid status --json</c>.</summary>
    public static async Task<DaemonStatus> FetchAsync(string socket, CancellationToken cancellationToken = default)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await StatusCommand.RunAsync(socket, null, json: true, stdout, stderr, cancellationToken).ConfigureAwait(false);
        if (exit != 0)
        {
            throw new InvalidOperationException($"status exited {exit}: {stderr}");
        }

        return Parse(stdout.ToString());
    }

    public static DaemonStatus Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var leases = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var lease in root.GetProperty("leases").EnumerateArray())
        {
            leases[lease.GetProperty("containerId").GetString()!] = StripPrefix(lease.GetProperty("addresses")[0].GetString()!);
        }

        var endpoints = new Dictionary<string, string>(StringComparer.Ordinal);
        var owned = 0;
        foreach (var endpoint in root.GetProperty("endpoints").EnumerateArray())
        {
            var name = endpoint.GetProperty("name").GetString() ?? "";
            if (!EndpointNames.IsOwned(name, Sandbox.NetworkName))
            {
                continue; // the L2Bridge host endpoint and anything foreign
            }

            owned++;
            var ips = endpoint.GetProperty("ipAddresses");
            endpoints[name] = ips.GetArrayLength() == 0 ? "" : StripPrefix(ips[0].GetString()!);
        }

        return new DaemonStatus(root.GetProperty("ready").GetBoolean(), leases, endpoints, owned);
    }

    public static string EndpointName(string containerId) => EndpointNames.For(Sandbox.NetworkName, containerId, "eth0");

    private static string StripPrefix(string address) =>
        address.Contains('/', StringComparison.Ordinal) ? address[..address.IndexOf('/', StringComparison.Ordinal)] : address;
}
