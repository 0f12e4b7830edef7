using System.Net;
using System.Net.Sockets;
using Cni.Node.Concurrency;
using Cni.Node.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cni.Node.Ipam;

/// <summary>
/// The daemon-owned IPAM. Concurrency: operations on the same <see cref="LeaseKey"/> are serialized by a
/// per-key async lock; different keys only share a short in-memory critical section that picks addresses.
/// Durability: an allocation reserves its addresses in memory and journals them (fsync, group-committed) outside
/// the critical section; <see cref="ReserveAsync"/> returns with a task for the fsync, so the caller's own work
/// overlaps it. A failed write leaves the reservation abandoned, its addresses still held (the caller may have made
/// an endpoint with them), until <see cref="ReleaseAsync"/> lets them go. A release is journaled first and frees
/// (quarantines) the addresses afterwards. Memory and disk therefore never disagree in the unsafe direction: no
/// address is handed out twice, and no acknowledged lease is lost.
/// </summary>
public sealed partial class IpamStore : IIpamStore, IAsyncDisposable
{
    /// <summary>Subdirectory of the state directory that holds the journal and its lock.</summary>
    public const string DirectoryName = "ipam";

    private readonly LeaseJournal _journal;
    private readonly PoolOccupancy[] _pools;
    private readonly Dictionary<LeaseKey, LeaseEntry> _leases = [];

    // Which lease holds each in-pool address, so releasing a stale (duplicate) lease never frees another's address.
    private readonly Dictionary<IPAddress, LeaseKey> _addressOwners = [];
    private readonly KeyedAsyncLock<LeaseKey> _keyLocks = new();
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _quarantine;
    private volatile bool _disposed;

    private IpamStore(LeaseJournal journal, PoolOccupancy[] pools, TimeSpan quarantine, TimeProvider time, ILogger logger)
    {
        _journal = journal;
        _pools = pools;
        _quarantine = quarantine;
        _time = time;
        _logger = logger;
        Pools = [.. pools.Select(p => p.Pool)];
        StaleLeases = [];
    }

    /// <inheritdoc/>
    public IReadOnlyList<IpPool> Pools { get; }

    /// <inheritdoc/>
    public IReadOnlyList<StaleLease> StaleLeases { get; private set; }

    /// <inheritdoc/>
    public Exception? JournalFault => _journal.Fault;

    /// <inheritdoc/>
    public string? JournalProblem => _journal.Problem;

    /// <summary>The directory holding the journal (<c>&lt;stateDir&gt;/ipam</c>).</summary>
    public string Directory { get; private init; } = string.Empty;

    internal LeaseJournal Journal => _journal;

    internal int ActiveKeyLocks => _keyLocks.ActiveKeys;

