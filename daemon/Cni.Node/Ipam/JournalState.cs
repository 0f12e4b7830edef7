using System.Net;

namespace Cni.Node.Ipam;

/// <summary>
/// The state the journal's records describe: leases and quarantined addresses. Recovery builds it by replay;
/// the writer keeps it current after each fsync, so compaction snapshots exactly what is durable (never an
/// allocation still waiting for its fsync).
/// </summary>
internal sealed class JournalState
{
    public Dictionary<LeaseKey, IpLease> Leases { get; } = [];

    public Dictionary<IPAddress, DateTimeOffset> Quarantine { get; } = [];

    public void Apply(JournalRecord record)
    {
        switch (record)
        {
            case AllocateRecord a:
                Leases[a.Lease.Key] = a.Lease;
                foreach (var address in a.Lease.Addresses)
                {
                    Quarantine.Remove(address.Address);
                }

                break;
            case ReleaseRecord r:
                Leases.Remove(r.Key);
                foreach (var address in r.Addresses)
                {
                    AddQuarantine(address, r.QuarantineUntil);
                }

                break;
            case QuarantineRecord q:
                AddQuarantine(q.Address, q.Until);
                break;
        }
    }

    /// <summary>Records that rebuild this state; quarantine entries already expired at <paramref name="now"/> are dropped.</summary>
    public List<JournalRecord> Snapshot(DateTimeOffset now)
    {
        foreach (var expired in Quarantine.Where(q => q.Value <= now).Select(q => q.Key).ToList())
        {
            Quarantine.Remove(expired);
        }

        var records = new List<JournalRecord>(Leases.Count + Quarantine.Count);
        records.AddRange(Quarantine.Select(q => new QuarantineRecord(q.Key, q.Value)));
        records.AddRange(Leases.Values.OrderBy(l => l.AllocatedAt).Select(l => new AllocateRecord(l)));
        return records;
    }

    private void AddQuarantine(IPAddress address, DateTimeOffset until)
    {
        // Keep the later expiry: quarantine only ever errs on the long side.
        if (!Quarantine.TryGetValue(address, out var existing) || existing < until)
        {
            Quarantine[address] = until;
        }
    }
}
