using System.Net;

namespace Cni.Node.Ipam;

/// <summary>One write-ahead record of the lease journal. Replaying all records in order rebuilds the state.</summary>
internal abstract record JournalRecord;

/// <summary>A lease was created; it supersedes any quarantine of its addresses.</summary>
internal sealed record AllocateRecord(IpLease Lease) : JournalRecord;

/// <summary>A lease was released; its addresses are quarantined until <paramref name="QuarantineUntil"/>.</summary>
internal sealed record ReleaseRecord(LeaseKey Key, DateTimeOffset ReleasedAt, DateTimeOffset QuarantineUntil, IReadOnlyList<IPAddress> Addresses) : JournalRecord;

/// <summary>Snapshot-only: an address still in quarantine when the journal was compacted.</summary>
internal sealed record QuarantineRecord(IPAddress Address, DateTimeOffset Until) : JournalRecord;
