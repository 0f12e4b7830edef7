using Cni.Hcn.Errors;
using Cni.Hcn.Kernel.Netlink;
using Cni.Hcn.Kernel.Nftables;
using Microsoft.Extensions.Logging;

namespace Cni.Hcn.Kernel;

/// <summary>
/// Repairs wincni's nftables tables when something else changed them (an element, rule or whole table deleted out of
/// band): the services table and the mirror would otherwise keep saying a load balancer exists, and nothing would
/// ever put it back. A background check reads nf_tables' generation; only when it moved past what wincni's own
/// commits account for are the tables counted (<see cref="NftTableShape"/>) and, where they differ, rewritten.
/// </summary>
public sealed partial class KernelHcn
{
    private readonly CancellationTokenSource _driftStop = new();
    private Task? _driftLoop;
    private int _driftRepairs;
    private int _driftVerifications;

    /// <summary>Times wincni's nftables tables were found changed out of band and rewritten (for /metrics).</summary>
    public int NftablesDriftRepairs => Volatile.Read(ref _driftRepairs);

    /// <summary>Times the generation had moved and wincni's tables were counted (repaired or not).</summary>
    public int NftablesDriftVerifications => Volatile.Read(ref _driftVerifications);

    /// <summary>
    /// One drift check, as the background loop runs it: nothing but one generation read unless nftables changed since
    /// wincni's tables were last known intact. Serialized with commits (the shared gate keeps a full reconcile out, the
    /// commit gate other commits), so it never sees or races a commit of wincni's own half done.
    /// </summary>
    /// <returns>The tables repaired (empty when none).</returns>
    internal async Task<IReadOnlyList<string>> CheckDriftAsync(CancellationToken cancellationToken)
    {
        if (!_started || (_drift.Known is { } known && _drift.Read().Id == known))
        {
            return [];
        }

        using var shared = await _gate.EnterSharedAsync(cancellationToken).ConfigureAwait(false);
        await _commitGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var generation = _drift.Read().Id;
            if (_drift.Known == generation)
            {
                return [];
            }

            var drifted = VerifyTables(generation);
            if (drifted.Count == 0)
            {
                return [];
            }

            foreach (var (table, why) in drifted)
            {
                LogDriftRepair(table, why);
                if (table == ServiceRenderer.Table)
                {
                    _services.Invalidate();
                }
                else if (table == Services6Key)
                {
                    _services6.Invalidate();
                }
                else
                {
                    // Any text differs from the rendered one, so the sync replaces the table.
                    _appliedTables[table] = string.Empty;
                }
            }

            Interlocked.Increment(ref _driftRepairs);
            try
            {
                await SyncNftablesAsync(full: true, networkTables: true, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                // Not repaired: the next check must not take the generation for intact.
                _drift.Forget();
                Interlocked.Exchange(ref _nftablesDirty, 1);
                throw;
            }

            return drifted.Keys.ToList();
        }
        finally
        {
            _commitGate.Release();
        }
    }

    /// <summary>
    /// At the end of the start, with the gate held alone: wincni has just written all of its tables, so they are
    /// counted now and their generation becomes the known one. Without this the first background check, 5 s after the
    /// start, counted every table under the commit gate, in the middle of the service proxy's initial burst (at
    /// 200,000 set elements that stalled every commit for a few hundred milliseconds).
    /// </summary>
    private void VerifyDriftAtStart()
    {
        try
        {
            var drifted = VerifyTables(_drift.Read().Id);
            if (drifted.Count > 0)
            {
                // Not as just written (someone committed meanwhile): the background check repairs it.
                _drift.Forget();
            }
        }
        catch (NetlinkException ex)
        {
            _drift.Forget();
            LogDriftCheckFailed(ex.Message);
        }
    }

    /// <summary>Counts wincni's tables against what it applied; records <paramref name="generation"/> as verified and returns the tables that differ, with why.</summary>
    private Dictionary<string, string> VerifyTables(uint generation)
    {
        Interlocked.Increment(ref _driftVerifications);
        var started = TimeProvider.System.GetTimestamp();
        var drifted = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (table, text) in _appliedTables)
        {
            if (text is not null && Differences(NftTableShape.Parse(text), _drift.ReadShape(table)) is { } why)
            {
                drifted[table] = why;
            }
        }

        foreach (var (sync, key) in new[] { (_services, ServiceRenderer.Table), (_services6, Services6Key) })
        {
            if (!sync.Trusted)
            {
                drifted[key] = "mirror not trusted";
            }
            else if (sync.ExpectedShape() is { } expected && Differences(expected, _drift.ReadShape(key)) is { } why)
            {
                drifted[key] = why;
            }
        }

        LogDriftVerified(generation, drifted.Count, TimeProvider.System.GetElapsedTime(started).TotalMilliseconds);
        _drift.Verified(generation);
        return drifted;
    }

    /// <summary>The IPv6 services table's key among table keys (<see cref="NftFamily.Qualify"/>).</summary>
    private static string Services6Key => NftFamily.Ip6.Qualify(ServiceRenderer.Table);

    /// <summary>The differences as one phrase, null when none.</summary>
    private static string? Differences(NftTableShape expected, NftTableShape? actual) =>
        actual is null ? "table missing" : expected.Differences(actual) is { Count: > 0 } list ? string.Join("; ", list) : null;

    /// <summary>Applies an nft batch and tells the drift monitor, so wincni's own commits never look like drift.</summary>
    private async Task ApplyNftAsync(string batch, CancellationToken cancellationToken)
    {
        await _nft.ApplyAsync(batch, cancellationToken).ConfigureAwait(false);
        _drift.Committed();
    }

    /// <summary>Starts the background check once (after the start's reconcile), unless turned off.</summary>
    private void StartDriftLoop()
    {
        if (_driftLoop is null && _options.DriftCheckInterval > TimeSpan.Zero)
        {
            _driftLoop = Task.Run(() => DriftLoopAsync(_options.DriftCheckInterval, _driftStop.Token));
        }
    }

    private async Task DriftLoopAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await CheckDriftAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is NetlinkException or NftException or IOException or HcnException)
                {
                    // Tried again at the next tick; the commit path also repairs the services table on its own.
                    LogDriftCheckFailed(ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Disposed.
        }
    }

    /// <summary>Stops the background check and waits for a check in progress (it holds the gates Dispose frees).</summary>
    private void StopDriftLoop()
    {
        _driftStop.Cancel();
        try
        {
            _driftLoop?.Wait(TimeSpan.FromSeconds(30));
        }
        catch (AggregateException)
        {
            // Whatever it failed with, it has stopped.
        }

        _driftStop.Dispose();
        _drift.Dispose();
    }

    [LoggerMessage(EventId = 2610, Level = LogLevel.Warning, Message = "nftables table {Table} was changed outside wincni ({Difference}); rewriting it")]
    private partial void LogDriftRepair(string table, string difference);

    [LoggerMessage(EventId = 2611, Level = LogLevel.Debug,
        Message = "nftables generation moved to {Generation}: counted wincni's tables, {Drifted} changed outside wincni ({ElapsedMs:0.0} ms)")]
    private partial void LogDriftVerified(uint generation, int drifted, double elapsedMs);

    [LoggerMessage(EventId = 2612, Level = LogLevel.Warning, Message = "nftables drift check failed: {Reason}")]
    private partial void LogDriftCheckFailed(string reason);
}
