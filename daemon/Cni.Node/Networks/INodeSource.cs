namespace Cni.Node.Networks;

/// <summary>
/// Where the node's pod CIDRs and address come from: the static config today (<see cref="StaticNodeSource"/>), the
/// Node object (<c>spec.podCIDRs</c>) later.
/// </summary>
public interface INodeSource
{
    /// <summary>The node's current facts, or null while they are not known yet (e.g. the Node has no podCIDR).</summary>
    /// <returns>The facts, or null.</returns>
    ValueTask<NodeInfo?> GetAsync(CancellationToken cancellationToken);
}
