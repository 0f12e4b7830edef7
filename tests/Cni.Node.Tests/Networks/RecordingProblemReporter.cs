using Cni.Node.Networks;

namespace Cni.Node.Tests.Networks;

/// <summary>Keeps what a <see cref="NodeNetworkProblemTracker"/> reports, with the (fake) time of each report.</summary>
internal sealed class RecordingProblemReporter(TimeProvider time) : INodeNetworkProblemReporter
{
    private readonly Lock _gate = new();
    private readonly List<(DateTimeOffset At, NodeNetworkProblem Problem, string Note)> _problems = [];
    private readonly List<(NodeNetworkProblem LastProblem, TimeSpan NotReadyFor)> _recoveries = [];

    public IReadOnlyList<(DateTimeOffset At, NodeNetworkProblem Problem, string Note)> Problems
    {
        get
        {
            lock (_gate)
            {
                return [.. _problems];
            }
        }
    }

    public IReadOnlyList<(NodeNetworkProblem LastProblem, TimeSpan NotReadyFor)> Recoveries
    {
        get
        {
            lock (_gate)
            {
                return [.. _recoveries];
            }
        }
    }

    public void ReportProblem(NodeNetworkProblem problem, string note)
    {
        lock (_gate)
        {
            _problems.Add((time.GetUtcNow(), problem, note));
        }
    }

    public void ReportRecovered(NodeNetworkProblem lastProblem, TimeSpan notReadyFor)
    {
        lock (_gate)
        {
            _recoveries.Add((lastProblem, notReadyFor));
        }
    }
}
