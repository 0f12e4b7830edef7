using System.Net;

namespace Cni.Node.Ipam;

/// <summary>
/// Which addresses of one <see cref="IpPool"/> are leased or quarantined. Memory is O(leased + quarantined),
/// never O(pool size): allocation is next-fit from a cursor, skipping occupied offsets, so a scan visits at most
/// (occupied + reserved + 1) offsets and a /64 costs the same as a /24. A quarantined address is only handed out
/// when nothing else is free, oldest release first (<see cref="Allocate"/>): quarantine delays reuse, it never fails
/// an ADD. Not thread-safe: the store calls it inside its short critical section.
/// </summary>
internal sealed class PoolOccupancy
{
    private readonly HashSet<UInt128> _leased = [];
    private readonly Dictionary<UInt128, DateTimeOffset> _quarantine = [];

    // Expiry order of quarantine entries; stale heap items (re-quarantined or reclaimed offsets) are skipped on pop.
    private readonly PriorityQueue<UInt128, DateTimeOffset> _expiry = new();
    private UInt128 _cursor;

    public PoolOccupancy(IpPool pool)
    {
        Pool = pool;
        _cursor = pool.FirstAssignableOffset;
    }

    public IpPool Pool { get; }

    public int LeasedCount => _leased.Count;

    public int QuarantinedCount => _quarantine.Count;

    /// <summary>Quarantined addresses handed out early because nothing else was free, since the pool was made.</summary>
    public long QuarantineReclaimed { get; private set; }

    /// <summary>Takes the next free address after the cursor, or throws <see cref="IpamExhaustedException"/>.</summary>
    public IPAddress Allocate(DateTimeOffset now) => Allocate(now, out _);

    /// <summary>
    /// Takes the next free address after the cursor; when every assignable address is leased or quarantined, the one
    /// released longest ago leaves quarantine early (<paramref name="reclaimed"/> says until when it was quarantined).
    /// Throws <see cref="IpamExhaustedException"/> only when every assignable address is leased.
    /// </summary>
    public IPAddress Allocate(DateTimeOffset now, out DateTimeOffset? reclaimed)
    {
        ExpireQuarantine(now);
        reclaimed = null;
        var occupied = (UInt128)_leased.Count + (UInt128)_quarantine.Count;
        if (occupied >= Pool.AssignableCount)
        {
            if (!TryTakeOldestQuarantined(out var oldest, out var until))
            {
                throw new IpamExhaustedException(Pool.Cidr, Pool.AssignableCount, _leased.Count, _quarantine.Count);
            }

            // Quarantine keeps a released address from being reused at once (stale ARP, conntrack, caches); a pod that
            // cannot start at all is worse, so under exhaustion the address that has waited longest is reused.
            _leased.Add(oldest);
            QuarantineReclaimed++;
            reclaimed = until;
            return Pool.AddressAt(oldest);
        }

        // Terminates: at least one assignable offset is neither leased nor quarantined.
        var offset = _cursor;
        while (Pool.IsReservedOffset(offset) || _leased.Contains(offset) || _quarantine.ContainsKey(offset))
        {
            offset = Next(offset);
        }

        _leased.Add(offset);
        _cursor = Next(offset);
        return Pool.AddressAt(offset);
    }

    /// <summary>Marks a recovered lease's address as leased; false if it is reserved, outside, or already leased.</summary>
    public bool TryMarkLeased(IPAddress address)
    {
        if (!Pool.TryGetOffset(address, out var offset) || Pool.IsReservedOffset(offset) || !_leased.Add(offset))
        {
            return false;
        }

        _quarantine.Remove(offset);
        return true;
    }

    /// <summary>
    /// Undoes an allocation that was never acknowledged: the address is free at once, and the cursor moves back
    /// to it so a retry gets the same address (it was never visible to anyone).
    /// </summary>
    public void Unlease(IPAddress address)
    {
        if (Pool.TryGetOffset(address, out var offset) && _leased.Remove(offset))
        {
            _cursor = offset;
        }
    }

    /// <summary>Moves a leased address (or, on recovery, a free one) into quarantine until <paramref name="until"/>.</summary>
    public void Quarantine(IPAddress address, DateTimeOffset until, DateTimeOffset now)
    {
        if (!Pool.TryGetOffset(address, out var offset) || Pool.IsReservedOffset(offset))
        {
            return;
        }

        _leased.Remove(offset);
        if (until <= now)
        {
            return;
        }

        if (_quarantine.TryGetValue(offset, out var existing) && existing >= until)
        {
            return;
        }

        _quarantine[offset] = until;
        _expiry.Enqueue(offset, until);
    }

    public bool IsLeased(IPAddress address) => Pool.TryGetOffset(address, out var offset) && _leased.Contains(offset);

    public bool IsQuarantined(IPAddress address) => Pool.TryGetOffset(address, out var offset) && _quarantine.ContainsKey(offset);

    public IpPoolUsage Usage(DateTimeOffset now)
    {
        ExpireQuarantine(now);
        return new IpPoolUsage(Pool.Cidr, Pool.AssignableCount, Pool.Reserved.Count, _leased.Count, _quarantine.Count)
        {
            QuarantineReclaimed = QuarantineReclaimed,
        };
    }

    public void ExpireQuarantine(DateTimeOffset now)
    {
        while (_expiry.TryPeek(out var offset, out var until) && until <= now)
        {
            _expiry.Dequeue();

            // Only remove if this heap item is the entry's current expiry (a later release may have extended it).
            if (_quarantine.TryGetValue(offset, out var current) && current <= now)
            {
                _quarantine.Remove(offset);
            }
        }
    }

    /// <summary>Removes the quarantined offset with the earliest expiry (the oldest release) from quarantine.</summary>
    private bool TryTakeOldestQuarantined(out UInt128 offset, out DateTimeOffset until)
    {
        while (_expiry.TryDequeue(out offset, out until))
        {
            // Heap items for offsets re-quarantined later (or already reclaimed) are stale: skip them.
            if (_quarantine.TryGetValue(offset, out var current) && current == until)
            {
                _quarantine.Remove(offset);
                return true;
            }
        }

        return false;
    }

    private UInt128 Next(UInt128 offset) =>
        offset >= Pool.LastAssignableOffset ? Pool.FirstAssignableOffset : offset + 1;
}
