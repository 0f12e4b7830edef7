namespace Cni.Node.Networks;

/// <summary>One way an existing HCN network differs from the one this node's config asks for.</summary>
/// <param name="Field">The node-config key the difference traces to (<c>mode</c>, <c>podCIDRs</c>, <c>vxlan.vni</c>, …).</param>
/// <param name="Desired">What the config asks for.</param>
/// <param name="Actual">What the network has.</param>
public sealed record NetworkDifference(string Field, string Desired, string Actual)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Field}: config wants {Desired}, network has {Actual}";
}
