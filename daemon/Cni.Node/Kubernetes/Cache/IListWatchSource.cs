namespace Cni.Node.Kubernetes.Cache;

/// <summary>List and watch one resource type (all namespaces). What <see cref="ResourceCache{T}"/> is fed by.</summary>
/// <typeparam name="T">The resource type.</typeparam>
public interface IListWatchSource<T>
{
    /// <summary>A human name for logs, e.g. <c>nodes</c>.</summary>
    string Resource { get; }

    /// <summary>Lists one page.</summary>
    /// <param name="continueToken">The previous page's continue token, or null for the first page.</param>
    /// <exception cref="ResourceExpiredException">The continue token expired (410).</exception>
    Task<ResourceListPage<T>> ListAsync(string? continueToken, CancellationToken cancellationToken);

    /// <summary>
    /// Watches from a resourceVersion with bookmarks. The sequence ends when the server ends the watch (its
    /// timeout); cancellation ends it with <see cref="OperationCanceledException"/>.
    /// </summary>
    /// <param name="resourceVersion">Where to start.</param>
    /// <param name="serverTimeout">The server-side timeout (<c>timeoutSeconds</c>).</param>
    /// <returns>The events.</returns>
    /// <exception cref="ResourceExpiredException">The resourceVersion is too old (410 or ERROR event with 410).</exception>
    /// <exception cref="KubernetesApiException">Another error status or ERROR event.</exception>
    IAsyncEnumerable<ResourceWatchEvent<T>> WatchAsync(string resourceVersion, TimeSpan serverTimeout, CancellationToken cancellationToken);
}