    /// <summary>
    /// Validates <paramref name="options"/>, takes the state directory's lock, recovers the journal and rebuilds
    /// the pools. Errors in options are <see cref="ArgumentException"/>s naming the config field
    /// (<c>stateDir</c>, <c>podCIDRs[i]</c>, <c>mode</c>, <c>quarantinePeriod</c>, <c>compactionThresholdBytes</c>).
    /// </summary>
    /// <exception cref="IpamStoreLockedException">Another daemon owns the directory.</exception>
    /// <exception cref="IpamJournalException">The journal is corrupt beyond a torn tail, or not a journal.</exception>
    public static async Task<IpamStore> OpenAsync(IpamOptions options, TimeProvider timeProvider, ILoggerFactory? loggerFactory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var pools = BuildPools(options);
        if (string.IsNullOrWhiteSpace(options.StateDirectory))
        {
            throw new ArgumentException("stateDir: must name a directory.", "stateDir");
        }

        if (options.QuarantinePeriod < TimeSpan.Zero)
        {
            throw new ArgumentException($"quarantinePeriod: must not be negative, got {options.QuarantinePeriod}.", "quarantinePeriod");
        }

        if (options.CompactionThresholdBytes <= 0)
        {
            throw new ArgumentException($"compactionThresholdBytes: must be positive, got {options.CompactionThresholdBytes}.", "compactionThresholdBytes");
        }

        if (options.MaxBatchBytes <= 0)
        {
            throw new ArgumentException($"maxBatchBytes: must be positive, got {options.MaxBatchBytes}.", "maxBatchBytes");
        }

        loggerFactory ??= NullLoggerFactory.Instance;
        var directory = Path.Combine(Path.GetFullPath(options.StateDirectory), DirectoryName);
        var (journal, state) = await LeaseJournal.OpenAsync(
            directory, options.CompactionThresholdBytes, options.MaxBatchBytes, timeProvider, loggerFactory.CreateLogger<LeaseJournal>(), cancellationToken).ConfigureAwait(false);

        try
        {
            var store = new IpamStore(journal, [.. pools.Select(p => new PoolOccupancy(p))], options.QuarantinePeriod, timeProvider, loggerFactory.CreateLogger<IpamStore>())
            {
                Directory = directory,
            };
            store.Load(state);
            return store;
        }
        catch
        {
            // Never keep the directory locked for a store nobody holds.
            await journal.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc/>
    public async Task<LeaseReservation> ReserveAsync(LeaseKey key, LeaseOwner owner, CancellationToken cancellationToken)
    {
        LeaseKey.ThrowIfDefault(key, nameof(key));
        ArgumentNullException.ThrowIfNull(owner);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var held = await _keyLocks.AcquireAsync(key, cancellationToken).ConfigureAwait(false);
        IpLease lease;
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);

                // Whenever the key lock is free an entry is committed or abandoned (its write failed), never pending.
                if (_leases.TryGetValue(key, out var existing) && existing.State == LeaseState.Committed)
                {
                    held.Dispose();
                    return new LeaseReservation(existing.Lease, Task.CompletedTask);
                }

                // An abandoned reservation's addresses are still this attachment's: the retry writes them again.
                lease = existing is null
                    ? new IpLease(key, owner, ReserveAddresses(key), _time.GetUtcNow())
                    : existing.Lease with { Owner = owner, AllocatedAt = _time.GetUtcNow() };
                _leases[key] = new LeaseEntry(lease);
            }
        }
        catch
        {
            held.Dispose();
            throw;
        }

