using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Cni.Hcn.Json;
using Cni.Hcn.Model;
using Cni.Node.Networks;

namespace Cni.Daemon.Status;

/// <summary>
/// What <c>wincnid status</c> shows: readiness, the network the config asks for beside the one HNS has (as HCN JSON),
/// endpoints, IPAM leases and pool usage. Plain strings and numbers, so the document reads the same in any client.
/// </summary>
public sealed record StatusDocument
{
    public required string Version { get; init; }

    public required bool Ready { get; init; }

    public string? NotReadyReason { get; init; }

    public required string NetworkName { get; init; }

    /// <summary>The HCN network the node config and node facts describe.</summary>
    public JsonElement? DesiredNetwork { get; init; }

    /// <summary>The HCN network HNS has under that name.</summary>
    public JsonElement? ActualNetwork { get; init; }

    public IReadOnlyList<string> Differences { get; init; } = [];

    public IReadOnlyList<EndpointStatus> Endpoints { get; init; } = [];

    public IReadOnlyList<LeaseStatus> Leases { get; init; } = [];

    public IReadOnlyList<PoolStatus> Pools { get; init; } = [];

    public IReadOnlyList<string> StaleLeases { get; init; } = [];

    public string? Error { get; init; }

    /// <summary>The cluster connection's view (null when wincnid runs without Kubernetes).</summary>
    public KubernetesStatus? Kubernetes { get; init; }

    /// <summary>The service proxy's view (null when it does not run).</summary>
    public ServicesStatus? ServiceProxy { get; init; }

    public static StatusDocument From(NodeStatusSnapshot snapshot, string version)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return new StatusDocument
        {
            Version = version,
            Ready = snapshot.IsReady,
            NotReadyReason = snapshot.NotReadyReason,
            NetworkName = snapshot.NetworkName,
            DesiredNetwork = ToJson(snapshot.DesiredNetwork),
            ActualNetwork = ToJson(snapshot.ActualNetwork),
            Differences = [.. snapshot.Differences.Select(d => d.ToString())],
            Endpoints = snapshot.Endpoints,
            Leases = snapshot.Leases,
            Pools = [.. snapshot.Pools.Select(p => new PoolStatus(
                p.Cidr.ToString(),
                p.Assignable.ToString(CultureInfo.InvariantCulture),
                p.Leased,
                p.Quarantined,
                p.Reserved,
                p.Free.ToString(CultureInfo.InvariantCulture)))],
            StaleLeases = [.. snapshot.StaleLeases.Select(s => $"{s.Lease.Key} {s.Address} ({s.Reason})")],
            Error = snapshot.Error,
        };
    }

    private static JsonElement? ToJson(HostComputeNetwork? network) =>
        network is null ? null : HcnJson.SerializeToElement(network);
}

/// <summary>One IPAM pool's occupancy (counts as strings where IPv6 pools exceed 64 bits).</summary>
public sealed record PoolStatus(string Cidr, string Assignable, int Leased, int Quarantined, int Reserved, string Free);

/// <summary>Source-generated JSON for the status document (camelCase, indented for people).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StatusDocument))]
public sealed partial class StatusJsonContext : JsonSerializerContext;
