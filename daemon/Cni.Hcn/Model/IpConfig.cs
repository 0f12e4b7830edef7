namespace Cni.Hcn.Model;

/// <summary>An endpoint IP configuration; dual-stack endpoints carry two.</summary>
public sealed record IpConfig
{
    /// <summary>Address.</summary>
    public string? IpAddress { get; init; }

    /// <summary>Prefix length (0 = omitted).</summary>
    public byte PrefixLength { get; init; }

    /// <summary>The IP subnet (MS-docs, schema 2.3).</summary>
    public Guid IpSubnetId { get; init; }
}
