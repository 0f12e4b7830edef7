using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cni.Node.Networks;

/// <summary>
/// Keeps the node network converged, level-triggered: ensure + reconcile at start, retried with capped backoff while
/// not ready, then again on a fixed period so HNS restarts and out-of-band deletions heal without a daemon restart.
/// </summary>
public sealed partial class NetworkReconciler : BackgroundService
{
    private static readonly TimeSpan ResyncPeriod = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    private readonly PodNetwork _network;
    private readonly TimeProvider _time;
    private readonly ILogger<NetworkReconciler> _logger;
    private readonly NodeNetworkProblemTracker? _problems;

    /// <summary>Creates the loop.</summary>
    /// <param name="network">The node network.</param>
    /// <param name="time">The clock for retries and the resync.</param>
    /// <param name="logger">The log.</param>
    /// <param name="problems">Told the outcome of every pass (Kubernetes Events on the Node), or null.</param>
    public NetworkReconciler(PodNetwork network, TimeProvider time, ILogger<NetworkReconciler> logger, NodeNetworkProblemTracker? problems = null)
    {
        _network = network;
        _time = time;
        _logger = logger;
        _problems = problems;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var retryDelay = TimeSpan.FromMilliseconds(500);
        while (!stoppingToken.IsCancellationRequested)
        {
            var report = await _network.EnsureAsync(stoppingToken).ConfigureAwait(false);
            _problems?.Observe(report.Problem, report.NotReadyReason);
            TimeSpan delay;
            if (report.IsReady)
            {
                LogConverged(report.Action.ToString(), report.Reconcile.LeasesReleased.Count, report.Reconcile.EndpointsDeleted.Count, report.Reconcile.AttachmentsKept);
                retryDelay = TimeSpan.FromMilliseconds(500);
                delay = ResyncPeriod;
            }
            else
            {
                LogNotReady(report.NotReadyReason ?? "unknown", retryDelay.TotalSeconds);
                delay = retryDelay;
                retryDelay = TimeSpan.FromTicks(Math.Min(retryDelay.Ticks * 2, MaxRetryDelay.Ticks));
            }

            try
            {
                await Task.Delay(delay, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Debug, Message = "node network converged ({Action}): {Released} leases released, {Deleted} endpoints deleted, {Kept} attachments kept")]
    private partial void LogConverged(string action, int released, int deleted, int kept);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "node network not ready: {Reason}; retrying in {DelaySeconds:0.#} s")]
    private partial void LogNotReady(string reason, double delaySeconds);
}
