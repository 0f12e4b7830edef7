using System.Collections.Concurrent;

namespace Cni.StandInApiServer.Recording;

/// <summary>Every resource request the server answered, as RBAC would authorize it (tests compare a ClusterRole with
/// what a client really asked for).</summary>
public sealed class ApiRequestLog
{
    private readonly ConcurrentQueue<ApiRequestRecord> _records = new();

    /// <summary>The requests so far, in arrival order.</summary>
    public IReadOnlyList<ApiRequestRecord> Records => [.. _records];

    internal void Add(ApiRequestRecord record) => _records.Enqueue(record);
}
