namespace Cni.Hcn.Model.Requests;

/// <summary>Settings of a network modify request with resource type IPSubnet (MS-docs, schema 2.6).</summary>
public sealed record IpSubnetRequest
{
    /// <summary>The subnet the IP subnets belong to.</summary>
    public Guid SubnetId { get; init; }

    public IReadOnlyList<IpSubnet>? IpSubnets { get; init; }
}
