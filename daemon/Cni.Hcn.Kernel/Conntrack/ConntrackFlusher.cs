using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Cni.Hcn.Kernel.Netlink;
using Microsoft.Extensions.Logging;

namespace Cni.Hcn.Kernel.Conntrack;

/// <summary>
/// Deletes stale conntrack entries (<see cref="StaleFlows"/>) off the caller's path: a load-balancer change returns
/// once nftables has it, and a thread of its own then dumps the node's IPv4 conntrack table once for every filter
/// queued meanwhile and deletes the matching entries one by one. Best effort, as kube-proxy's cleanup is: a failure
/// is logged and counted and the filters are dropped (a flow it misses stays where it was, as without the cleanup).
/// </summary>
/// <remarks>
/// Dump-and-match rather than a kernel-side filter (CTA_FILTER, kernel 5.8+): one dump serves every queued filter, and
/// it works on any kernel. The socket is opened on first use, in the node's namespace (<c>open</c> makes sure of that).
/// </remarks>
internal sealed partial class ConntrackFlusher : IDisposable
{
    private readonly Func<ConntrackClient> _open;
    private readonly Func<IEnumerable<IPAddress>> _localAddresses;
    private readonly ILogger _logger;
    private readonly ConcurrentQueue<ConntrackFilter> _queue = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private ConntrackClient? _client;
    private long _queued;
    private long _done;
    private long _deleted;
    private long _failures;
    private long _passes;
    private bool _disposed;

    /// <summary>Starts the flusher.</summary>
    /// <param name="open">Opens a ctnetlink client in the node's namespace (called once, on the flusher's thread).</param>
    /// <param name="localAddresses">The node's addresses, for NodePort frontends (asked only when one is flushed).</param>
    /// <param name="logger">Logger.</param>
    public ConntrackFlusher(Func<ConntrackClient> open, Func<IEnumerable<IPAddress>> localAddresses, ILogger logger)
    {
        _open = open;
        _localAddresses = localAddresses;
        _logger = logger;

        // A thread of its own: a dump of a busy node's table takes a while, and nothing waits for it.
        _thread = new Thread(Run) { IsBackground = true, Name = "wincni-conntrack" };
        _thread.Start();
    }

    /// <summary>Filters queued and not yet handled (tests wait for 0).</summary>
    public long Pending => Interlocked.Read(ref _queued) - Interlocked.Read(ref _done);

    /// <summary>Conntrack entries deleted so far.</summary>
    public long Deleted => Interlocked.Read(ref _deleted);

    /// <summary>Passes (dump + deletes) that failed; their filters were dropped.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Passes run (each one dump of the table).</summary>
    public long Passes => Interlocked.Read(ref _passes);

    /// <summary>Queues filters; the entries they match are deleted in the background soon after.</summary>
    public void Enqueue(IReadOnlyCollection<ConntrackFilter> filters)
    {
        ArgumentNullException.ThrowIfNull(filters);
        if (filters.Count == 0)
        {
            return;
        }

        ObjectDisposedException.ThrowIf(_disposed, this);
        foreach (var filter in filters)
        {
            _queue.Enqueue(filter);
        }

        Interlocked.Add(ref _queued, filters.Count);
        _signal.Release();
    }

    /// <summary>Runs one pass now on the caller's thread (tests, and anything that needs the flows gone before it goes on).</summary>
    public void FlushNow() => Pass();

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        // Filters still queued are dropped: a stopping daemon leaves flows as they are, as a failed pass does.
        _disposed = true;
        _stop.Cancel();
        _thread.Join();
        _client?.Dispose();
        _signal.Dispose();
        _stop.Dispose();
    }

    private void Run()
    {
        try
        {
            while (true)
            {
                _signal.Wait(_stop.Token);

                // Everything queued up to now goes in this pass: the signals it left are spent with it.
                while (_signal.Wait(0))
                {
                }

                Pass();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private void Pass()
    {
        lock (_queue)
        {
            var filters = new List<ConntrackFilter>();
            while (_queue.TryDequeue(out var filter))
            {
                filters.Add(filter);
            }

            if (filters.Count == 0)
            {
                return;
            }

            var started = Stopwatch.GetTimestamp();
            try
            {
                var deleted = Flush(filters);
                Interlocked.Add(ref _deleted, deleted);
                LogFlushed(deleted, filters.Count, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            catch (Exception ex) when (ex is NetlinkException or ObjectDisposedException)
            {
                Interlocked.Increment(ref _failures);
                LogFlushFailed(ex, filters.Count);

                // A socket that failed may be in any state (a half-read dump): the next pass opens a new one.
                _client?.Dispose();
                _client = null;
            }
            finally
            {
                Interlocked.Increment(ref _passes);
                Interlocked.Add(ref _done, filters.Count);
            }
        }
    }

    private int Flush(List<ConntrackFilter> filters)
    {
        _client ??= _open();
        HashSet<IPAddress>? local = null;
        bool IsLocal(IPAddress address) => (local ??= [.. _localAddresses()]).Contains(address);

        var deleted = 0;
        foreach (var entry in _client.List())
        {
            if (filters.Any(f => f.Matches(entry, IsLocal)) && _client.Delete(entry))
            {
                deleted++;
            }
        }

        return deleted;
    }

    [LoggerMessage(EventId = 5701, Level = LogLevel.Debug, Message = "Deleted {Entries} stale conntrack entries for {Filters} load-balancer frontends in {Milliseconds:F1} ms")]
    private partial void LogFlushed(int entries, int filters, double milliseconds);

    [LoggerMessage(EventId = 5702, Level = LogLevel.Warning, Message = "Deleting stale conntrack entries for {Filters} load-balancer frontends failed; their UDP flows may stay on removed backends")]
    private partial void LogFlushFailed(Exception exception, int filters);
}
