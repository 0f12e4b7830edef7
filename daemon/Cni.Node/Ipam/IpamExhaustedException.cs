using System.Globalization;
using System.Net;

namespace Cni.Node.Ipam;

/// <summary>
/// A pool has no free address: every assignable address is leased (quarantined addresses are reused before this is
/// thrown). The daemon maps this to CNI error 11 ("try again later"): DEL, GC and reconciliation free leaked leases.
/// </summary>
public sealed class IpamExhaustedException : Exception
{
    /// <summary>Creates the exception for <paramref name="cidr"/> with its occupancy.</summary>
    public IpamExhaustedException(IPNetwork cidr, UInt128 assignable, int leased, int quarantined)
        : base(string.Create(
            CultureInfo.InvariantCulture,
            $"IP pool {cidr} is exhausted: {assignable} assignable address(es), {leased} leased, {quarantined} in quarantine. Delete unused pods (DEL, CNI GC and wincnid's reconciliation free leaked leases), or give the node a larger pod CIDR."))
    {
        Cidr = cidr;
        Assignable = assignable;
        Leased = leased;
        Quarantined = quarantined;
    }

    /// <summary>The exhausted pool.</summary>
    public IPNetwork Cidr { get; }

    /// <summary>Assignable addresses in the pool.</summary>
    public UInt128 Assignable { get; }

    /// <summary>Addresses held by leases.</summary>
    public int Leased { get; }

    /// <summary>Addresses in quarantine.</summary>
    public int Quarantined { get; }
}
