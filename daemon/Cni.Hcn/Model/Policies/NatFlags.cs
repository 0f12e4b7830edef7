namespace Cni.Hcn.Model.Policies;

/// <summary>NAT flags of OutBoundNAT and PortMapping, a number on the wire.</summary>
[Flags]
public enum NatFlags : uint
{
    /// <summary>No flags.</summary>
    None = 0,

    /// <summary>LocalRoutedVip.</summary>
    LocalRoutedVip = 1,

    /// <summary>IPv6 (a second OutBoundNAT with this flag covers IPv6 egress).</summary>
    IPv6 = 2,

    /// <summary>ExternalPortReserved (SDN-psm1 only).</summary>
    ExternalPortReserved = 4,
}
