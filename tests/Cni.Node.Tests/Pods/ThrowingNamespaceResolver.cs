using Cni.Node.Dataplane;
using Cni.Spec;

namespace Cni.Node.Tests.Pods;

/// <summary>A resolver whose attach resolution fails with an exception no caller expects (a resolver bug).</summary>
internal sealed class ThrowingNamespaceResolver(INamespaceResolver inner, Exception failure) : INamespaceResolver
{
    public Task<ResolvedNamespace> ResolveForAttachAsync(NetnsReference netns, CancellationToken cancellationToken) =>
        Task.FromException<ResolvedNamespace>(failure);

    public Task<Guid?> FindAsync(NetnsReference netns, CancellationToken cancellationToken) => inner.FindAsync(netns, cancellationToken);

    public Task ReleaseAsync(NetnsReference netns, CancellationToken cancellationToken) => inner.ReleaseAsync(netns, cancellationToken);
}
