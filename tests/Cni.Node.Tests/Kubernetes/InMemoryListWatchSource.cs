using System.Runtime.CompilerServices;
using Cni.Node.Kubernetes.Cache;
using k8s.Models;

namespace Cni.Node.Tests.Kubernetes;

/// <summary>A source that lists fixed Nodes and then watches quietly until cancelled.</summary>
internal sealed class InMemoryListWatchSource(params V1Node[] nodes) : IListWatchSource<V1Node>
{
    public string Resource => "nodes";

    public Task<ResourceListPage<V1Node>> ListAsync(string? continueToken, CancellationToken cancellationToken) =>
        Task.FromResult(new ResourceListPage<V1Node>(nodes, "1", null));

    public async IAsyncEnumerable<ResourceWatchEvent<V1Node>> WatchAsync(
        string resourceVersion, TimeSpan serverTimeout, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        yield break;
    }
}
