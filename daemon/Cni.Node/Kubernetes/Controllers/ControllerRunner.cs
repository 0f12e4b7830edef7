using Cni.Node.Kubernetes.Cache;
using Microsoft.Extensions.Logging;

namespace Cni.Node.Kubernetes.Controllers;

/// <summary>
/// Runs a reconciler: waits until every cache it reads has finished its first list (a reconciler that starts on a
/// half-filled cache would delete what it has not seen yet), then N workers take keys from the queue; failures are
/// retried with per-key backoff; every <see cref="ControllerRunnerOptions.ResyncPeriod"/> all keys are enqueued.
/// Event handlers feed the queue (e.g. <c>cache.Subscribe(e =&gt; queue.Add(key(e)))</c>).
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
public sealed partial class ControllerRunner<TKey>
    where TKey : notnull
{
    private readonly IReconciler<TKey> _reconciler;
    private readonly WorkQueue<TKey> _queue;
    private readonly IReadOnlyList<ICacheSyncStatus> _caches;
    private readonly Func<IEnumerable<TKey>> _allKeys;
    private readonly ControllerRunnerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates the runner.</summary>
    /// <param name="reconciler">What to run per key.</param>
    /// <param name="queue">The queue event handlers add to.</param>
    /// <param name="caches">Every cache the reconciler reads.</param>
    /// <param name="allKeys">All keys, for the periodic resync (and the first pass after sync).</param>
    /// <param name="options">Name, workers, resync period.</param>
    public ControllerRunner(
        IReconciler<TKey> reconciler,
        WorkQueue<TKey> queue,
        IEnumerable<ICacheSyncStatus> caches,
        Func<IEnumerable<TKey>> allKeys,
        ControllerRunnerOptions options,
        TimeProvider timeProvider,
        ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(reconciler);
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(caches);
        ArgumentNullException.ThrowIfNull(allKeys);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Workers, 1);
        _reconciler = reconciler;
        _queue = queue;
        _caches = [.. caches];
        _allKeys = allKeys;
        _options = options;
        _time = timeProvider;
        _logger = logger;
    }

    /// <summary>True once the caches synced and workers run.</summary>
    public bool IsStarted { get; private set; }

    /// <summary>Runs until cancelled; then shuts the queue down and waits for the workers to drain it.</summary>
    /// <param name="cancellationToken">Stops the controller.</param>
    /// <returns>Completes when stopped.</returns>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            Log.WaitingForCaches(_logger, _options.Name, string.Join(", ", _caches.Select(c => c.Resource)));
            await Task.WhenAll(_caches.Select(c => c.WaitForSyncAsync(cancellationToken))).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _queue.ShutDown();
            return;
        }

        IsStarted = true;
        Log.Started(_logger, _options.Name, _options.Workers);
        EnqueueAll();

        // Workers take keys until the queue is shut down and drained (the reconciler sees the cancelled token then).
        var workers = Enumerable.Range(0, _options.Workers).Select(_ => Task.Run(() => WorkAsync(cancellationToken), CancellationToken.None)).ToArray();
        try
        {
            if (_options.ResyncPeriod > TimeSpan.Zero)
            {
                using var timer = new PeriodicTimer(_options.ResyncPeriod, _time);
                while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
                {
                    EnqueueAll();
                }
            }
            else
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            _queue.ShutDown();
            await Task.WhenAll(workers).ConfigureAwait(false);
            Log.Stopped(_logger, _options.Name);
        }
    }

    private void EnqueueAll()
    {
        try
        {
            foreach (var key in _allKeys())
            {
                _queue.Add(key);
            }
        }
#pragma warning disable CA1031 // A broken key lister must not stop the controller; the next resync tries again.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.ResyncFailed(_logger, e, _options.Name);
        }
    }

    private async Task WorkAsync(CancellationToken reconcileToken)
    {
        while (true)
        {
            var (taken, key) = await _queue.TakeAsync(CancellationToken.None).ConfigureAwait(false);
            if (!taken)
            {
                return;
            }

            try
            {
                await _reconciler.ReconcileAsync(key!, reconcileToken).ConfigureAwait(false);
                _queue.Forget(key!);
            }
            catch (OperationCanceledException) when (reconcileToken.IsCancellationRequested)
            {
                // Shutting down: the key is not retried.
            }
#pragma warning disable CA1031 // A failed reconcile is retried, never fatal.
            catch (Exception e)
#pragma warning restore CA1031
            {
                var delay = _queue.AddRateLimited(key!);
                Log.ReconcileFailed(_logger, e, _options.Name, key!.ToString() ?? string.Empty, _queue.Retries(key!), delay);
            }
            finally
            {
                _queue.Done(key!);
            }
        }
    }
}
