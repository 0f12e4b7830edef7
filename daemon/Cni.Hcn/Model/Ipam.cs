namespace Cni.Hcn.Model;

/// <summary>An IPAM block of a network.</summary>
public sealed record Ipam
{
    /// <summary>IPAM type; <c>default</c> is omitted.</summary>
    public IpamType Type { get; init; }

    public IReadOnlyList<Subnet>? Subnets { get; init; }
}
