using System.Globalization;

namespace Cni.LocalCluster;

/// <summary>
/// The demo's part for transparent mode: each pod is a host of the underlay at its own address, so the underlay
/// (a machine outside the cluster) connects to every pod directly and every pod reaches the underlay's gateway.
/// </summary>
internal static class TransparentDemo
{
    private const int Port = 8080;

    /// <summary>Prints who answered; returns how many connections or pings failed.</summary>
    public static async Task<int> RunAsync(LocalCluster cluster, TextWriter output, CancellationToken cancellationToken)
    {
        var failures = 0;
        foreach (var pod in cluster.Pods)
        {
            await pod.StartNameServerAsync(Port, cancellationToken).ConfigureAwait(false);
            var answer = await cluster.ConnectFromUnderlayAsync(pod.Address!, Port, cancellationToken).ConfigureAwait(false);
            var back = await pod.ReachAsync(LocalCluster.TransparentGateway, cancellationToken).ConfigureAwait(false);
            failures += (answer == pod.Name ? 0 : 1) + (back is null ? 1 : 0);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  underlay → {pod.Address}:{Port} → {answer ?? "FAILED"}; {pod.Name} → gateway {LocalCluster.TransparentGateway}: {(back is { } rtt ? $"{rtt.TotalMilliseconds:0.000} ms" : "FAILED")}"));
        }

        var total = cluster.Pods.Count * 2;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{total - failures}/{total} underlay connections answered"));
        return failures;
    }
}