        // The key stays locked until the record is durable (or rolled back), so nothing else sees it half-made.
        var durable = Task.Run(() => CommitReservationAsync(lease, held), CancellationToken.None);
        return new LeaseReservation(lease, durable);
    }

    private async Task CommitReservationAsync(IpLease lease, IDisposable held)
    {
        using (held)
        {
            var key = lease.Key;
            try
            {
                // Not cancellable: the record may already be on its way to disk.
                await _journal.AppendAsync(new AllocateRecord(lease)).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // The addresses stay held: the caller may already have an endpoint with them, and only it (or
                // reconciliation) knows when that is gone. ReleaseAsync then lets them go without a journal record,
                // since none was written.
                lock (_gate)
                {
                    _leases[key].State = LeaseState.Abandoned;
                }

                Log.AllocationAbandoned(_logger, ex, key.ContainerId, key.IfName, Describe(lease));
                throw;
            }

            lock (_gate)
            {
                _leases[key].State = LeaseState.Committed;
            }

            Log.LeaseAllocated(_logger, key.ContainerId, key.IfName, Describe(lease), lease.Owner.NetworkName);
        }
    }

    /// <inheritdoc/>
    public async Task<IpLease?> ReleaseAsync(LeaseKey key, CancellationToken cancellationToken)
    {
        LeaseKey.ThrowIfDefault(key, nameof(key));
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var held = await _keyLocks.AcquireAsync(key, cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();

        IpLease lease;
        bool journaled;
        lock (_gate)
        {
            if (!_leases.TryGetValue(key, out var entry))
            {
                return null;
            }

            lease = entry.Lease;
            journaled = entry.State == LeaseState.Committed;
        }

        // Journal first, free afterwards: until the release is durable the addresses stay taken in memory. An
        // abandoned reservation has no record on disk, so letting it go needs no write (and works on a full disk).
        var now = _time.GetUtcNow();
        var until = now + _quarantine;
        if (journaled)
        {
            await _journal.AppendAsync(new ReleaseRecord(key, now, until, [.. lease.Addresses.Select(a => a.Address)])).ConfigureAwait(false);
        }

        lock (_gate)
        {
            _leases.Remove(key);
            foreach (var address in lease.Addresses)
            {
                if (_addressOwners.TryGetValue(address.Address, out var holder) && holder == key)
                {
                    _addressOwners.Remove(address.Address);
                    FindPool(address.Address)?.Quarantine(address.Address, until, now);
                }
            }

            if (StaleLeases.Any(s => s.Lease.Key == key))
            {
                StaleLeases = [.. StaleLeases.Where(s => s.Lease.Key != key)];
            }
        }

        Log.LeaseReleased(_logger, key.ContainerId, key.IfName, Describe(lease), until);
        return lease;
    }

    /// <inheritdoc/>
    public Task<IpLease?> GetAsync(LeaseKey key, CancellationToken cancellationToken)
    {
        LeaseKey.ThrowIfDefault(key, nameof(key));
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(_leases.TryGetValue(key, out var entry) && entry.State == LeaseState.Committed ? entry.Lease : null);
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<LeaseKey> AbandonedReservations
    {
        get
        {
            lock (_gate)
            {
                return [.. _leases.Where(e => e.Value.State == LeaseState.Abandoned).Select(e => e.Key)];
            }
        }
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<IpLease>> ListAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            IReadOnlyList<IpLease> leases = [.. _leases.Values.Select(e => e.Lease)];
            return Task.FromResult(leases);
        }
    }

    private List<IpLease> ListCommitted()
    {
        lock (_gate)
        {
            return [.. _leases.Values.Where(e => e.State == LeaseState.Committed).Select(e => e.Lease)];
        }
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<IpLease>> ReleaseAllExceptAsync(IEnumerable<LeaseKey> validKeys, string networkName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(validKeys);
        if (string.IsNullOrEmpty(networkName))
        {
            throw new ArgumentException("networkName: must not be empty.", nameof(networkName));
        }

        var keep = validKeys.ToHashSet();
        cancellationToken.ThrowIfCancellationRequested();
        var leases = ListCommitted();
        var doomed = leases.Where(l => string.Equals(l.Owner.NetworkName, networkName, StringComparison.Ordinal) && !keep.Contains(l.Key)).ToList();

        // Concurrent releases share group commits instead of paying one fsync each.
        var released = await Task.WhenAll(doomed.Select(l => ReleaseAsync(l.Key, cancellationToken))).ConfigureAwait(false);
        var result = released.OfType<IpLease>().ToList();
        if (result.Count > 0)
        {
            Log.GarbageCollected(_logger, result.Count, networkName);
        }

        return result;
    }

    /// <inheritdoc/>
    public IReadOnlyList<IpPoolUsage> GetUsage()
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            return [.. _pools.Select(p => p.Usage(now))];
        }
    }

    /// <summary>Waits for pending journal writes, closes the journal and releases the directory lock.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _journal.DisposeAsync().ConfigureAwait(false);
    }

    private static List<IpPool> BuildPools(IpamOptions options)
    {
        if (!Enum.IsDefined(options.Mode))
        {
            throw new ArgumentException($"mode: unknown network mode {options.Mode}.", "mode");
        }

        if (options.PodCidrs is null || options.PodCidrs.Count == 0)
        {
            throw new ArgumentException("podCIDRs: at least one pod CIDR is required.", "podCIDRs");
        }

        var pools = new List<IpPool>(options.PodCidrs.Count);
        for (var i = 0; i < options.PodCidrs.Count; i++)
        {
            var field = $"podCIDRs[{i}]";
            var pool = IpPool.Create(options.PodCidrs[i], options.Mode, field, options.StaticPool);
            if (!options.Mode.SupportsFamily(pool.Family))
            {
                throw new ArgumentException($"{field}: {pool.Cidr} is IPv6, which {options.Mode.ConfigName()} mode does not support; dual-stack needs l2bridge.", field);
            }

            var clash = pools.FirstOrDefault(p => p.Family == pool.Family);
            if (clash is not null)
            {
                throw new ArgumentException($"{field}: {pool.Cidr} is a second {(pool.Family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} CIDR after {clash.Cidr}; a node has at most one pod CIDR per family.", field);
            }

            pools.Add(pool);
        }

        return [.. pools.OrderBy(p => p.Family == AddressFamily.InterNetwork ? 0 : 1)];
    }

    private static string Describe(IpLease lease) => string.Join(",", lease.Addresses.Select(a => a.ToString()));

    /// <summary>Takes one address from every pool, all or nothing. Caller holds <see cref="_gate"/>.</summary>
    private List<LeasedAddress> ReserveAddresses(LeaseKey key)
    {
        var now = _time.GetUtcNow();
        var addresses = new List<LeasedAddress>(_pools.Length);
        try
        {
            foreach (var pool in _pools)
            {
                var address = pool.Allocate(now, out var reclaimed);
                addresses.Add(new LeasedAddress(address, pool.Pool.Cidr));
                _addressOwners[address] = key;
                if (reclaimed is { } until)
                {
                    Log.QuarantineReclaimed(_logger, address.ToString(), pool.Pool.Cidr.ToString(), until, key.ContainerId, key.IfName);
                }
            }
        }
        catch (IpamExhaustedException ex)
        {
            foreach (var address in addresses)
            {
                _addressOwners.Remove(address.Address);
                FindPool(address.Address)?.Unlease(address.Address);
            }

            Log.PoolExhausted(_logger, ex.Cidr.ToString(), ex.Leased, ex.Quarantined);
            throw;
        }

        return addresses;
    }

    private PoolOccupancy? FindPool(IPAddress address)
    {
        foreach (var pool in _pools)
        {
            if (pool.Pool.Contains(address))
            {
                return pool;
            }
        }

        return null;
    }

    /// <summary>Rebuilds memory from the recovered journal state; conflicts are reported, never dropped.</summary>
    private void Load(JournalState state)
    {
        var now = _time.GetUtcNow();
        foreach (var (address, until) in state.Quarantine)
        {
            FindPool(address)?.Quarantine(address, until, now);
        }

        var stale = new List<StaleLease>();
        foreach (var lease in state.Leases.Values.OrderBy(l => l.AllocatedAt))
        {
            _leases[lease.Key] = new LeaseEntry(lease) { State = LeaseState.Committed };
            foreach (var leased in lease.Addresses)
            {
                var pool = FindPool(leased.Address);
                StaleLeaseReason? reason =
                    pool is null ? StaleLeaseReason.OutsidePools
                    : pool.Pool.ReservationOf(leased.Address) is not null ? StaleLeaseReason.ReservedAddress
                    : !pool.TryMarkLeased(leased.Address) ? StaleLeaseReason.DuplicateAddress
                    : null;
                if (reason is { } why)
                {
                    stale.Add(new StaleLease(lease, leased.Address, why));
                    Log.StaleLease(_logger, lease.Key.ContainerId, lease.Key.IfName, leased.Address.ToString(), why);
                }
                else
                {
                    _addressOwners[leased.Address] = lease.Key;
                }
            }
        }

        StaleLeases = stale;
        Log.Opened(_logger, Directory, _leases.Count, _pools.Sum(p => p.QuarantinedCount), string.Join(",", Pools.Select(p => p.Cidr.ToString())));
    }

    /// <summary>Where a lease's journal record is.</summary>
    private enum LeaseState
    {
        /// <summary>On its way to disk; the key is locked until it is settled.</summary>
        Pending,

        /// <summary>Durable: the lease exists.</summary>
        Committed,

        /// <summary>The write failed: no lease, but the addresses stay held until released.</summary>
        Abandoned,
    }

    private sealed class LeaseEntry(IpLease lease)
    {
        public IpLease Lease { get; } = lease;

        public LeaseState State { get; set; }
    }
}
