using System.Globalization;
using System.Text;

namespace Cni.LocalCluster;

/// <summary>Who reaches whom: one ICMP echo (up to three tries) from every pod to every other pod, with the round-trip time.</summary>
public sealed class ConnectivityMatrix
{
    private readonly IReadOnlyList<ClusterPod> _pods;
    private readonly TimeSpan?[,] _rtt;

    private ConnectivityMatrix(IReadOnlyList<ClusterPod> pods)
    {
        _pods = pods;
        _rtt = new TimeSpan?[pods.Count, pods.Count];
    }

    /// <summary>Pairs that did not answer.</summary>
    public int Failures { get; private set; }

    /// <summary>Pairs measured.</summary>
    public int Pairs { get; private set; }

    /// <summary>Measures every ordered pair of distinct pods.</summary>
    public static async Task<ConnectivityMatrix> MeasureAsync(IReadOnlyList<ClusterPod> pods, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pods);
        var matrix = new ConnectivityMatrix(pods);
        for (var from = 0; from < pods.Count; from++)
        {
            for (var to = 0; to < pods.Count; to++)
            {
                if (from == to)
                {
                    continue;
                }

                var rtt = await pods[from].ReachAsync(pods[to].Address!, cancellationToken).ConfigureAwait(false);
                matrix._rtt[from, to] = rtt;
                matrix.Pairs++;
                matrix.Failures += rtt is null ? 1 : 0;
            }
        }

        return matrix;
    }

    /// <summary>The matrix as a table: rows are sources, columns destinations, cells the RTT in ms or FAIL.</summary>
    public string Render()
    {
        var width = Math.Max(14, _pods.Max(p => Math.Max(p.Name.Length, p.Address?.Length ?? 0)) + 2);
        var text = new StringBuilder();
        text.Append("from \\ to".PadRight(width));
        foreach (var pod in _pods)
        {
            text.Append(pod.Name.PadLeft(width));
        }

        text.AppendLine();
        text.Append(string.Empty.PadRight(width));
        foreach (var pod in _pods)
        {
            text.Append(pod.Address!.PadLeft(width));
        }

        text.AppendLine();
        for (var from = 0; from < _pods.Count; from++)
        {
            text.Append(_pods[from].Name.PadRight(width));
            for (var to = 0; to < _pods.Count; to++)
            {
                var cell = from == to ? "-" : _rtt[from, to] is { } rtt ? string.Create(CultureInfo.InvariantCulture, $"{rtt.TotalMilliseconds:0.000} ms") : "FAIL";
                text.Append(cell.PadLeft(width));
            }

            text.AppendLine();
        }

        return text.ToString();
    }
}
