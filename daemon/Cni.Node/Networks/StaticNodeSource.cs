using Cni.Node.Configuration;

namespace Cni.Node.Networks;

/// <summary>The node facts from <see cref="NodeOptions"/>: <c>podCIDRs</c> and <c>nodeIP</c>. Not known when podCIDRs is empty.</summary>
public sealed class StaticNodeSource : INodeSource
{
    private readonly NodeInfo? _info;

    /// <summary>Creates the source.</summary>
    /// <param name="options">The node configuration.</param>
    public StaticNodeSource(NodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _info = options.PodCidrs.Count == 0 ? null : new NodeInfo([.. options.PodCidrs], options.NodeIp);
    }

    /// <inheritdoc/>
    public ValueTask<NodeInfo?> GetAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_info);
    }
}
