namespace Cni.Node.Ipam;

/// <summary>A lease whose addresses are reserved; <paramref name="Durable"/> completes once its journal record is fsynced.</summary>
/// <param name="Lease">The lease (the existing one when the key already had a committed lease).</param>
/// <param name="Durable">Completes when the lease survives a crash; faults (with the reservation rolled back) when the write failed.</param>
public sealed record LeaseReservation(IpLease Lease, Task Durable);
