using System.Text.Json.Serialization;
using Cni.Hcn.Model.Policies;

namespace Cni.Hcn.Model;

/// <summary>
/// A subnet of an <see cref="Ipam"/>. hcsshim refuses to send a subnet with <c>IpAddressPrefix</c> unless every route
/// has a <c>NextHop</c> and one route is a default route.
/// </summary>
public sealed record Subnet
{
    /// <summary>Identifier (MS-docs; output).</summary>
    [JsonPropertyName("ID")]
    public string? Id { get; init; }

    /// <summary>Name (MS-docs).</summary>
    public string? Name { get; init; }

    /// <summary>CIDR, e.g. <c>10.244.1.0/24</c>.</summary>
    public string? IpAddressPrefix { get; init; }

    /// <summary>Subnet policies (VSID on Overlay, VLAN).</summary>
    public IReadOnlyList<SubnetPolicy>? Policies { get; init; }

    /// <summary>Routes; the default route's next hop is the pod gateway.</summary>
    public IReadOnlyList<Route>? Routes { get; init; }

    /// <summary>Flags (a number).</summary>
    public SubnetFlags Flags { get; init; }

    /// <summary>IP subnets (MS-docs, schema 2.3).</summary>
    public IReadOnlyList<IpSubnet>? IpSubnets { get; init; }
}
