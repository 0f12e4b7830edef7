using System.Net;

namespace Cni.Node.Ipam;

/// <summary>An address of a pool that IPAM never hands out, and why.</summary>
/// <param name="Address">The reserved address.</param>
/// <param name="Kind">The role the address plays.</param>
public sealed record ReservedAddress(IPAddress Address, ReservedAddressKind Kind);
