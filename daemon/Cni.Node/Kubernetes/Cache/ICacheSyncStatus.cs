namespace Cni.Node.Kubernetes.Cache;

/// <summary>Whether a cache has finished its first list: what controllers wait for before starting workers.</summary>
public interface ICacheSyncStatus
{
    /// <summary>The resource, for logs and status.</summary>
    string Resource { get; }

    /// <summary>True once the first list has been stored.</summary>
    bool HasSynced { get; }

    /// <summary>Completes when <see cref="HasSynced"/> becomes true.</summary>
    Task WaitForSyncAsync(CancellationToken cancellationToken);
}
