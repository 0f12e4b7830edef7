namespace Cni.Hcn.Model;

/// <summary><see cref="Subnet"/> <c>Flags</c>, a number on the wire.</summary>
[Flags]
public enum SubnetFlags : uint
{
    /// <summary>No flags.</summary>
    None = 0,

    /// <summary>Do not reserve the gateway address; needed when the gateway is the management IP.</summary>
    DoNotReserveGatewayAddress = 1,
}
