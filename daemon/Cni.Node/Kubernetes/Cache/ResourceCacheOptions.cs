namespace Cni.Node.Kubernetes.Cache;

/// <summary>Timing of a <see cref="ResourceCache{T}"/>.</summary>
public sealed record ResourceCacheOptions
{
    /// <summary>
    /// A watch that delivers nothing (not even a bookmark) for this long is abandoned and restarted, so a dead TCP
    /// connection is noticed. API servers send a bookmark about every minute; the default is well above that.
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>Lower bound of the randomized server-side watch timeout (client-go uses 5–10 min).</summary>
    public TimeSpan MinWatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Upper bound of the randomized server-side watch timeout.</summary>
    public TimeSpan MaxWatchTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Delay between failed attempts (and between watches that end without delivering anything).</summary>
    public ExponentialBackoff Backoff { get; init; } = ExponentialBackoff.Default;
}
