namespace Cni.Node.Networks;

/// <summary>
/// Decides which node network problems are reported: one a person must act on at once (a conflict, an HRESULT retrying
/// will not cure, a journal the disk refuses) at every observation, a wait that is normal while a node starts (the
/// Node's podCIDR, HNS making a vNIC) only once the same problem has lasted longer than the grace period; and, after
/// something was reported, the recovery once. How often a report reaches anyone is the reporter's business (the Event
/// recorder's rate limit per object and reason). Thread-safe.
/// </summary>
/// <param name="reporter">Where reports go.</param>
/// <param name="gracePeriod">How long a wait may last before it is reported.</param>
/// <param name="time">The clock the grace period is measured with.</param>
public sealed class NodeNetworkProblemTracker(INodeNetworkProblemReporter reporter, TimeSpan gracePeriod, TimeProvider time)
{
    private readonly Lock _gate = new();
    private NodeNetworkProblem _current = NodeNetworkProblem.None;
    private DateTimeOffset _currentSince;
    private DateTimeOffset? _notReadySince;
    private NodeNetworkProblem? _reported;

    /// <summary>The grace period a wait must outlast before it is reported.</summary>
    public TimeSpan GracePeriod => gracePeriod;

    /// <summary>Takes in the node network's state after a pass (or while wincnid waits for its Node).</summary>
    /// <param name="problem">The problem, <see cref="NodeNetworkProblem.None"/> when ready.</param>
    /// <param name="note">The not-ready reason; ignored when ready.</param>
    public void Observe(NodeNetworkProblem problem, string? note)
    {
        var now = time.GetUtcNow();
        NodeNetworkProblem? recoveredFrom = null;
        var notReadyFor = TimeSpan.Zero;
        var report = false;
        lock (_gate)
        {
            if (problem == NodeNetworkProblem.None)
            {
                recoveredFrom = _reported;
                notReadyFor = _notReadySince is { } since ? now - since : TimeSpan.Zero;
                _reported = null;
                _notReadySince = null;
                _current = NodeNetworkProblem.None;
            }
            else
            {
                _notReadySince ??= now;

                // Starting is the step between a fixed problem and readiness (reconciling the journal), never a problem of its own.
                if (problem != NodeNetworkProblem.Starting)
                {
                    if (problem != _current)
                    {
                        _current = problem;
                        _currentSince = now;
                    }

                    report = !NodeNetworkProblems.IsWait(problem) || now - _currentSince >= gracePeriod;
                    if (report)
                    {
                        _reported = problem;
                    }
                }
            }
        }

        if (report)
        {
            reporter.ReportProblem(problem, note ?? problem.ToString());
        }
        else if (recoveredFrom is { } last)
        {
            reporter.ReportRecovered(last, notReadyFor);
        }
    }
}
