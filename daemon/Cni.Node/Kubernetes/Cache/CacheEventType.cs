namespace Cni.Node.Kubernetes.Cache;

/// <summary>What happened to an object in a <see cref="ResourceCache{T}"/>.</summary>
public enum CacheEventType
{
    /// <summary>The object is new to the cache.</summary>
    Added,

    /// <summary>The object changed (its resourceVersion differs).</summary>
    Updated,

    /// <summary>The object is gone (a DELETED event, or missing from a relist).</summary>
    Deleted,
}
