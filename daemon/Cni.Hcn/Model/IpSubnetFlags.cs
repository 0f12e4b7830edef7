namespace Cni.Hcn.Model;

/// <summary><see cref="IpSubnet"/> <c>Flags</c>, a number on the wire (values from SDN-psm1).</summary>
[Flags]
public enum IpSubnetFlags : uint
{
    /// <summary>No flags.</summary>
    None = 0,

    /// <summary>EnableBroadcast.</summary>
    EnableBroadcast = 1,

    /// <summary>ReserveNetworkAddress.</summary>
    ReserveNetworkAddress = 2,
}
