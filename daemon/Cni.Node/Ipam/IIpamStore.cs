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
    /// Null while the journal is healthy; else what failed, since when, and when it next tries to recover by itself
    /// (for /healthz, /readyz and status).
    /// </summary>
    string? JournalProblem { get; }

    /// <summary>
    /// Returns the lease for <paramref name="key"/>, creating it with one address per pool if needed (idempotent: the
    /// same key gets the same lease). Returns as soon as the addresses are reserved and their journal record is on its
    /// way to disk, so work that only needs the addresses (creating the endpoint) overlaps the fsync. The caller must
    /// not hand the addresses out before <see cref="LeaseReservation.Durable"/> completes. If it faults
    /// (<see cref="IpamJournalException"/>: no lease exists), the reservation is abandoned but its addresses stay held,
    /// because the caller may have made an endpoint with them: the caller calls <see cref="ReleaseAsync"/> once that
    /// endpoint is gone (no journal write is needed), or a retry with the same key writes the same addresses again.
    /// Other requests for the same key wait until it is settled. Every address is leased before a quarantined one is
    /// reused (oldest release first).
    /// </summary>
    /// <exception cref="IpamExhaustedException">Every address of a pool is leased (CNI error 11).</exception>
    Task<LeaseReservation> ReserveAsync(LeaseKey key, LeaseOwner owner, CancellationToken cancellationToken);

    /// <summary>
    /// Releases the lease (addresses go to quarantine), or lets go of an abandoned reservation; returns it, or null if
    /// there was none. Idempotent.
    /// </summary>
    Task<IpLease?> ReleaseAsync(LeaseKey key, CancellationToken cancellationToken);

    /// <summary>
    /// Reservations whose journal write failed and that nobody has released yet (a failed ADD whose rollback could not
    /// finish): their addresses are held; reconciliation deletes their endpoints and releases them.
    /// </summary>
    IReadOnlyList<LeaseKey> AbandonedReservations { get; }

    /// <summary>The committed lease for <paramref name="key"/>, or null.</summary>
    Task<IpLease?> GetAsync(LeaseKey key, CancellationToken cancellationToken);

    /// <summary>
    /// All leases that hold addresses: committed ones, reservations still being made durable and abandoned ones (an
    /// endpoint may already exist for those, so reconciliation must see them).
    /// </summary>
    Task<IReadOnlyList<IpLease>> ListAsync(CancellationToken cancellationToken);

    /// <summary>CNI GC: releases every lease of <paramref name="networkName"/> whose key is not in <paramref name="validKeys"/>.</summary>
    Task<IReadOnlyList<IpLease>> ReleaseAllExceptAsync(IEnumerable<LeaseKey> validKeys, string networkName, CancellationToken cancellationToken);

    /// <summary>Per-pool totals: assignable, reserved, leased, quarantined.</summary>
    IReadOnlyList<IpPoolUsage> GetUsage();
}
