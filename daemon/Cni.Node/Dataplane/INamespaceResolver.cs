using Cni.Spec;

namespace Cni.Node.Dataplane;

/// <summary>
/// Turns CNI_NETNS into the HCN namespace the endpoint lives in. On Windows the runtime created the namespace and
/// passes its GUID (<see cref="HcnNamespaceResolver"/>). Where CNI_NETNS is a Linux netns path (the memory and
/// kernel dataplanes), the path is the namespace's identity and the daemon keeps one HCN namespace per path
/// (<see cref="NetnsPathNamespaceResolver"/>; the kernel dataplane will resolve the path to the real netns).
/// Errors are <see cref="CniException"/>s: code 4 naming CNI_NETNS for a form this dataplane cannot use, code 3
/// when the namespace does not exist on ADD.
/// </summary>
public interface INamespaceResolver
{
    /// <summary>ADD: the namespace to attach to, created when this dataplane owns namespaces.</summary>
    /// <param name="netns">CNI_NETNS, classified.</param>
    Task<ResolvedNamespace> ResolveForAttachAsync(NetnsReference netns, CancellationToken cancellationToken);

    /// <summary>CHECK/DEL: the namespace's ID without creating anything; null when it does not exist or netns is empty.</summary>
    /// <param name="netns">CNI_NETNS, classified.</param>
    /// <returns>The ID or null.</returns>
    Task<Guid?> FindAsync(NetnsReference netns, CancellationToken cancellationToken);

    /// <summary>
    /// DEL and ADD rollback: gives back a namespace this resolver created once nothing is attached to it. A no-op where
    /// the runtime owns namespaces (Windows: containerd deletes it at sandbox teardown). Never fails for "already gone".
    /// </summary>
    /// <param name="netns">CNI_NETNS, classified.</param>
    Task ReleaseAsync(NetnsReference netns, CancellationToken cancellationToken);
}
