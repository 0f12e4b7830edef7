namespace Cni.Node.Peers;

/// <summary>A Node that gets no route, and why (a malformed or missing annotation names the field).</summary>
/// <param name="NodeName">The Node.</param>
/// <param name="Reason">What is missing or wrong, precisely enough to fix it.</param>
public sealed record SkippedPeer(string NodeName, string Reason)
{
    /// <summary>
    /// The peer has merely not published yet (an annotation or its podCIDR is absent), which is normal while a node
    /// joins; false when what it publishes is unusable (malformed, another backend or VNI, an overlapping pod CIDR),
    /// which a person must fix.
    /// </summary>
    public bool IsIncomplete { get; init; }
}
