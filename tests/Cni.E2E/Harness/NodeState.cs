using System.Text.Json;
using Cni.LocalCluster;

namespace Cni.E2E.Harness;

/// <summary>What <c>wincnid status --json</c> says about pods: wincni's own endpoints and the IPAM leases.</summary>
internal sealed record NodeState(IReadOnlyList<(Guid Id, string Name)> Endpoints, IReadOnlyList<string> LeasedContainers)
{
    public static NodeState From(JsonDocument status)
    {
        var root = status.RootElement;
        var endpoints = root.GetProperty("endpoints").EnumerateArray()
            .Where(e => e.GetProperty("owned").GetBoolean())
            .Select(e => (e.GetProperty("id").GetGuid(), e.GetProperty("name").GetString() ?? string.Empty))
            .ToList();
        var leases = root.GetProperty("leases").EnumerateArray().Select(l => l.GetProperty("containerId").GetString() ?? string.Empty).ToList();
        return new NodeState(endpoints, leases);
    }

    public static async Task<NodeState> ReadAsync(ClusterNode node, CancellationToken cancellationToken)
    {
        using var status = await node.StatusAsync(cancellationToken).ConfigureAwait(false);
        return From(status);
    }

    /// <summary>The endpoint of a container's eth0, or null.</summary>
    public Guid? EndpointOf(string containerId) =>
        Endpoints.Where(e => e.Name == $"wincni_{ClusterNode.NetworkName}_{containerId}_eth0").Select(e => (Guid?)e.Id).FirstOrDefault();

    public override string ToString() =>
        $"endpoints [{string.Join(", ", Endpoints.Select(e => e.Name))}], leases [{string.Join(", ", LeasedContainers)}]";
}
