namespace Cni.Node.Kubernetes.Cache;

/// <summary>One page of a list call.</summary>
/// <typeparam name="T">The resource type.</typeparam>
/// <param name="Items">The objects.</param>
/// <param name="ResourceVersion">The list's resourceVersion (the watch starts from the last page's).</param>
/// <param name="Continue">The continue token for the next page, or null/empty on the last page.</param>
public sealed record ResourceListPage<T>(IReadOnlyList<T> Items, string ResourceVersion, string? Continue);
