using Cni.Node.Configuration;

namespace Cni.Node.Networks;

/// <summary>The node facts from <see cref="NodeOptions"/>: <c>podCIDRs</c> and <c>nodeIP</c>. Not known when podCIDRs is empty.</summary>
public sealed class StaticNodeAddressingSource : INodeAddressingSource
{
    private readonly NodeAddressing? _info;

    /// <summary>Creates the source.</summary>
    /// <param name="options">The node configuration.</param>
    public StaticNodeAddressingSource(NodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _info = options.PodCidrs.Count == 0 ? null : new NodeAddressing([.. options.PodCidrs], options.NodeIp);
    }

    /// <inheritdoc/>
    public ValueTask<NodeAddressing?> GetAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_info);
    }
}
