namespace Cni.Node.Peers;

/// <summary>The outcome of one peer-route reconcile: what is programmed now and what changed.</summary>
/// <param name="Desired">Every route this node wants, by peer.</param>
/// <param name="Added">Routes programmed by this pass (missing or lost out of band).</param>
/// <param name="Removed">Routes removed by this pass (peer gone, changed, or not ours to keep).</param>
/// <param name="Skipped">Nodes without a usable route, with the reason.</param>
/// <param name="NotReadyReason">Set when nothing could be done (the node network is not ready yet).</param>
public sealed record PeerReconcileReport(
    IReadOnlyList<PeerRoute> Desired,
    IReadOnlyList<PeerRoute> Added,
    IReadOnlyList<PeerRoute> Removed,
    IReadOnlyList<SkippedPeer> Skipped,
    string? NotReadyReason)
{
    /// <summary>True when the pass changed the dataplane.</summary>
    public bool Changed => Added.Count > 0 || Removed.Count > 0;

    /// <summary>A pass that could not run.</summary>
    public static PeerReconcileReport NotReady(string reason) => new([], [], [], [], reason);
}
