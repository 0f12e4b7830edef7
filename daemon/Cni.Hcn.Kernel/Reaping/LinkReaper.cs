using Cni.Hcn.Kernel.Interop;
using Cni.Hcn.Kernel.Netlink;
using Microsoft.Extensions.Logging;

namespace Cni.Hcn.Kernel.Reaping;

/// <summary>
/// Deletes the veths of deleted endpoints off the caller's path. Unregistering a link waits for the kernel's RCU
/// barrier (15-50 ms on a small node, most of a CNI DEL), while the part that matters to the pod is instant: a retired
/// link is set down at once (its pod loses the network) and tagged with <see cref="Group"/>; the reaper then deletes
/// every tagged link with one group RTM_DELLINK, so links retired meanwhile share one barrier (a node draining 100
/// pods pays a handful, not 100). The tag is kept by the kernel, so a crash loses nothing: the next start reaps what
/// is left. A pod netns removed by the runtime first takes its pair with it, and the reaper finds nothing.
/// </summary>
/// <remarks>
/// The reaper has its own netlink socket: a group deletion holds its socket for the whole barrier, and the shared
/// socket of <see cref="KernelHcn"/> must stay free for ADDs meanwhile.
/// </remarks>
internal sealed partial class LinkReaper : IDisposable
{
    /// <summary>The link group of retired links ("wcni"); nothing else on a node uses it.</summary>
    public const uint Group = 0x77636E69;

    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly RtnetlinkClient _socket;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _signal = new(0);
    private readonly Lock _reapGate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private long _retired;
    private long _reapedThrough;
    private long _batches;
    private bool _disposed;

    /// <summary>Starts the reaper on <paramref name="socket"/> (a netlink socket of the node's namespace, owned from now on).</summary>
    public LinkReaper(RtnetlinkClient socket, ILogger logger)
    {
        _socket = socket;
        _logger = logger;

        // A thread of its own: each deletion blocks in the kernel for tens of milliseconds.
        _thread = new Thread(Run) { IsBackground = true, Name = "wincni-link-reaper" };
        _thread.Start();
    }

    /// <summary>Links retired and not yet known to be deleted.</summary>
    public long Pending => Interlocked.Read(ref _retired) - Interlocked.Read(ref _reapedThrough);

    /// <summary>Group deletions that deleted something (each one kernel batch).</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Sets the link down and tags it for deletion; the deletion itself happens in the background.</summary>
    /// <param name="host">The socket to set the link on (the caller's, in the same namespace as the reaper's).</param>
    /// <param name="index">The link's ifindex.</param>
    /// <returns>False when the link no longer exists.</returns>
    public bool Retire(RtnetlinkClient host, int index)
    {
        ArgumentNullException.ThrowIfNull(host);
        try
        {
            host.SetLink(index, new LinkChange { Up = false, Group = Group });
        }
        catch (NetlinkException ex) when (ex.IsNotFound)
        {
            return false;
        }

        Interlocked.Increment(ref _retired);
        _signal.Release();
        return true;
    }

    /// <summary>Deletes every retired link now, on the caller's thread (start-up, and an ADD that needs a retired name).</summary>
    /// <returns>Whether any link was deleted.</returns>
    public bool ReapNow() => TryReap(out var deleted) && deleted;

    /// <summary>Deletes every retired link; false when the kernel refused (they stay down and tagged).</summary>
    private bool TryReap(out bool deleted)
    {
        lock (_reapGate)
        {
            var through = Interlocked.Read(ref _retired);
            try
            {
                deleted = DeleteGroup();
            }
            catch (NetlinkException ex)
            {
                LogReapFailed(ex, RetryDelay.TotalSeconds);
                deleted = false;
                return false;
            }

            Interlocked.Exchange(ref _reapedThrough, through);
            return true;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _stop.Cancel();
        _thread.Join();

        // A clean stop leaves no retired link behind.
        if (Pending > 0)
        {
            ReapNow();
        }

        _socket.Dispose();
        _signal.Dispose();
        _stop.Dispose();
    }

    private void Run()
    {
        try
        {
            var failed = false;
            while (true)
            {
                // After a failure, try again after a pause even if no new link is retired.
                if (failed)
                {
                    _signal.Wait(RetryDelay, _stop.Token);
                }
                else
                {
                    _signal.Wait(_stop.Token);
                }

                // Every link retired up to now goes in this batch: the signals they left are spent with it.
                while (_signal.Wait(0))
                {
                }

                failed = !TryReap(out _);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: Dispose reaps what is left.
        }
    }

    private bool DeleteGroup()
    {
        try
        {
            var deleted = _socket.DeleteGroup(Group);
            if (deleted)
            {
                Interlocked.Increment(ref _batches);
            }

            return deleted;
        }
        catch (NetlinkException ex) when (ex.Errno == Errno.Eopnotsupp)
        {
            // Something that cannot be deleted carries the group (someone tagged a physical NIC): delete ours one by one.
            var any = false;
            foreach (var link in _socket.ListLinks().Where(l => l.Group == Group && string.Equals(l.Kind, "veth", StringComparison.Ordinal)))
            {
                any |= _socket.DeleteLink(link.Index);
            }

            LogForeignGroupMember(Group);
            return any;
        }
    }

    [LoggerMessage(EventId = 5601, Level = LogLevel.Warning, Message = "Deleting retired veths failed; they stay down and tagged, next try in {DelaySeconds} s")]
    private partial void LogReapFailed(Exception exception, double delaySeconds);

    [LoggerMessage(EventId = 5602, Level = LogLevel.Warning, Message = "Link group {Group} holds a device that cannot be deleted; retired veths were deleted one by one")]
    private partial void LogForeignGroupMember(uint group);
}
