namespace Cni.Node.Ipam;

/// <summary>
/// The daemon's IPAM: leases of pod addresses from the node's pod CIDRs, durable across crashes.
/// Implemented by <see cref="IpamStore"/>; an interface so endpoint-lifecycle tests can substitute it.
/// </summary>
public interface IIpamStore
{
    /// <summary>The pools, IPv4 first; each exposes its gateway, host endpoint / source VIP and reserved addresses.</summary>
    IReadOnlyList<IpPool> Pools { get; }

    /// <summary>Leases found on open that conflict with the current pools (kept, reported, to be released by DEL/GC).</summary>
    IReadOnlyList<StaleLease> StaleLeases { get; }

    /// <summary>The journal failure that stops all writes, or null while healthy (for /readyz).</summary>
    Exception? JournalFault { get; }

    /// <summary>
    /// Returns the lease for <paramref name="key"/>, creating it with one address per pool if needed (idempotent: the
    /// same key gets the same lease). Returns as soon as the addresses are reserved and their journal record is on its
    /// way to disk, so work that only needs the addresses (creating the endpoint) overlaps the fsync. The caller must
    /// not hand the addresses out before <see cref="LeaseReservation.Durable"/> completes; if it faults, the
    /// reservation is already rolled back (<see cref="IpamJournalException"/>: nothing was allocated). Other requests
    /// for the same key wait until it is settled.
    /// </summary>
    /// <exception cref="IpamExhaustedException">A pool has no free address (CNI error 11).</exception>
    Task<LeaseReservation> ReserveAsync(LeaseKey key, LeaseOwner owner, CancellationToken cancellationToken);

    /// <summary>Releases the lease (addresses go to quarantine); returns it, or null if there was none. Idempotent.</summary>
    Task<IpLease?> ReleaseAsync(LeaseKey key, CancellationToken cancellationToken);

    /// <summary>The committed lease for <paramref name="key"/>, or null.</summary>
    Task<IpLease?> GetAsync(LeaseKey key, CancellationToken cancellationToken);

    /// <summary>
    /// All leases that hold addresses: committed ones and reservations still being made durable (an endpoint may
    /// already exist for those, so reconciliation must see them).
    /// </summary>
    Task<IReadOnlyList<IpLease>> ListAsync(CancellationToken cancellationToken);

    /// <summary>CNI GC: releases every lease of <paramref name="networkName"/> whose key is not in <paramref name="validKeys"/>.</summary>
    Task<IReadOnlyList<IpLease>> ReleaseAllExceptAsync(IEnumerable<LeaseKey> validKeys, string networkName, CancellationToken cancellationToken);

    /// <summary>Per-pool totals: assignable, reserved, leased, quarantined.</summary>
    IReadOnlyList<IpPoolUsage> GetUsage();
}
