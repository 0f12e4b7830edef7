namespace Cni.Node.Networks;

/// <summary>
/// Where this node's pod CIDRs and node IP come from: the node config (<see cref="StaticNodeAddressingSource"/>) or
/// the Node object (<c>KubernetesNodeAddressingSource</c>: <c>spec.podCIDRs</c>, annotations, addresses).
/// </summary>
public interface INodeAddressingSource
{
    /// <summary>The node's current facts, or null while they are not known yet (e.g. the Node has no podCIDR).</summary>
    /// <returns>The facts, or null.</returns>
    ValueTask<NodeAddressing?> GetAsync(CancellationToken cancellationToken);

    /// <summary>
    /// What the last <see cref="GetAsync"/> that returned null waits for, and why (with what to do); null when it
    /// returned facts or the source cannot tell (then the Node's pod CIDR is taken to be missing).
    /// </summary>
    (NodeNetworkProblem Problem, string Reason)? Waiting => null;
}
