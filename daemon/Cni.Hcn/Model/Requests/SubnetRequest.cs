namespace Cni.Hcn.Model.Requests;

/// <summary>Settings of a network modify request with resource type Subnet (MS-docs, schema 2.6).</summary>
public sealed record SubnetRequest
{
    public IReadOnlyList<Subnet>? Subnets { get; init; }
}
