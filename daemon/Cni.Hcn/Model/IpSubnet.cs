using System.Text.Json.Serialization;

namespace Cni.Hcn.Model;

/// <summary>An IP subnet inside a <see cref="Subnet"/> (MS-docs only, schema 2.3).</summary>
public sealed record IpSubnet
{
    /// <summary>Identifier.</summary>
    [JsonPropertyName("ID")]
    public string? Id { get; init; }

    /// <summary>CIDR.</summary>
    public string? IpAddressPrefix { get; init; }

    /// <summary>Flags (a number).</summary>
    public IpSubnetFlags Flags { get; init; }
}
