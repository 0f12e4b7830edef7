namespace Cni.Node.Kubernetes.Cache;

/// <summary>A change a <see cref="ResourceCache{T}"/> tells its subscribers about.</summary>
/// <typeparam name="T">The resource type.</typeparam>
/// <param name="Type">What happened.</param>
/// <param name="Object">The object now (for Deleted: its last known state).</param>
/// <param name="OldObject">The previous state for Updated (and Deleted), else null.</param>
public sealed record CacheEvent<T>(CacheEventType Type, T Object, T? OldObject)
    where T : class;
