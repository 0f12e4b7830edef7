namespace Cni.Node.Networks;

/// <summary>Told about node network problems a person must act on, and about the recovery after one (Kubernetes Events).</summary>
public interface INodeNetworkProblemReporter
{
    /// <summary>
    /// The node network is not ready because of <paramref name="problem"/>: called at every pass while it lasts (a wait
    /// only once it outlasted the grace period); the reporter limits how often it tells anyone. Must not block or throw.
    /// </summary>
    /// <param name="problem">The kind.</param>
    /// <param name="note">What exactly, and what to do.</param>
    void ReportProblem(NodeNetworkProblem problem, string note);

    /// <summary>The node network is ready again after a reported problem; called once per recovery. Must not block or throw.</summary>
    /// <param name="lastProblem">The problem reported last.</param>
    /// <param name="notReadyFor">How long the node network was not ready.</param>
    void ReportRecovered(NodeNetworkProblem lastProblem, TimeSpan notReadyFor);
}
