using k8s;

namespace Cni.Node.Kubernetes.Cache;

/// <summary>One event of a watch stream. ERROR events never get here: the source turns them into exceptions.</summary>
/// <typeparam name="T">The resource type.</typeparam>
/// <param name="Type">Added, Modified, Deleted or Bookmark.</param>
/// <param name="Object">The object; for a bookmark only its metadata.resourceVersion is meaningful.</param>
public sealed record ResourceWatchEvent<T>(WatchEventType Type, T Object);
