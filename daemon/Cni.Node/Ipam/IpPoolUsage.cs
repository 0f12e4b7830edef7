using System.Net;

namespace Cni.Node.Ipam;

/// <summary>Occupancy of one pool at a point in time (for metrics and <c>wincnid status</c>).</summary>
/// <param name="Cidr">The pool's CIDR.</param>
/// <param name="Assignable">Addresses that can be leased (the CIDR minus reserved addresses).</param>
/// <param name="Reserved">Addresses never leased (network, gateway, host endpoint, source VIP, broadcast).</param>
/// <param name="Leased">Addresses held by a lease.</param>
/// <param name="Quarantined">Released addresses waiting out their quarantine.</param>
public sealed record IpPoolUsage(IPNetwork Cidr, UInt128 Assignable, int Reserved, int Leased, int Quarantined)
{
    /// <summary>Addresses available for a new lease right now.</summary>
    public UInt128 Free => Assignable - (UInt128)Leased - (UInt128)Quarantined;

    /// <summary>Quarantined addresses leased before their quarantine ended because nothing else was free (cumulative).</summary>
    public long QuarantineReclaimed { get; init; }
}
