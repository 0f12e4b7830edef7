namespace Cni.Node.Configuration;

/// <summary>
/// Default firewall of every pod endpoint (node config section <c>firewall</c>), given to HCN as endpoint ACL
/// policies. Both directions allow everything by default, as Windows Server containers do.
/// </summary>
public sealed record FirewallOptions
{
    /// <summary>Traffic towards the pod.</summary>
    public FirewallDirectionOptions Inbound { get; init; } = new();

    /// <summary>Traffic from the pod.</summary>
    public FirewallDirectionOptions Outbound { get; init; } = new();

    /// <summary>Whether any ACL policy results (a direction that blocks by default).</summary>
    public bool IsActive => Inbound.Default == FirewallAction.Block || Outbound.Default == FirewallAction.Block;
}
