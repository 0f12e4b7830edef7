using System.Globalization;
using Cni.Node.Networks;
using Cni.Node.Pods;
using Cni.Spec;
using Cni.Spec.Wire;

namespace Cni.Daemon.Hosting;

/// <summary>
/// Holds a CNI request that arrives before wincnid can serve it (while it starts, or while the node network is not
/// ready) until it can, but answers before the plugin gives up: the plugin says how long it will wait
/// (<see cref="DaemonProtocol.TimeoutHeader"/>), so the runtime gets the reason rather than a timeout. A rollout or a
/// crash restarts wincnid in about a second; without the hold every ADD of that second would fail with code 11 and
/// kubelet would back the pod off for seconds.
/// </summary>
/// <remarks>
/// ADD and CHECK wait for the node network to be ready. STATUS waits only for wincnid's first verdict on it: after
/// that it reports the truth at once, so kubelet's status polls never hang on a node that stays unready. DEL and GC
/// need no network and are never held. Readiness combines the network's state and the IPAM journal's health, which
/// change in different places; a short poll while requests wait needs no hook in either. One timer ticks for all
/// waiting requests, and only while some wait, so a crowd held at start costs one wake-up per tick.
/// </remarks>
public sealed class ReadinessHold : IDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>How long before the plugin's deadline a held request is answered, at most.</summary>
    private static readonly TimeSpan MaxMargin = TimeSpan.FromMilliseconds(500);

    private readonly PodNetwork _network;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private TaskCompletionSource? _nextTick;
    private ITimer? _ticker;

    public ReadinessHold(PodNetwork network, TimeProvider time)
    {
        _network = network;
        _time = time;
    }

    /// <summary>
    /// How long a request may be held: until shortly before the plugin gives up (a tenth of its time, at most half a
    /// second, is left for the answer), and never beyond <paramref name="ceiling"/>, the daemon's own deadline. A
    /// request without the header (another client) may be held up to the ceiling.
    /// </summary>
    public static TimeSpan Budget(HttpRequest request, TimeSpan ceiling)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!long.TryParse(request.Headers[DaemonProtocol.TimeoutHeader], NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds))
        {
            return ceiling;
        }

        var plugin = TimeSpan.FromMilliseconds(milliseconds);
        var margin = plugin / 10 < MaxMargin ? plugin / 10 : MaxMargin;
        return plugin - margin < ceiling ? plugin - margin : ceiling;
    }

    /// <summary>
    /// Waits until <paramref name="command"/> can be served or <paramref name="budget"/> is spent; says which, and how
    /// long the request was held.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired (the plugin left, or wincnid stops).</exception>
    public async Task<(bool Servable, TimeSpan Held)> WaitAsync(CniCommand command, TimeSpan budget, CancellationToken cancellationToken)
    {
        Func<bool> servable = command switch
        {
            CniCommand.Add or CniCommand.Check => () => _network.IsReady,
            CniCommand.Status => () => _network.LastEnsuredAt is not null,
            _ => () => true,
        };

        var started = _time.GetTimestamp();
        while (!servable())
        {
            var held = _time.GetElapsedTime(started);
            if (held >= budget)
            {
                return (false, held);
            }

            try
            {
                await NextTickAsync().WaitAsync(budget - held, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The budget is spent; the loop says so.
            }
        }

        return (true, _time.GetElapsedTime(started));
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_gate)
        {
            _ticker?.Dispose();
            _ticker = null;
        }
    }

    /// <summary>Completes at the next tick of the shared timer, which runs while anyone waits for it.</summary>
    private Task NextTickAsync()
    {
        lock (_gate)
        {
            if (_nextTick is null)
            {
                _nextTick = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _ticker ??= _time.CreateTimer(_ => Tick(), null, PollInterval, PollInterval);
            }

            return _nextTick.Task;
        }
    }

    private void Tick()
    {
        TaskCompletionSource? tick;
        lock (_gate)
        {
            tick = _nextTick;
            _nextTick = null;
            if (tick is null)
            {
                // A tick nobody waited for: stop until someone does.
                _ticker?.Dispose();
                _ticker = null;
            }
        }

        tick?.TrySetResult();
    }

    /// <summary>The answer to a request whose hold expired: the reason wincnid is not ready, and how long the request waited.</summary>
    public CniOutcome NotReady(CniCommand command, TimeSpan held, string? cniVersion) => CniOutcome.Failure(CniError.Create(
        command == CniCommand.Status ? CniErrorCode.PluginNotAvailable : CniErrorCode.TryAgainLater,
        "wincnid is not ready: " + (_network.NotReadyReason ?? "the node network is not ready"),
        string.Create(CultureInfo.InvariantCulture, $"the request waited {held.TotalSeconds:0.0} s for it, as long as the plugin waits; the runtime will retry"),
        cniVersion));
}
