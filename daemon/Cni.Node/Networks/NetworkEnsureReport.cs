namespace Cni.Node.Networks;

/// <summary>The outcome of <see cref="PodNetwork.EnsureAsync"/>.</summary>
/// <param name="Action">What happened to the network.</param>
/// <param name="NetworkId">The network in use, or null.</param>
/// <param name="Differences">How an existing network differed from the config (empty when it matched or was absent).</param>
/// <param name="Reconcile">What reconciliation did (empty when the network is not usable).</param>
/// <param name="IsReady">Whether ADD can be served now.</param>
/// <param name="NotReadyReason">Why not, with what to do; null when ready.</param>
public sealed record NetworkEnsureReport(
    NetworkAction Action,
    Guid? NetworkId,
    IReadOnlyList<NetworkDifference> Differences,
    ReconcileReport Reconcile,
    bool IsReady,
    string? NotReadyReason)
{
    /// <summary>What kind of problem <see cref="NotReadyReason"/> is; <see cref="NodeNetworkProblem.None"/> when ready.</summary>
    public NodeNetworkProblem Problem { get; init; }
}
