using System.Net;

namespace Cni.Node.Ipam;

/// <summary>
/// A lease found on open that conflicts with the current pools. It is kept (never silently dropped) so the
/// daemon can delete the endpoint and release it through DEL or GC; its conflicting address is not handed out.
/// </summary>
/// <param name="Lease">The recovered lease.</param>
/// <param name="Address">The conflicting address.</param>
/// <param name="Reason">What is wrong with it.</param>
public sealed record StaleLease(IpLease Lease, IPAddress Address, StaleLeaseReason Reason);
